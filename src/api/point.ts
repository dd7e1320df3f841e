// Why one file of 380+ lines: Every way a point can be given (object, Map, array, blocks) and its one-line errors: one contract.
import { LagradError, OptionError } from '../error.ts';
import { declaresInputOrder } from '../frontend/parse.ts';
import type { Program } from '../program/program.ts';
import { weightCount } from '../lagrangian/lagrangian.ts';
import { formatShape } from '../program/shape.ts';
import { fillBlock, type BlockValue } from './blocks.ts';
import { inputsByName } from './inputNames.ts';
import { zeros } from '../schedule/schedule.ts';

/**
 * A point: input values by name — an object or a Map — or, where the program declares its input
 * order (a `.lag` file, `trace`, the builder, `parse(text, { inputs })`), an array in that order.
 * Inputs left out take their defaults. A vector or matrix input takes number[], number[][] (rows),
 * a Float64Array (row-major), an ml-matrix `Matrix`, or a number for every entry; an array in input
 * order then lists every input's entries in turn (program.inputSlots of them).
 */
export type Point =
  Readonly<Record<string, BlockValue>> | ReadonlyMap<string, BlockValue> | readonly number[] | Float64Array;

/** Objective weights: by output name (a block output's weight is a block of its shape, or a number for every entry), or in output order. */
export type Weights =
  Readonly<Record<string, BlockValue>> | ReadonlyMap<string, BlockValue> | readonly number[] | Float64Array;

/** Numbers by name, in a map without a prototype: `__proto__` or `constructor` are names like any other. */
export type ByName = Record<string, number>;

/** values[k] under names[k], in a record without a prototype. */
export function byName(names: readonly string[], values: ArrayLike<number>): ByName {
  const record: ByName = Object.create(null);
  for (let k = 0; k < names.length; k++) record[names[k]] = values[k];
  return record;
}

/**
 * The inputs as a Float64Array in input order. A value that is not a number (null, true, '2'), a
 * name that is no input, a missing value without a default, a non-finite value, or an array for a
 * program whose input order is not declared is an error naming the input.
 */
export function resolvePoint(program: Program, at?: Point): Float64Array {
  if (program.layout !== null) return resolveBlockPoint(program, at);
  const inputs = zeros(program.inputCount);
  resolveScalarPoint(program, at, inputs);
  return inputs;
}

/**
 * resolvePoint of a program of scalars into inputs[0 … inputCount) of an array of the caller's (the
 * values of a solve, whose head the inputs are), with the same errors.
 */
export function resolveScalarPoint(program: Program, at: Point | undefined, inputs: Float64Array): void {
  const n = program.inputCount;
  const defaults = program.defaults;
  for (let k = 0; k < n; k++) inputs[k] = defaults[k];
  if (at !== undefined) {
    if (isPositional(at)) {
      if (!declaresInputOrder(program)) throw unordered(program, 'point');
      if (at.length !== n)
        throw new LagradError(
          'point',
          `expected ${n} input values (${program.inputNames.join(', ')}), got ${at.length}`,
        );
      for (let k = 0; k < n; k++) {
        const value: unknown = at[k];
        if (typeof value !== 'number') throw notNumber(value, `input '${program.label(k)}'`);
        inputs[k] = value;
      }
    } else if (at instanceof Map) {
      for (const [name, value] of at as ReadonlyMap<unknown, unknown>) setInput(program, inputs, name, value);
    } else if (typeof at === 'object' && at !== null) {
      if (!readByName(program, at, inputs)) {
        for (let k = 0; k < n; k++) inputs[k] = defaults[k];
        // for…in with own names only: the names of Object.entries, without its array of pairs per call.
        for (const name in at)
          if (Object.hasOwn(at, name)) setInput(program, inputs, name, (at as Readonly<Record<string, unknown>>)[name]);
      }
    } else {
      throw notNamed(at, 'point');
    }
  }
  for (let k = 0; k < n; k++) {
    const x = inputs[k];
    if (x - x === 0) continue; // finite: the common case, without building a name
    const name = program.label(k);
    if (Number.isNaN(x) && !given(at, name))
      throw new LagradError(`input '${name}'`, 'has no value and no default; give one');
    throw new LagradError(`input '${name}'`, `${x} is not a finite number`);
  }
}

/** resolvePoint for a program with vector and matrix inputs: each input's entries in its slots. */
function resolveBlockPoint(program: Program, at: Point | undefined): Float64Array {
  const layout = program.layout!;
  const n = program.inputCount;
  const inputs = new Float64Array(program.inputSlots);
  const given = new Uint8Array(n);
  if (at !== undefined && isPositional(at)) {
    if (!declaresInputOrder(program)) throw unordered(program, 'point');
    if (at.length !== inputs.length)
      throw new LagradError(
        'point',
        `expected ${inputs.length} entries (${program.inputNames.map((name, k) => `${name} ${formatShape(layout.shape(k))}`).join(', ')}), got ${at.length}`,
      );
    for (let s = 0; s < inputs.length; s++) inputs[s] = number(at[s], () => `entry ${s} of the point`);
    given.fill(1);
  } else if (at !== undefined) {
    for (const [name, value] of entries(at, 'point')) {
      const i = program.names.get(name);
      if (i === undefined || i >= n)
        throw new LagradError(
          `input '${name}'`,
          i === undefined ? 'no input has this name' : 'is not an input, so it cannot be given a value',
        );
      if (layout.rank[i] === 0) inputs[layout.offset[i]] = number(value, () => `input '${name}'`);
      else fillBlock(inputs, layout.offset[i], layout.shape(i), value as BlockValue, `input '${name}'`);
      given[i] = 1;
    }
  }
  for (let i = 0; i < n; i++) {
    const name = program.label(i);
    if (given[i] === 0) {
      const fill = program.defaults[i];
      if (Number.isNaN(fill))
        throw new LagradError(
          `input '${name}'`,
          `has no value and no default; give one${layout.rank[i] === 0 ? '' : ` (a ${formatShape(layout.shape(i))} block)`}`,
        );
      inputs.fill(fill, layout.offset[i], layout.offset[i + 1]);
    }
    for (let s = layout.offset[i]; s < layout.offset[i + 1]; s++) {
      const x = inputs[s];
      if (x - x !== 0)
        throw new LagradError(
          `input '${name}'`,
          `${layout.rank[i] === 0 ? '' : `entry ${entryText(layout.shape(i), s - layout.offset[i])} `}${x} is not a finite number`,
        );
    }
  }
  return inputs;
}

/** `[2, 1]` for entry e of a block of this shape. */
function entryText(shape: readonly number[], e: number): string {
  return shape.length === 1 ? `[${e}]` : `[${Math.floor(e / shape[1])}, ${e % shape[1]}]`;
}

/**
 * The common case of a point by name, in one pass over the input names (prepared per program):
 * a plain object whose own names are inputs and whose values are numbers. False — nothing decided,
 * the general path then reads it and names any fault — when the object has another prototype, a
 * name that is not an input's, or a value that is not a number.
 */
function readByName(program: Program, at: object, inputs: Float64Array): boolean {
  if (Object.getPrototypeOf(at) !== Object.prototype) return false;
  const found = inputsByName(program).read(at, inputs);
  if (found < 0) return false;
  let names = 0;
  for (const _ in at) names++;
  return names === found;
}

/** inputs[i] = value for the input called `name`; a name that is no input, or a value that is not a number, is an error. */
function setInput(program: Program, inputs: Float64Array, name: unknown, value: unknown): void {
  if (typeof name !== 'string') throw new LagradError('point', `${show(name)} is not a name`);
  const i = program.names.get(name);
  if (i === undefined || i >= program.inputCount)
    throw new LagradError(
      `input '${name}'`,
      i === undefined ? 'no input has this name' : 'is not an input, so it cannot be given a value',
    );
  if (typeof value !== 'number') throw notNumber(value, `input '${name}'`);
  inputs[i] = value;
}

/**
 * A direction over the inputs (a tangent), in input order: by name — inputs left out have tangent
 * 0 — or, where the input order is declared, an array of one entry per input.
 */
export function resolveTangent(program: Program, tangent: Point): Float64Array {
  const n = program.inputCount;
  const t = new Float64Array(n);
  if (isPositional(tangent)) {
    if (!declaresInputOrder(program)) throw unordered(program, 'tangent');
    if (tangent.length !== n)
      throw new LagradError(
        'tangent',
        `expected ${n} entries (${program.inputNames.join(', ')}), got ${tangent.length}`,
      );
    for (let k = 0; k < n; k++) t[k] = number(tangent[k], () => `tangent of input '${program.label(k)}'`);
  } else {
    for (const [name, value] of entries(tangent, 'tangent')) {
      const i = program.names.get(name);
      if (i === undefined || i >= n)
        throw new LagradError(`tangent of '${name}'`, i === undefined ? 'no input has this name' : 'is not an input');
      t[i] = number(value, () => `tangent of input '${name}'`);
    }
  }
  for (let k = 0; k < n; k++)
    if (!Number.isFinite(t[k]))
      throw new LagradError(`tangent of input '${program.label(k)}'`, `${t[k]} is not a finite number`);
  return t;
}

/** True for the arrays a point may list values in by position. */
export function isPositional(at: unknown): at is ArrayLike<number> {
  return Array.isArray(at) || (ArrayBuffer.isView(at) && !(at instanceof DataView));
}

/** The (name, value) pairs of a map or an object (its own enumerable names); anything else is an error. */
export function entries(at: unknown, what: string): Iterable<[string, unknown]> {
  if (at instanceof Map) {
    for (const name of at.keys())
      if (typeof name !== 'string') throw new LagradError(what, `${show(name)} is not a name`);
    return at as Map<string, unknown>;
  }
  if (typeof at !== 'object' || at === null) throw notNamed(at, what);
  return Object.entries(at);
}

function notNamed(at: unknown, what: string): LagradError {
  return new LagradError(what, `${show(at)} is not values by name; write { x: 2, y: -1 } (or a Map)`);
}

/** A value that must be a number: anything else (null, true, '2', undefined) is an error, never coerced. */
export function number(value: unknown, where: () => string): number {
  if (typeof value === 'number') return value;
  throw notNumber(value, where());
}

function notNumber(value: unknown, where: string): LagradError {
  return new LagradError(
    where,
    `${show(value)} is not a number${value === undefined ? ' (leave the name out to take its default)' : ''}`,
  );
}

/** The input names of a program, in input order, computed once per program. */
export function inputNamesOf(program: Program): readonly string[] {
  return inputsByName(program).names;
}

/** The error for an array where the input order is only the order of first appearance. */
export function unordered(program: Program, what: string): LagradError {
  const names = program.inputNames;
  return new LagradError(
    what,
    `an array gives values by position, but this expression's inputs have no declared order (${names.join(', ')} is only the order of first appearance): name them, { ${names.map((name) => `${name}: …`).join(', ')} }, or parse with { inputs: [${names.map((name) => `'${name}'`).join(', ')}] }`,
  );
}

/** A value as an error message shows it. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `the string '${value}'`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}

function given(at: Point | undefined, name: string): boolean {
  if (at === undefined) return false;
  if (isPositional(at)) return true;
  return at instanceof Map ? at.has(name) : Object.hasOwn(at, name);
}

/** The outputs' labels, aligned with program.outputs: names, or `#i` for an unnamed variable. */
export function outputLabels(program: Program): string[] {
  return Array.from(program.outputs, (o) => program.label(o));
}

/**
 * The weights w of the objective Σ_o w_o v_o, aligned with program.outputs: by output name (an
 * object or Map) or in output order (an array: the order of the `output` lines, or of what a traced
 * function returns), or 1 on the one output named by `output`, or 1 on the program's only output.
 */
export function resolveWeights(program: Program, output?: string, weights?: Weights): Float64Array {
  if (program.layout !== null) return resolveBlockWeights(program, output, weights);
  const outputs = program.outputs;
  const w = zeros(outputs.length);
  // Not a closure: this runs on every call of grad, and tsx names every closure it creates.
  const labels = labelsOf;
  if (weights !== undefined) {
    if (isPositional(weights)) {
      if (weights.length !== outputs.length)
        throw new LagradError(
          'weights',
          `expected ${outputs.length} weights (${labels(program)}), got ${weights.length}`,
        );
      for (let k = 0; k < w.length; k++)
        w[k] = finite(
          number(weights[k], () => `weight of output '${program.label(outputs[k])}'`),
          () => `weight of output '${program.label(outputs[k])}'`,
        );
      return w;
    }
    for (const [name, value] of entries(weights, 'weights')) {
      const i = program.names.get(name);
      const k = i === undefined ? -1 : outputs.indexOf(i);
      if (k < 0) throw new LagradError(`output '${name}'`, `is not an output; outputs are ${labels(program)}`);
      w[k] = finite(
        number(value, () => `weight of output '${name}'`),
        () => `weight of output '${name}'`,
      );
    }
    return w;
  }
  if (output !== undefined) {
    const k = outputs.indexOf(program.names.get(output) ?? -1);
    if (k < 0) throw new LagradError(`output '${output}'`, `is not an output; outputs are ${labels(program)}`);
    w[k] = 1;
    return w;
  }
  if (outputs.length !== 1)
    throw new OptionError('output', `the program has ${outputs.length} outputs (${labels(program)}); choose one`);
  w[0] = 1;
  return w;
}

/** The outputs' labels for a message: `f, g`. */
function labelsOf(program: Program): string {
  return outputLabels(program).join(', ');
}

/**
 * resolveWeights with vector and matrix variables: one weight per entry of each output, the
 * outputs' weights one after another (lagrangian.ts). A block output's weight is a block of its
 * shape or a number for every entry; without weights the chosen output must be a scalar.
 */
function resolveBlockWeights(program: Program, output: string | undefined, weights: Weights | undefined): Float64Array {
  const layout = program.layout!;
  const outputs = program.outputs;
  const w = new Float64Array(weightCount(program));
  const labels = () => outputLabels(program).join(', ');
  const start = (k: number) => {
    let at = 0;
    for (let q = 0; q < k; q++) at += layout.sizeOf(outputs[q]);
    return at;
  };
  if (weights !== undefined) {
    if (isPositional(weights)) {
      if (weights.length !== w.length)
        throw new LagradError(
          'weights',
          `expected ${w.length} weights, one per entry of the outputs (${labels()}), got ${weights.length}`,
        );
      for (let e = 0; e < w.length; e++)
        w[e] = finite(
          number(weights[e], () => `weight ${e}`),
          () => `weight ${e}`,
        );
      return w;
    }
    for (const [name, value] of entries(weights, 'weights')) {
      const i = program.names.get(name);
      const k = i === undefined ? -1 : outputs.indexOf(i);
      if (k < 0) throw new LagradError(`output '${name}'`, `is not an output; outputs are ${labels()}`);
      fillBlock(w, start(k), layout.shape(outputs[k]), value as BlockValue, `weight of output '${name}'`);
    }
    for (let e = 0; e < w.length; e++) finite(w[e], () => `weights: entry ${e}`);
    return w;
  }
  let k = 0;
  if (output !== undefined) {
    k = outputs.indexOf(program.names.get(output) ?? -1);
    if (k < 0) throw new LagradError(`output '${output}'`, `is not an output; outputs are ${labels()}`);
  } else if (outputs.length !== 1) {
    throw new OptionError('output', `the program has ${outputs.length} outputs (${labels()}); choose one`);
  }
  const shape = layout.shape(outputs[k]);
  const name = program.label(outputs[k]);
  if (shape.length > 0)
    throw new LagradError(
      `output '${name}'`,
      `is a ${formatShape(shape)} block, but the objective must be a scalar: output a scalar such as sum(${name}), or give weights`,
    );
  w[start(k)] = 1;
  return w;
}

function finite(x: number, where: () => string): number {
  if (Number.isFinite(x)) return x;
  throw new LagradError(where(), `${x} is not a finite number`);
}
