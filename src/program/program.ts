// Why one file of 430+ lines: The Program class and the checks of its parts (Program.from): one representation, built and checked in one place.
import { LagradError } from '../error.ts';
import { primitives } from '../primitives/registry.ts';
import { INPUT } from '../primitives/primitive.ts';
import { partsFromJSON, toJSON, type ProgramJSON } from './json.ts';
import { NameTable } from './names.ts';
import type { ProgramParts, SourceMap } from './parts.ts';
import { givenOrder, orderVariables } from './order.ts';
import { declaredShapes, inferLayout, type Layout } from './layout.ts';
import { formatShape, SCALAR, type Shape } from './shape.ts';

/** A readable view of one constraint v_i = p_i(v_Pa(i); θ), for people and tests. */
export interface Constraint {
  readonly index: number;
  readonly name: string | undefined;
  readonly op: string;
  readonly parents: readonly number[];
  readonly constant: number | undefined;
  /** The variable's shape: [] for a scalar, [n] or [r, c] for a block. */
  readonly shape: Shape;
}

/**
 * A computation as variables v_0 … v_{N−1} bound by equality constraints v_i = p_i(v_Pa(i); θ_i):
 * the one representation every schedule reads. Immutable, a struct of typed arrays, stored in
 * evaluation order — inputs are 0 … inputCount − 1 and every constraint follows its parents, except
 * inside a cyclic component, whose members stand contiguously (see `cycles`).
 */
export class Program {
  /** How many variables N. */
  readonly size: number;
  /** Inputs are variables 0 … inputCount − 1. */
  readonly inputCount: number;
  readonly ops: Int32Array;
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly constants: Float64Array;
  /** The variables the objective Σ_o w_o v_o reads. */
  readonly outputs: Int32Array;
  readonly names: ReadonlyMap<string, number>;
  /** Default value of each input (NaN: none). */
  readonly defaults: Float64Array;
  /** Starting value of each variable for the fixed-point solve of cyclic components (a block: every entry). */
  readonly initial: Float64Array | null;
  /** The starting entries of the block variables given a block init, row-major (null: none). */
  readonly initialBlocks: ReadonlyMap<number, Float64Array> | null;
  /** Flattened [start, end) ranges of the cyclic components, in evaluation order. Empty when acyclic. */
  readonly cycles: Int32Array;
  readonly source: SourceMap | undefined;
  /**
   * Where each variable's entries live in the slabs, when some variable is a vector or a matrix
   * (DESIGN §9); null when all are scalars, so variable i is slot i and the scalar sweeps run.
   */
  readonly layout: Layout | null;
  private labels: Map<number, string> | null = null;
  private ranges: readonly (readonly [start: number, end: number])[] | null = null;

  private constructor(parts: ProgramParts, cycles: Int32Array) {
    this.size = parts.ops.length;
    this.ops = parts.ops;
    this.parentStart = parts.parentStart;
    this.parents = parts.parents;
    this.constants = parts.constants;
    this.outputs = Int32Array.from(parts.outputs);
    this.names = parts.names;
    this.cycles = cycles;
    this.source = parts.source;
    let inputs = 0;
    while (inputs < this.size && this.ops[inputs] === INPUT) inputs++;
    this.inputCount = inputs;
    this.defaults = new Float64Array(inputs).fill(NaN);
    for (const [i, value] of parts.defaults ?? []) this.defaults[i] = value;
    let blocks: Map<number, Float64Array> | null = null;
    if (parts.initial && parts.initial.size > 0) {
      this.initial = new Float64Array(this.size);
      for (const [i, value] of parts.initial) {
        if (typeof value === 'number') this.initial[i] = value;
        else (blocks ??= new Map()).set(i, value);
      }
    } else {
      this.initial = null;
    }
    this.layout = inferLayout(this, parts.shapes);
    if (blocks !== null) this.checkInitialBlocks(blocks);
    // Without blocks a one-entry block init is a number.
    if (blocks !== null && this.layout === null) for (const [i, entries] of blocks) this.initial![i] = entries[0];
    this.initialBlocks = this.layout === null ? null : blocks;
  }

  /** A block init must hold as many entries as its variable. */
  private checkInitialBlocks(blocks: ReadonlyMap<number, Float64Array>): void {
    for (const [i, entries] of blocks) {
      const size = this.layout === null ? 1 : this.layout.sizeOf(i);
      if (entries.length !== size)
        throw new LagradError(
          this.where(i),
          `init '${this.label(i)}': ${entries.length} entries for a ${formatShape(this.shape(i))} variable`,
        );
      for (let e = 0; e < size; e++)
        if (!Number.isFinite(entries[e]))
          throw new LagradError(
            this.where(i),
            `init '${this.label(i)}': entry ${e} is ${entries[e]}, not a finite number`,
          );
    }
  }

  /**
   * Writes the starting values of variables [start, end) (a cyclic component's members: their
   * `init`, default 0; a block init entry by entry, a number in every entry) into their slots.
   */
  startValues(values: Float64Array, start: number, end: number): void {
    const { initial, layout, initialBlocks } = this;
    if (layout === null) {
      for (let i = start; i < end; i++) values[i] = initial === null ? 0 : initial[i];
      return;
    }
    for (let i = start; i < end; i++) {
      const from = layout.offset[i];
      const block = initialBlocks?.get(i);
      if (block !== undefined) values.set(block, from);
      else values.fill(initial === null ? 0 : initial[i], from, layout.offset[i + 1]);
    }
  }

  /**
   * Validates the parts, orders them for evaluation and finds the cyclic components. O(N + E).
   * `keepOrder`: parts already in an evaluation order (a program's own JSON form) stay in it, so
   * a saved program reads back with the same indices and the same sweep order in its components.
   */
  static from(parts: ProgramParts, options: { readonly keepOrder?: boolean } = {}): Program {
    validate(parts);
    const { ops, parentStart, parents } = parts;
    // Within a cyclic component, init'd variables and then named ones are the iteration's state.
    let named: Set<number> | undefined;
    const state = (i: number) => (parts.initial?.has(i) ? 2 : (named ??= new Set(parts.names.values())).has(i) ? 1 : 0);
    const isInput = (i: number) => ops[i] === INPUT;
    const ordering = orderVariables(ops.length, isInput, parentStart, parents, state);
    const kept = options.keepOrder ? givenOrder(ops.length, isInput, parentStart, parents, ordering) : null;
    if (kept !== null) return new Program(parts, kept);
    return new Program(ordering.order ? permute(parts, ordering.order) : parts, ordering.cycles);
  }

  /**
   * The same program with other starting values for some variables of its cyclic components
   * (variable → a number for every entry, or a block's entries row-major); the rest keep theirs.
   */
  withInitial(starts: ReadonlyMap<number, number | Float64Array>): Program {
    const initial = new Map<number, number | Float64Array>();
    this.initial?.forEach((value, i) => {
      if (value !== 0) initial.set(i, value);
    });
    for (const [i, entries] of this.initialBlocks ?? []) initial.set(i, entries);
    for (const [i, value] of starts) initial.set(i, value);
    const defaults = new Map<number, number>();
    this.defaults.forEach((value, i) => {
      if (!Number.isNaN(value)) defaults.set(i, value);
    });
    const { ops, parentStart, parents, constants, outputs, names, source } = this;
    return Program.from({
      ops,
      parentStart,
      parents,
      constants,
      outputs,
      names,
      defaults,
      initial,
      shapes: declaredShapes(this),
      source,
    });
  }

  /** True when some variable depends on itself through its constraints. */
  get cyclic(): boolean {
    return this.cycles.length > 0;
  }

  /** Entries of all variables: the length of the value and multiplier slabs (N when all are scalars). */
  get slots(): number {
    return this.layout === null ? this.size : this.layout.slots;
  }

  /** Entries of the inputs: the length of a point and of the gradient (inputCount when all are scalars). */
  get inputSlots(): number {
    return this.layout === null ? this.inputCount : this.layout.offset[this.inputCount];
  }

  /** The shape of variable i: [] for a scalar. */
  shape(i: number): Shape {
    return this.layout === null ? SCALAR : this.layout.shape(i);
  }

  /** Number of constraints (non-input variables). */
  get constraintCount(): number {
    return this.size - this.inputCount;
  }

  /** Input names in order: the gradient's coordinates. */
  get inputNames(): string[] {
    return Array.from({ length: this.inputCount }, (_, i) => this.label(i));
  }

  /** Variable i for people: its name, or `#i` when it has none. */
  label(i: number): string {
    return this.nameOf(i) ?? `#${i}`;
  }

  /**
   * The cyclic components as [start, end) ranges in evaluation order (empty when acyclic): the
   * pairs of `cycles`, built once, so `for (const [start, end] of program.components())` allocates
   * nothing per call.
   */
  components(): readonly (readonly [start: number, end: number])[] {
    if (this.ranges === null) {
      const ranges: (readonly [number, number])[] = [];
      for (let k = 0; k < this.cycles.length; k += 2) ranges.push([this.cycles[k], this.cycles[k + 1]]);
      this.ranges = ranges;
    }
    return this.ranges;
  }

  /** The name of variable i, if it has one. */
  nameOf(i: number): string | undefined {
    if (this.labels === null) {
      this.labels = new Map();
      for (const [name, index] of this.names) this.labels.set(index, name);
    }
    return this.labels.get(i);
  }

  /** The index of a named variable; an unknown name is an error naming it. */
  indexOf(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw new LagradError(`variable '${name}'`, 'no variable has this name');
    return i;
  }

  /** The readable record of constraint i (or of input i, with op 'input'). */
  constraint(i: number): Constraint {
    const p = primitives.get(this.ops[i]);
    const parents = Array.from(this.parents.subarray(this.parentStart[i], this.parentStart[i + 1]));
    return {
      index: i,
      name: this.nameOf(i),
      op: p.name,
      parents,
      constant: p.constant ? this.constants[i] : undefined,
      shape: this.shape(i),
    };
  }

  /** Where variable i is, for messages: `prog.lag:3:7` when parsed, else its name or `#i`. */
  where(i: number): string {
    const name = this.nameOf(i);
    const s = this.source;
    if (s && s.line[i] > 0) return `${s.file ?? 'line'}${s.file ? ':' : ' '}${s.line[i]}:${s.column[i]}`;
    return name !== undefined ? `variable '${name}'` : `variable #${i} (${primitives.get(this.ops[i]).name})`;
  }

  /** The most parents any constraint in [start, end) has, at least 1: the length of a row of partials. */
  maxParents(start = 0, end = this.size): number {
    let most = 1;
    const ps = this.parentStart;
    for (let i = start; i < end; i++) if (ps[i + 1] - ps[i] > most) most = ps[i + 1] - ps[i];
    return most;
  }

  /** The most members of any cyclic component (0 when acyclic). */
  get largestCycle(): number {
    let most = 0;
    for (const [start, end] of this.components()) most = Math.max(most, end - start);
    return most;
  }

  /** The most slots (entries) of any cyclic component: its members' entries together (0 when acyclic). */
  get largestCycleSlots(): number {
    let most = 0;
    for (const [start, end] of this.components()) most = Math.max(most, this.slotOf(end) - this.slotOf(start));
    return most;
  }

  /**
   * The first slot of variable i in the value and multiplier slabs (i itself when all are scalars);
   * slotOf(N) is the slab's length, so variables [start, end) hold slots [slotOf(start), slotOf(end)).
   */
  slotOf(i: number): number {
    return this.layout === null ? i : this.layout.offset[i];
  }

  /** The cyclic component containing i as [start, end), or null. */
  cycleOf(i: number): [number, number] | null {
    for (const [start, end] of this.components()) if (start <= i && i < end) return [start, end];
    return null;
  }

  /** The JSON form, so `JSON.stringify(program)` saves it; `fromJSON` reads it back. */
  toJSON(): ProgramJSON {
    return toJSON(this);
  }

  /** Bytes held by the representation's arrays (not counting names). */
  get bytes(): number {
    return (
      this.ops.byteLength +
      this.parentStart.byteLength +
      this.parents.byteLength +
      this.constants.byteLength +
      this.outputs.byteLength +
      (this.layout?.bytes ?? 0)
    );
  }
}

function validate(parts: ProgramParts): void {
  const { ops, parentStart, parents, constants } = parts;
  const n = ops.length;
  if (parentStart.length !== n + 1 || constants.length !== n)
    throw new LagradError(
      'program',
      `array lengths disagree: ${n} ops, ${parentStart.length} offsets, ${constants.length} constants`,
    );
  if (parentStart[0] !== 0 || parentStart[n] !== parents.length)
    throw new LagradError('program', 'parent offsets do not span the parent list');
  const table = primitives.all();
  const source = parts.source;
  if (source && (source.line.length !== n || source.column.length !== n))
    throw new LagradError(
      'program',
      `the source map has ${source.line.length} lines and ${source.column.length} columns for ${n} variables`,
    );
  const place = (i: number, name: string) =>
    source && source.line[i] > 0
      ? `${source.file ?? 'line'}${source.file ? ':' : ' '}${source.line[i]}:${source.column[i]}`
      : `variable #${i} (${name})`;
  for (let i = 0; i < n; i++) {
    const p = table[ops[i]];
    if (p === undefined) throw new LagradError(`variable #${i}`, `unknown op code ${ops[i]}`);
    if (p.constant && !Number.isFinite(constants[i]))
      throw new LagradError(place(i, p.name), `${p.name}: the constant θ = ${constants[i]} is not a finite number`);
    const count = parentStart[i + 1] - parentStart[i];
    if (p.arity === 'variadic' ? count < 1 : count !== p.arity)
      throw new LagradError(
        `variable #${i} (${p.name})`,
        `takes ${p.arity === 'variadic' ? 'at least 1' : p.arity} parents, has ${count}`,
      );
  }
  for (let e = 0; e < parents.length; e++) {
    if (!(parents[e] >= 0 && parents[e] < n))
      throw new LagradError('program', `parent index ${parents[e]} is not a variable`);
  }
  const isVariable = (i: number) => Number.isInteger(i) && i >= 0 && i < n;
  for (let k = 0; k < parts.outputs.length; k++) {
    const o = parts.outputs[k];
    if (!isVariable(o)) throw new LagradError('program', `output index ${o} is not a variable`);
  }
  for (const [name, i] of parts.names)
    if (!isVariable(i)) throw new LagradError('program', `name '${name}' points at ${i}, which is not a variable`);
  for (const [i, x] of parts.defaults ?? []) {
    if (!isVariable(i) || ops[i] !== INPUT)
      throw new LagradError('program', `a default for ${i}, which is not an input`);
    if (!Number.isFinite(x)) throw new LagradError(`variable #${i}`, `default ${x} is not a finite number`);
  }
  for (const [i, x] of parts.initial ?? []) {
    if (!isVariable(i)) throw new LagradError('program', `an initial value for ${i}, which is not a variable`);
    if (typeof x === 'number') {
      if (!Number.isFinite(x)) throw new LagradError(`variable #${i}`, `initial value ${x} is not a finite number`);
    } else {
      for (let k = 0; k < x.length; k++)
        if (!Number.isFinite(x[k]))
          throw new LagradError(`variable #${i}`, `initial value [${k}] = ${x[k]} is not a finite number`);
    }
  }
}

/** The same parts renumbered so that the variable order[k] becomes k. */
function permute(parts: ProgramParts, order: Int32Array): ProgramParts {
  const n = order.length;
  const rank = new Int32Array(n);
  for (let k = 0; k < n; k++) rank[order[k]] = k;
  const ops = new Int32Array(n);
  const constants = new Float64Array(n);
  const parentStart = new Int32Array(n + 1);
  const parents = new Int32Array(parts.parents.length);
  let e = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    ops[k] = parts.ops[i];
    constants[k] = parts.constants[i];
    for (let q = parts.parentStart[i]; q < parts.parentStart[i + 1]; q++) parents[e++] = rank[parts.parents[q]];
    parentStart[k + 1] = e;
  }
  // names map to variables; defaults and initial values are keyed by them.
  const remap = <K>(m: ReadonlyMap<K, number>) => {
    const renumbered = new Map<K, number>();
    for (const [key, i] of m) renumbered.set(key, rank[i]);
    return renumbered;
  };
  const remapKeys = <V>(m: ReadonlyMap<number, V> | undefined) => {
    if (m === undefined) return undefined;
    const renumbered = new Map<number, V>();
    for (const [i, x] of m) renumbered.set(rank[i], x);
    return renumbered;
  };
  const source = parts.source && { file: parts.source.file, line: new Int32Array(n), column: new Int32Array(n) };
  if (source) {
    const { line, column } = parts.source!;
    for (let k = 0; k < n; k++) {
      source.line[k] = line[order[k]];
      source.column[k] = column[order[k]];
    }
  }
  return {
    ops,
    parentStart,
    parents,
    constants,
    outputs: Int32Array.from(parts.outputs, (o) => rank[o]),
    // A parser's name table is renumbered in place of a copy into a Map (10⁶ strings made and hashed).
    names: parts.names instanceof NameTable ? parts.names.copy((i) => rank[i]) : remap(parts.names),
    defaults: remapKeys(parts.defaults),
    initial: remapKeys(parts.initial),
    shapes: parts.shapes && new Map([...parts.shapes].map(([i, shape]) => [rank[i], shape])),
    source,
  };
}

/** A program from its JSON form (an object or its text); malformed input is an error naming the field. */
export function fromJSON(json: ProgramJSON | string): Program {
  return Program.from(partsFromJSON(json), { keepOrder: true });
}
