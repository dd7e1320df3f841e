// Why one file of 450+ lines: One class, ProgramBuilder, whose methods share its growing typed arrays and its name table.
import { LagradError } from '../error.ts';
import { primitives } from '../primitives/registry.ts';
import { INPUT } from '../primitives/primitive.ts';
import { hashName, NameTable } from './names.ts';
import { Program } from './program.ts';
import { checkShape, formatShape, SCALAR, sizeOf, symbolOf, type Shape } from './shape.ts';

/**
 * Records constraints one at a time into growable typed arrays and builds an immutable `Program`.
 * The low-level front-end: variables are plain indices, so recording 10⁷ constraints allocates no
 * object per variable. `trace` (frontend/trace.ts) wraps it in expressions that read like math.
 *
 * A parent may be a placeholder `placeholder(k)` for a variable defined later (the `.lag` parser
 * uses them for names used before their definition); `resolve` patches them before `build`.
 */
export class ProgramBuilder {
  private ops: Int32Array;
  private constants: Float64Array;
  private parentStart: Int32Array;
  private parents: Int32Array;
  private line: Int32Array | null = null;
  private column: Int32Array | null = null;
  private edges = 0;
  /** Placeholders −1 … −forward may stand as parents until `resolve` (one past the largest k issued). */
  private forward = 0;
  /** Number of variables recorded so far. */
  size = 0;
  /** Names of variables; parsers intern into it straight from their text (`nameTable`). */
  private names = new NameTable();
  /** Set when `build` handed the arrays and names to a Program; the next change copies them first. */
  private shared = false;
  private readonly outputs: number[] = [];
  private readonly defaults = new Map<number, number>();
  private readonly initial = new Map<number, number | Float64Array>();
  /** Declared shapes: the block inputs', and those given with a constraint's init. */
  private readonly declared = new Map<number, Shape>();
  /**
   * The shape of every variable recorded, once some variable is a block (null before: all are
   * scalars, and recording stays free of shape work); undefined where a placeholder parent leaves
   * it unknown until `build`.
   */
  private shapes: (Shape | undefined)[] | null = null;
  /**
   * Check shapes as constraints are recorded (default), so a mismatch is an error at the call that
   * made it. The `.lag` parser turns this off: `build` checks every shape and names the source place.
   */
  checkShapes = true;

  /**
   * `capacity` presizes the arrays for that many variables. Generous is cheap: pages of a fresh
   * typed array cost memory only once written.
   */
  constructor(
    private readonly file?: string,
    capacity = 64,
  ) {
    // A zero-length array would never grow (2 · 0 = 0) and silently drop every write.
    if (!(Number.isInteger(capacity) && capacity >= 1 && capacity < 2 ** 31))
      throw new LagradError('ProgramBuilder', `capacity ${capacity} is not a positive integer`);
    this.ops = new Int32Array(capacity);
    this.constants = new Float64Array(capacity);
    this.parentStart = new Int32Array(capacity + 1);
    this.parents = new Int32Array(2 * capacity);
  }

  /**
   * A new input, named, optionally with a shape and a default value (for a block, every entry):
   * `input('x')`, `input('x', 2)`, `input('W', [4, 3])`, `input('b', [3], 0)`.
   */
  input(name: string, shapeOrDefault?: Shape | number, defaultValue?: number): number {
    const shape = typeof shapeOrDefault === 'object' ? checkedShape(`input '${name}'`, shapeOrDefault) : SCALAR;
    const value = typeof shapeOrDefault === 'number' ? shapeOrDefault : defaultValue;
    if (value !== undefined && !Number.isFinite(value))
      throw new LagradError(`input '${name}'`, `the default ${value} is not a finite number`);
    const i = this.push(INPUT, 0);
    this.name(i, name);
    if (value !== undefined) this.defaults.set(i, value);
    if (shape.length > 0) {
      this.declared.set(i, shape);
      this.startShapes();
    }
    if (this.shapes !== null) this.shapes[i] = shape;
    return i;
  }

  /** The shape of variable i as recorded so far: [] for a scalar; undefined while it depends on a forward reference. */
  shapeOf(i: number): Shape | undefined {
    if (i < 0) return undefined;
    return this.shapes === null ? SCALAR : this.shapes[i];
  }

  /** A constant θ, as the constraint v = θ; with a shape, a block of that shape with θ in every entry. */
  constant(value: number, shape: Shape = SCALAR): number {
    finiteConstant('const', value);
    const i = this.push(primitives.code('const'), value);
    if (shape.length > 0) {
      this.declared.set(i, checkedShape('constant', shape));
      this.startShapes();
    }
    if (this.shapes !== null) this.shapes[i] = shape;
    return i;
  }

  /** The constraint v = p(a, b; θ) for a primitive of arity 1 or 2 (name or op code). */
  apply(op: string | number, a: number, b?: number, constant = 0): number {
    const code = typeof op === 'number' ? op : primitives.code(op);
    const p = primitives.get(code);
    const given = b === undefined ? 1 : 2;
    if (p.arity !== given)
      throw new LagradError(
        `primitive '${p.name}'`,
        `takes ${p.arity === 'variadic' ? 'a list of' : p.arity} arguments, got ${given}`,
      );
    finiteConstant(p.name, constant);
    // Both parents checked before either is written: a refused call leaves the builder as it was.
    const pa = this.parent(a);
    const pb = b === undefined ? 0 : this.parent(b);
    this.reserveEdges(given);
    const first = this.edges;
    this.parents[this.edges++] = pa;
    if (b !== undefined) this.parents[this.edges++] = pb;
    if (this.shapes !== null || p.value === undefined) this.inferShape(code, first, constant);
    return this.push(code, constant);
  }

  /** The constraint v = p(a₁, …, aₙ; θ) for a variadic primitive such as `sum`. */
  applyMany(op: string | number, parents: ArrayLike<number>, constant = 0): number {
    const code = typeof op === 'number' ? op : primitives.code(op);
    const p = primitives.get(code);
    if (p.arity !== 'variadic' && p.arity !== parents.length)
      throw new LagradError(`primitive '${p.name}'`, `takes ${p.arity} arguments, got ${parents.length}`);
    if (parents.length === 0) throw new LagradError(`primitive '${p.name}'`, 'needs at least one argument');
    finiteConstant(p.name, constant);
    for (let k = 0; k < parents.length; k++) this.parent(parents[k]);
    this.reserveEdges(parents.length);
    const first = this.edges;
    for (let k = 0; k < parents.length; k++) this.parents[this.edges++] = parents[k];
    if (this.shapes !== null || p.value === undefined) this.inferShape(code, first, constant);
    return this.push(code, constant);
  }

  /** Starts tracking shapes: every variable so far is a scalar. */
  private startShapes(): void {
    if (this.shapes === null) this.shapes = new Array<Shape | undefined>(this.size).fill(SCALAR);
  }

  /**
   * The shape of the constraint about to be pushed, whose parents are parents[first … edges), by
   * its primitive's shape rule; a mismatch is an error (unless `checkShapes` is off, for `build`).
   */
  private inferShape(code: number, first: number, constant: number): void {
    this.startShapes();
    const shapes = this.shapes!;
    const args: Shape[] = [];
    let known = true;
    for (let e = first; e < this.edges; e++) {
      const s = this.shapeOf(this.parents[e]);
      if (s === undefined) known = false;
      else args.push(s);
    }
    let shape: Shape | string | undefined;
    if (known) shape = primitives.blockRules(code).shape(args, constant);
    if (typeof shape === 'string') {
      if (this.checkShapes) {
        this.edges = first;
        throw new LagradError(this.file ?? 'builder', `'${symbolOf(primitives.get(code).name)}': ${shape}`);
      }
      shape = undefined;
    }
    shapes[this.size] = shape;
  }

  /** Gives variable i a name; each name belongs to one variable. */
  name(i: number, name: string): this {
    if (typeof name !== 'string') throw new LagradError(`variable #${i}`, `a name is a string, not ${typeof name}`);
    if (!this.isVariable(i)) throw notRecorded(`variable '${name}'`, i);
    const other = this.names.get(name);
    if (other !== undefined && other !== i) throw new LagradError(`variable '${name}'`, 'is defined twice');
    this.own();
    this.names.set(name, i);
    return this;
  }

  /**
   * Names variable i unless the name is taken: returns the variable that already has it, or −1
   * when i now has it. One table look-up, for parsers that report the clash themselves.
   */
  claim(i: number, name: string): number {
    if (typeof name !== 'string') throw new LagradError(`variable #${i}`, `a name is a string, not ${typeof name}`);
    if (!this.isVariable(i)) throw notRecorded(`variable '${name}'`, i);
    this.own();
    return this.claimEntry(i, this.names.intern(name, 0, name.length, hashName(name)));
  }

  /**
   * The name table, for front-ends that look names up straight in their source text
   * (`intern(text, start, end, hash)`) and bind them with `claimEntry`. Its entry numbers are
   * stable, so a parser may use entry k as its placeholder k for a name not yet defined.
   */
  nameTable(): NameTable {
    this.own();
    return this.names;
  }

  /** `claim` by a name-table entry: names variable i unless the entry is bound; returns its variable, or −1 when i now has it. */
  claimEntry(i: number, entry: number): number {
    if (!this.isVariable(i)) throw notRecorded(`variable '${this.names.nameOf(entry)}'`, i);
    const other = this.names.valueOf(entry);
    if (other >= 0) return other;
    this.own();
    this.names.bind(entry, i);
    return -1;
  }

  /** The variable with this name, if any. */
  lookup(name: string): number | undefined {
    return this.names.get(name);
  }

  /** The source line of variable i (0 when not located). */
  lineOf(i: number): number {
    return this.line?.[i] ?? 0;
  }

  /** Marks variable i as an output (the objective reads outputs with weights). */
  output(i: number): this {
    this.outputs.push(this.parent(i));
    return this;
  }

  /**
   * The starting value of a variable of a cyclic component: a number (for a block, every entry),
   * optionally with the variable's shape — `init(z, 0, [32])` declares z a vector of 32, which a
   * cycle of matrix products needs (`z = tanh(W @ z)` fits a [32] or a [32, n] z) — or a block of
   * starting entries, which declares its shape too: number[] (a vector), number[][] (a matrix's rows),
   * or a Float64Array (a vector, or row-major entries of `shape`).
   */
  init(i: number, value: number | ArrayLike<number> | readonly (readonly number[])[], shape?: Shape): this {
    if (!this.isVariable(i)) throw notRecorded('init', i);
    this.parent(i);
    let declared = shape === undefined ? undefined : checkedShape(`init '${this.nameOfIndex(i)}'`, shape);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new LagradError(`init of ${this.label(i)}`, `${value} is not a finite number`);
      this.initial.set(i, value);
    } else {
      const { entries, shape: held } = blockEntries(value, `init '${this.nameOfIndex(i)}'`);
      if (declared !== undefined && sizeOf(declared) !== entries.length)
        throw new LagradError(
          `init '${this.nameOfIndex(i)}'`,
          `${entries.length} entries for shape ${formatShape(declared)}`,
        );
      declared ??= held;
      this.initial.set(i, entries);
    }
    if (declared !== undefined && declared.length > 0) {
      this.declared.set(i, declared);
      this.startShapes();
      this.shapes![i] = declared;
    }
    return this;
  }

  private nameOfIndex(i: number): string {
    for (const [name, j] of this.names) if (j === i) return name;
    return `#${i}`;
  }

  /** Records where variable i stands in the source text. */
  locate(i: number, line: number, column: number): this {
    if (!this.isVariable(i)) throw notRecorded('locate', i);
    if (!(
      Number.isInteger(line) &&
      line >= 0 &&
      line < 2 ** 31 &&
      Number.isInteger(column) &&
      column >= 0 &&
      column < 2 ** 31
    ))
      throw new LagradError('locate', `line ${line}, column ${column}: not a place in a text`);
    this.own();
    if (this.line === null || this.column === null) {
      this.line = new Int32Array(this.ops.length);
      this.column = new Int32Array(this.ops.length);
    }
    this.line[i] = line;
    this.column[i] = column;
    return this;
  }

  /**
   * A stand-in parent −1 − k for the k-th forward reference (k = 0, 1, … < 2³¹ − 1), patched by
   * `resolve`. Only issued placeholders are accepted as parents, so no other negative number can
   * pass for one.
   */
  placeholder(k: number): number {
    if (!(Number.isInteger(k) && k >= 0 && k < MAX_PLACEHOLDERS))
      throw new LagradError('program', `placeholder ${k} is not an integer in [0, ${MAX_PLACEHOLDERS})`);
    if (k >= this.forward) this.forward = k + 1;
    return -1 - k;
  }

  /** Replaces every placeholder k by target(k), which must be a variable recorded so far. */
  resolve(target: (k: number) => number): this {
    this.own();
    const variable = (k: number) => {
      const i = target(k);
      if (!(Number.isInteger(i) && i >= 0 && i < this.size))
        throw new LagradError('program', `placeholder ${k} resolves to ${i}, which is not a variable recorded so far`);
      return i;
    };
    for (let e = 0; e < this.edges; e++) if (this.parents[e] < 0) this.parents[e] = variable(-1 - this.parents[e]);
    for (let k = 0; k < this.outputs.length; k++)
      if (this.outputs[k] < 0) this.outputs[k] = variable(-1 - this.outputs[k]);
    this.forward = 0;
    return this;
  }

  /** The immutable program, in evaluation order. */
  build(): Program {
    if (this.forward > 0) throw new LagradError('program', 'forward references were never resolved');
    const n = this.size;
    // Views, not copies: the program shares the arrays (a copy would touch all that memory again),
    // and the builder copies them before its next change.
    this.shared = true;
    const source =
      this.line && this.column
        ? { file: this.file, line: this.line.subarray(0, n), column: this.column.subarray(0, n) }
        : undefined;
    return Program.from({
      ops: this.ops.subarray(0, n),
      parentStart: this.parentStart.subarray(0, n + 1),
      parents: this.parents.subarray(0, this.edges),
      constants: this.constants.subarray(0, n),
      outputs: this.outputs,
      names: this.names,
      defaults: this.defaults,
      initial: this.initial,
      shapes: this.declared,
      source,
    });
  }

  /** A parent: a variable recorded so far or an issued placeholder; anything else (NaN, 0.5, 2³²) is refused before an Int32Array would coerce it. */
  private parent(i: number): number {
    if (!(Number.isInteger(i) && i < this.size && i >= -this.forward))
      throw new LagradError('program', `${i} is not a variable recorded so far`);
    return i;
  }

  /** True when i is a variable recorded so far (for naming, locating, init: no placeholders). */
  private isVariable(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }

  private label(i: number): string {
    for (const [name, j] of this.names) if (j === i) return `'${name}'`;
    return `variable #${i}`;
  }

  /** Takes back private copies of what `build` shared, so built programs stay immutable. */
  private own(): void {
    if (!this.shared) return;
    this.shared = false;
    this.ops = this.ops.slice();
    this.constants = this.constants.slice();
    this.parentStart = this.parentStart.slice();
    this.parents = this.parents.slice();
    this.line = this.line && this.line.slice();
    this.column = this.column && this.column.slice();
    this.names = this.names.copy();
  }

  private push(code: number, constant: number): number {
    this.own();
    if (this.size === this.ops.length) this.grow();
    const i = this.size++;
    this.ops[i] = code;
    // Fresh typed arrays are zero, and an unwritten page costs no memory: most constraints carry no θ.
    if (constant !== 0) this.constants[i] = constant;
    this.parentStart[i + 1] = this.edges;
    return i;
  }

  private grow(): void {
    const capacity = this.ops.length * 2;
    this.ops = enlarge(this.ops, capacity);
    this.constants = enlarge(this.constants, capacity);
    this.parentStart = enlarge(this.parentStart, capacity + 1);
    if (this.line && this.column) {
      this.line = enlarge(this.line, capacity);
      this.column = enlarge(this.column, capacity);
    }
  }

  private reserveEdges(count: number): void {
    this.own();
    if (this.edges + count > this.parents.length)
      this.parents = enlarge(this.parents, Math.max(this.parents.length * 2, this.edges + count));
  }
}

const notRecorded = (where: string, i: number) => new LagradError(where, `${i} is not a variable recorded so far`);

/** Placeholders −1 … −(2³¹ − 1) fit an Int32Array and leave −2³¹ free for front-ends' own markers. */
export const MAX_PLACEHOLDERS = 2 ** 31 - 1;

/** A θ must be a finite number: NaN or ±∞ in a constraint is refused where it is recorded. */
function finiteConstant(primitive: string, constant: number): void {
  if (!Number.isFinite(constant))
    throw new LagradError(`primitive '${primitive}'`, `the constant θ = ${constant} is not a finite number`);
}

function checkedShape(where: string, dims: Shape): Shape {
  const shape = Array.isArray(dims) ? checkShape(dims) : 'not a list of dimensions';
  if (typeof shape === 'string')
    throw new LagradError(where, `shape ${Array.isArray(dims) ? formatShape(dims) : String(dims)}: ${shape}`);
  return shape;
}

/** A block init's entries (row-major) and the shape it has: number[] and Float64Array a vector, number[][] a matrix. */
function blockEntries(
  value: ArrayLike<number> | readonly (readonly number[])[],
  where: string,
): { entries: Float64Array; shape: Shape } {
  if (!(Array.isArray(value) || ArrayBuffer.isView(value)) || value.length === 0)
    throw new LagradError(
      where,
      'a starting value is a number, a non-empty list of numbers, a list of rows or a Float64Array',
    );
  if (Array.isArray(value[0])) {
    const rows = value as readonly (readonly number[])[];
    const cols = rows[0].length;
    const entries = new Float64Array(rows.length * cols);
    rows.forEach((row, r) => {
      if (!Array.isArray(row) || row.length !== cols)
        throw new LagradError(where, `row ${r} is not a list of ${cols} numbers`);
      row.forEach((x, c) => (entries[r * cols + c] = entryOf(x, where)));
    });
    return { entries, shape: checkedShape(where, [rows.length, cols]) };
  }
  const flat = value as ArrayLike<number>;
  return {
    entries: Float64Array.from({ length: flat.length }, (_, e) => entryOf(flat[e], where)),
    shape: [flat.length],
  };
}

function entryOf(x: unknown, where: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) throw new LagradError(where, `${String(x)} is not a finite number`);
  return x;
}

function enlarge<T extends Int32Array | Float64Array>(array: T, capacity: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(capacity);
  bigger.set(array);
  return bigger;
}
