import { LagradError, OptionError } from '../error.ts';
import { formatCount } from '../numberFormat.ts';
import { INPUT } from '../primitives/primitive.ts';
import { primitives } from '../primitives/registry.ts';
import { ProgramBuilder } from './builder.ts';
import type { Program } from './program.ts';

/** Default most variables `unroll` builds. */
export const UNROLL_LIMIT = 1e7;

/**
 * The acyclic program that runs k Gauss–Seidel sweeps of each cyclic component from its `init`
 * values instead of solving it: what differentiating "through the solver" differentiates. Each
 * sweep adds a copy of the component's constraints, in order, whose parents are the newest copies
 * (earlier members: this sweep's; later members and the member itself: the previous sweep's; the
 * first sweep reads the init values as constants). The rest of the program is copied as it is, and
 * named variables and outputs refer to the last copy. With k = the number of sweeps the fixed-point
 * solve took, it computes the very same values. Size: N + (k − 1)·Σ m over the components, counted
 * first (as at most N + k·Σ m) and refused above `maxVariables` (default 10⁷ variables, a few hundred megabytes). A block
 * member starts from a block constant (its init in every entry); a block init of several values
 * is refused.
 */
export function unroll(
  program: Program,
  iterations: number,
  options: { readonly maxVariables?: number } = {},
): Program {
  if (!(Number.isSafeInteger(iterations) && iterations >= 0))
    throw new LagradError('unroll', `${iterations} is not a whole number of iterations`);
  const limit = options.maxVariables ?? UNROLL_LIMIT;
  if (!(limit >= 0)) throw new OptionError('maxVariables', `must be a number ≥ 0, got ${String(limit)}`);
  let members = 0;
  for (const [start, end] of program.components()) members += end - start;
  const unrolled = program.size + iterations * members;
  if (unrolled > limit)
    throw new LagradError(
      'unroll',
      `${iterations} sweeps of the ${members} members of its cyclic components make ${formatCount(unrolled)} variables; the limit is ${formatCount(limit)} (maxVariables)`,
    );
  const { ops, parentStart, parents, constants, inputCount, size, initial } = program;
  for (const i of program.initialBlocks?.keys() ?? []) {
    throw new LagradError(
      'unroll',
      `'${program.label(i)}' starts from a block of values; the unrolled program starts each entry from a constant (init ${program.label(i)} = θ)`,
    );
  }
  const builder = new ProgramBuilder(program.source?.file);
  const copy = new Int32Array(size);
  const args: number[] = [];
  const record = (i: number) => {
    const p = primitives.get(ops[i]);
    if (p.arity === 0) {
      if (p.name !== 'const')
        throw new LagradError(program.where(i), `cannot unroll the arity-0 primitive '${p.name}'`);
      return builder.constant(constants[i], program.shape(i));
    }
    args.length = 0;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) args.push(copy[parents[e]]);
    return builder.applyMany(ops[i], args, constants[i]);
  };
  for (let i = 0; i < inputCount; i++) {
    if (ops[i] !== INPUT) throw new LagradError('unroll', 'inputs must come first');
    copy[i] = builder.input(
      program.label(i),
      program.shape(i),
      Number.isNaN(program.defaults[i]) ? undefined : program.defaults[i],
    );
  }
  let from = inputCount;
  for (const [start, end] of program.components()) {
    for (let i = from; i < start; i++) copy[i] = record(i);
    for (let i = start; i < end; i++) copy[i] = builder.constant(initial === null ? 0 : initial[i], program.shape(i));
    for (let sweep = 0; sweep < iterations; sweep++) for (let i = start; i < end; i++) copy[i] = record(i);
    from = end;
  }
  for (let i = from; i < size; i++) copy[i] = record(i);
  for (const [name, i] of program.names) if (i >= inputCount) builder.name(copy[i], name);
  for (const o of program.outputs) builder.output(copy[o]);
  return builder.build();
}
