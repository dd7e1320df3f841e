import { LagradError, OptionError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { zeros } from '../schedule/schedule.ts';
import { inputNamesOf } from './inputNames.ts';

/** A point: input values by name, or in input order. Inputs left out take their defaults. */
export type Point = Readonly<Record<string, number>> | ArrayLike<number>;

/** The inputs as a Float64Array in input order; a missing, unknown or non-finite value is an error naming it. */
export function resolvePoint(program: Program, at: Point = {}): Float64Array {
  const n = program.inputCount;
  const inputs = zeros(n);
  const defaults = program.defaults;
  for (let k = 0; k < n; k++) inputs[k] = defaults[k];
  if (isArrayLike(at)) {
    if (at.length !== n) throw new LagradError('point', `expected ${n} input values (${program.inputNames.join(', ')}), got ${at.length}`);
    for (let k = 0; k < n; k++) inputs[k] = at[k];
  } else if (!readByName(program, at, inputs)) {
    for (let k = 0; k < n; k++) inputs[k] = defaults[k];
    for (const [name, value] of Object.entries(at)) {
      const i = program.names.get(name);
      if (i === undefined || i >= n) throw new LagradError(`input '${name}'`, i === undefined ? 'no input has this name' : 'is not an input, so it cannot be given a value');
      inputs[i] = value;
    }
  }
  for (let k = 0; k < n; k++) {
    const x = inputs[k];
    if (x - x === 0) continue; // finite: the common case, without building a name
    const name = program.label(k);
    if (Number.isNaN(x) && !(isArrayLike(at) || name in at)) throw new LagradError(`input '${name}'`, 'has no value and no default; give one');
    throw new LagradError(`input '${name}'`, `${x} is not a finite number`);
  }
  return inputs;
}

/**
 * The common case of a point by name, without Object.entries' array of pairs: a plain object whose
 * own names are all inputs. Reads each input's name and counts the object's names; false (nothing
 * decided) when some name is not an input's, or the object is not plain, or a value is undefined.
 */
function readByName(program: Program, at: Readonly<Record<string, number>>, inputs: Float64Array): boolean {
  if (Object.getPrototypeOf(at) !== Object.prototype) return false;
  const found = inputNamesOf(program).read(at, inputs);
  let given = 0;
  for (const _ in at) given++;
  return given === found;
}

const labels = (program: Program) => Array.from(program.outputs, (o) => program.label(o)).join(', ');

function isArrayLike(at: Point): at is ArrayLike<number> {
  return typeof (at as ArrayLike<number>).length === 'number';
}

/**
 * The weights w of the objective Σ_o w_o v_o, aligned with program.outputs: by output name, or
 * 1 on the one output named by `output`, or 1 on the program's only output.
 */
export function resolveWeights(program: Program, output?: string, weights?: Readonly<Record<string, number>>): Float64Array {
  const outputs = program.outputs;
  const w = zeros(outputs.length);
  if (weights) {
    for (const [name, value] of Object.entries(weights)) {
      const k = outputs.indexOf(program.indexOf(name));
      if (k < 0) throw new LagradError(`output '${name}'`, `is not an output; outputs are ${labels(program)}`);
      w[k] = value;
    }
    return w;
  }
  if (output !== undefined) {
    const k = outputs.indexOf(program.names.get(output) ?? -1);
    if (k < 0) throw new LagradError(`output '${output}'`, `is not an output; outputs are ${labels(program)}`);
    w[k] = 1;
    return w;
  }
  if (outputs.length !== 1) throw new OptionError('output', `the program has ${outputs.length} outputs (${labels(program)}); choose one`);
  w[0] = 1;
  return w;
}
