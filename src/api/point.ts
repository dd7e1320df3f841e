import { LagradError, OptionError } from '../error.ts';
import { weightCount } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import { formatShape } from '../program/shape.ts';
import { fillBlock, type BlockValue } from './blocks.ts';

/**
 * A point: input values by name, or in input order. Inputs left out take their defaults. A vector
 * or matrix input takes number[], number[][] (rows), a Float64Array (row-major), an ml-matrix
 * `Matrix`, or a number for every entry; in input order, a point is every input's entries in turn.
 */
export type Point = Readonly<Record<string, BlockValue>> | ArrayLike<number>;

/**
 * The inputs as a Float64Array in input order (for blocks, their entries in turn: program.inputSlots
 * of them); a missing, unknown, misshapen or non-finite value is an error naming it. `origin`
 * (a data file) prefixes the place in messages.
 */
export function resolvePoint(program: Program, at: Point = {}, origin?: string): Float64Array {
  if (program.layout !== null) return resolveBlockPoint(program, at, origin);
  const n = program.inputCount;
  const inputs = program.defaults.slice();
  if (isArrayLike(at)) {
    if (at.length !== n) throw new LagradError('point', `expected ${n} input values (${program.inputNames.join(', ')}), got ${at.length}`);
    for (let k = 0; k < n; k++) inputs[k] = at[k];
  } else {
    for (const [name, value] of Object.entries(at)) {
      const i = program.names.get(name);
      if (i === undefined || i >= n) throw new LagradError(place(origin, `input '${name}'`), i === undefined ? 'no input has this name' : 'is not an input, so it cannot be given a value');
      if (typeof value !== 'number') throw new LagradError(place(origin, `input '${name}'`), `is a scalar; got ${describe(value)}`);
      inputs[i] = value;
    }
  }
  for (let k = 0; k < n; k++) {
    const x = inputs[k];
    if (x - x === 0) continue; // finite: the common case, without building a name
    const name = program.label(k);
    if (Number.isNaN(x) && !(isArrayLike(at) || name in at)) throw new LagradError(`input '${name}'`, 'has no value and no default; give one');
    throw new LagradError(place(origin, `input '${name}'`), `${x} is not a finite number`);
  }
  return inputs;
}

/** resolvePoint for a program with vector and matrix inputs: each input's entries in its slots. */
function resolveBlockPoint(program: Program, at: Point, origin: string | undefined): Float64Array {
  const layout = program.layout!;
  const n = program.inputCount;
  const inputs = new Float64Array(program.inputSlots);
  if (isArrayLike(at)) {
    if (at.length !== inputs.length) throw new LagradError(place(origin, 'point'), `expected ${inputs.length} entries (${program.inputNames.map((name, k) => `${name} ${formatShape(layout.shape(k))}`).join(', ')}), got ${at.length}`);
    for (let s = 0; s < inputs.length; s++) inputs[s] = at[s];
  }
  const given = new Uint8Array(n).fill(isArrayLike(at) ? 1 : 0);
  if (!isArrayLike(at)) {
    for (const [name, value] of Object.entries(at)) {
      const i = program.names.get(name);
      if (i === undefined || i >= n) throw new LagradError(place(origin, `input '${name}'`), i === undefined ? 'no input has this name' : 'is not an input, so it cannot be given a value');
      fillBlock(inputs, layout.offset[i], layout.shape(i), value, place(origin, `input '${name}'`));
      given[i] = 1;
    }
  }
  for (let i = 0; i < n; i++) {
    const name = program.label(i);
    if (given[i] === 0) {
      const fill = program.defaults[i];
      if (Number.isNaN(fill)) throw new LagradError(`input '${name}'`, `has no value and no default; give one${layout.rank[i] === 0 ? '' : ` (a ${formatShape(layout.shape(i))} block)`}`);
      inputs.fill(fill, layout.offset[i], layout.offset[i + 1]);
    }
    for (let s = layout.offset[i]; s < layout.offset[i + 1]; s++) {
      const x = inputs[s];
      if (x - x !== 0) throw new LagradError(place(origin, `input '${name}'`), `${layout.rank[i] === 0 ? '' : `entry ${entryText(layout.shape(i), s - layout.offset[i])} `}${x} is not a finite number`);
    }
  }
  return inputs;
}

/** `[2, 1]` for entry e of a block of this shape. */
function entryText(shape: readonly number[], e: number): string {
  return shape.length === 1 ? `[${e}]` : `[${Math.floor(e / shape[1])}, ${e % shape[1]}]`;
}

const place = (origin: string | undefined, what: string) => (origin ? `${origin}: ${what}` : what);

function describe(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value instanceof Float64Array) return `a Float64Array of ${value.length}`;
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}

const labels = (program: Program) => Array.from(program.outputs, (o) => program.label(o)).join(', ');

function isArrayLike(at: Point): at is ArrayLike<number> {
  return typeof (at as ArrayLike<number>).length === 'number';
}

/**
 * The weights w of the objective Σ_o w_o v_o, aligned with program.outputs: by output name, or
 * 1 on the one output named by `output`, or 1 on the program's only output.
 */
export function resolveWeights(program: Program, output?: string, weights?: Readonly<Record<string, BlockValue>>): Float64Array {
  const outputs = program.outputs;
  const w = new Float64Array(weightCount(program));
  // Where output k's weights start: k itself when all are scalars.
  const start = (k: number) => {
    let at = 0;
    for (let q = 0; q < k; q++) at += program.layout ? program.layout.sizeOf(outputs[q]) : 1;
    return at;
  };
  if (weights) {
    for (const [name, value] of Object.entries(weights)) {
      const k = outputs.indexOf(program.indexOf(name));
      if (k < 0) throw new LagradError(`output '${name}'`, `is not an output; outputs are ${labels(program)}`);
      fillBlock(w, start(k), program.shape(outputs[k]), value, `weight of output '${name}'`);
    }
    return w;
  }
  let k = 0;
  if (output !== undefined) {
    k = outputs.indexOf(program.names.get(output) ?? -1);
    if (k < 0) throw new LagradError(`output '${output}'`, `is not an output; outputs are ${labels(program)}`);
  } else if (outputs.length !== 1) {
    throw new OptionError('output', `the program has ${outputs.length} outputs (${labels(program)}); choose one`);
  }
  const shape = program.shape(outputs[k]);
  if (shape.length > 0) {
    throw new LagradError(`output '${program.label(outputs[k])}'`, `is a ${formatShape(shape)} block, but the objective must be a scalar: output a scalar such as sum(${program.label(outputs[k])}), or give weights`);
  }
  w[start(k)] = 1;
  return w;
}
