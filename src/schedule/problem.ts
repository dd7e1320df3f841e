import { OptionError, UsageError } from '../error.ts';
import { weightCount } from '../lagrangian/lagrangian.ts';
import { Program } from '../program/program.ts';

// What a schedule is handed, checked where it is handed (the boundary `checked` draws around every
// schedule): `grad` builds problems that pass, but lagrad/core exports the schedules, and a caller
// of `reverse.solve` may hand it anything. A short or non-finite input, a weight vector of the
// wrong length, one buffer given as both values and multipliers: each would come back as a wrong
// or misdiagnosed number, so each is an error here. O(inputs + outputs), no allocation.

/** Throws a UsageError naming the field when a problem or its options cannot be solved as given. */
export function checkProblem(problem: unknown, options: unknown): void {
  if (typeof problem !== 'object' || problem === null)
    throw new UsageError('problem', 'must be an object { program, inputs, weights, wrt? }');
  // Read as unknown: schedule.ts's types would make an import cycle, and a caller may hand anything.
  const { program, inputs, weights, wrt } = problem as {
    program?: unknown;
    inputs?: unknown;
    weights?: unknown;
    wrt?: unknown;
  };
  if (!(program instanceof Program))
    throw new UsageError('problem.program', 'is not a Program (parse, trace, build or fromJSON makes one)');
  finiteArray('problem.inputs', inputs, program.inputSlots, program, true);
  finiteArray('problem.weights', weights, weightCount(program), program, false);
  if (wrt !== undefined && !(wrt instanceof Uint8Array && wrt.length === program.inputCount)) {
    throw new UsageError('problem.wrt', `must be a Uint8Array of ${program.inputCount} flags, one per input`);
  }
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) throw new UsageError('options', 'must be an object');
  const { workspace, multipliers, progress } = options as {
    workspace?: unknown;
    multipliers?: unknown;
    progress?: unknown;
  };
  if (workspace !== undefined) checkWorkspace(workspace);
  // Never coerced: 'no' or 0 as multipliers would otherwise read as a choice the caller did not make.
  if (multipliers !== undefined && typeof multipliers !== 'boolean')
    throw new OptionError(
      'multipliers',
      `must be true or false, got ${typeof multipliers === 'string' ? `'${multipliers}'` : String(multipliers)}`,
    );
  if (progress !== undefined && typeof progress !== 'function')
    throw new OptionError('progress', `must be a function (done, total) => void, got ${typeof progress}`);
}

function finiteArray(
  where: string,
  x: unknown,
  n: number,
  program: Program,
  inputs: boolean,
): asserts x is Float64Array {
  if (!(x instanceof Float64Array)) throw new UsageError(where, `must be a Float64Array of ${n} numbers`);
  if (x.length !== n)
    throw new UsageError(where, `has ${x.length} entr${x.length === 1 ? 'y' : 'ies'} where the program takes ${n}`);
  let finite = 0;
  for (let k = 0; k < n; k++) finite += x[k] * 0;
  if (finite === 0) return;
  let k = 0;
  while (x[k] - x[k] === 0) k++;
  const which = inputs && program.layout === null ? ` (input '${program.label(k)}')` : '';
  throw new UsageError(where, `entry ${k}${which} is ${x[k]}: not a finite number`);
}

/** A workspace's buffers must be Float64Arrays, no two sharing memory; anything else is an error. */
export function checkWorkspace(workspace: unknown): void {
  if (typeof workspace !== 'object' || workspace === null)
    throw new UsageError('workspace', 'must be an object { values?, lambda?, tangents? } of Float64Arrays');
  const { values, lambda, tangents } = workspace as { values?: unknown; lambda?: unknown; tangents?: unknown };
  float64('values', values);
  float64('lambda', lambda);
  float64('tangents', tangents);
  overlap('values', values as Float64Array | undefined, 'lambda', lambda as Float64Array | undefined);
  overlap('values', values as Float64Array | undefined, 'tangents', tangents as Float64Array | undefined);
  overlap('lambda', lambda as Float64Array | undefined, 'tangents', tangents as Float64Array | undefined);
}

function float64(key: string, b: unknown): void {
  if (b !== undefined && !(b instanceof Float64Array))
    throw new UsageError(`workspace.${key}`, 'must be a Float64Array');
}

function overlap(ka: string, a: Float64Array | undefined, kb: string, b: Float64Array | undefined): void {
  if (a === undefined || b === undefined || a.buffer !== b.buffer) return;
  if (a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength)
    throw new UsageError('workspace', `${ka} and ${kb} share memory; give each buffer its own`);
}
