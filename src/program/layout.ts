// Why one file of 370+ lines: Shape inference (the acyclic pass and the solve around cycles) and the slot layout it yields: one algorithm.
import { LagradError } from '../error.ts';
import { INPUT } from '../primitives/primitive.ts';
import { primitives } from '../primitives/registry.ts';
import { formatShape, sameShape, SCALAR, sizeOf, symbolOf, type Shape } from './shape.ts';

/** What the layout needs of a program under construction: its arrays, and where a variable stands. */
export interface LayoutSource {
  readonly size: number;
  readonly inputCount: number;
  readonly ops: Int32Array;
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly constants: Float64Array;
  /** Flattened [start, end) ranges of the cyclic components, in evaluation order. */
  readonly cycles: Int32Array;
  where(i: number): string;
  nameOf(i: number): string | undefined;
}

/**
 * Where each variable lives in the value, tangent and multiplier slabs when some variable is a
 * vector or a matrix: variable i holds slots offset[i] … offset[i + 1] − 1, entries row-major.
 * Inputs come first, so the inputs' slots (the gradient) are the prefix 0 … inputSlots − 1.
 * A program whose variables are all scalars has no layout (`program.layout === null`): variable
 * i is slot i and the scalar sweeps run exactly as they always did.
 */
export class Layout {
  /** Slot offsets, N + 1 of them. */
  readonly offset: Int32Array;
  /** The dimensions of each variable (0, 1 or 2 of them) as rank and two extents (1 where absent). */
  readonly rank: Uint8Array;
  readonly dims: Int32Array;

  constructor(shapes: readonly Shape[]) {
    const n = shapes.length;
    this.offset = new Int32Array(n + 1);
    this.rank = new Uint8Array(n);
    this.dims = new Int32Array(2 * n).fill(1);
    let slots = 0;
    for (let i = 0; i < n; i++) {
      const s = shapes[i];
      this.rank[i] = s.length;
      for (let k = 0; k < s.length; k++) this.dims[2 * i + k] = s[k];
      slots += sizeOf(s);
      if (slots > 2 ** 31 - 1) throw new LagradError('program', `its variables hold more than 2³¹ entries`);
      this.offset[i + 1] = slots;
    }
  }

  /** Every variable's entries: the length of the value and multiplier slabs. */
  get slots(): number {
    return this.offset[this.offset.length - 1];
  }

  shape(i: number): Shape {
    const r = this.rank[i];
    return r === 0 ? SCALAR : r === 1 ? [this.dims[2 * i]] : [this.dims[2 * i], this.dims[2 * i + 1]];
  }

  /** Number of entries of variable i. */
  sizeOf(i: number): number {
    return this.offset[i + 1] - this.offset[i];
  }

  /** The variable holding slot s (binary search over the offsets). */
  variableOf(s: number): number {
    let lo = 0;
    let hi = this.offset.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offset[mid] <= s) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Bytes held by the layout's arrays. */
  get bytes(): number {
    return this.offset.byteLength + this.rank.byteLength + this.dims.byteLength;
  }
}

/**
 * The layout of a program, or null when every variable is a scalar and every primitive has scalar
 * rules. Shapes are inferred in evaluation order from the declared shapes (the inputs', and any
 * constraint's: a cyclic variable's `init z[32] = 0`) by each primitive's shape rule; a mismatch is
 * an error naming the place and both shapes (`prog.lag:5:12: '@': shapes [150, 4] and [3, 4] do
 * not match`). A declared constraint must have the shape its rule gives, except an arity-0 one
 * (a constant θ), which becomes a block of that shape filled with θ. A cyclic component's shapes
 * are solved for (componentShapes).
 */
export function inferLayout(program: LayoutSource, declared: ReadonlyMap<number, Shape> | undefined): Layout | null {
  const { size, inputCount, ops, cycles } = program;
  let blocks = false;
  for (const s of declared?.values() ?? []) if (s.length > 0) blocks = true;
  const blockOnly = primitives.blockOnly();
  for (let i = inputCount; i < size && !blocks; i++) if (blockOnly[ops[i]] === 1) blocks = true;
  if (!blocks) return null;
  const shapes: (Shape | undefined)[] = new Array(size);
  for (let i = 0; i < inputCount; i++) shapes[i] = declared?.get(i) ?? SCALAR;
  const args: Shape[] = [];
  let k = 0;
  for (let i = inputCount; i < size; i++) {
    if (ops[i] === INPUT) throw new LagradError(program.where(i), 'an input after the constraints');
    if (k < cycles.length && i === cycles[k]) {
      componentShapes(program, shapes, declared, cycles[k], cycles[k + 1]);
      i = cycles[k + 1] - 1;
      k += 2;
      continue;
    }
    shapes[i] = checked(program, i, ruleShape(program, i, shapes, args)!, declared?.get(i));
  }
  return new Layout(shapes as Shape[]);
}

/** The shape constraint i's rule gives for its parents' shapes (undefined when one is unknown), or why they do not fit. */
function ruleShape(
  program: LayoutSource,
  i: number,
  shapes: readonly (Shape | undefined)[],
  args: Shape[],
): Shape | string | undefined {
  const { parentStart, parents, ops, constants } = program;
  args.length = 0;
  for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
    const s = shapes[parents[e]];
    if (s === undefined) return undefined;
    args.push(s);
  }
  return primitives.blockRules(ops[i]).shape(args, constants[i]);
}

/** The shape of constraint i: its rule's, which must be the declared one if any (a constant takes the declared one). */
function checked(program: LayoutSource, i: number, shape: Shape | string, declared: Shape | undefined): Shape {
  const name = primitives.get(program.ops[i]).name;
  if (typeof shape === 'string') throw new LagradError(program.where(i), `'${symbolOf(name)}': ${shape}`);
  if (declared === undefined || sameShape(declared, shape)) return shape;
  if (program.parentStart[i + 1] === program.parentStart[i]) return declared;
  const label = program.nameOf(i) ?? `#${i}`;
  throw new LagradError(
    program.where(i),
    `'${label}' is declared ${formatShape(declared)}, but '${symbolOf(name)}' gives ${formatShape(shape)}`,
  );
}

/**
 * The shapes of the members of cyclic component [start, end): a solution of the shape equations
 * s_i = rule_i(s_Pa(i)) around the cycle. Declared members start known, and every member whose
 * parents are known gets its rule's shape (passes in order, like a Gauss–Seidel sweep). Where that
 * stops short — every rule around the cycle waits on another — the first waiting entrywise member
 * is given a candidate: the shape of its known arguments (`W @ z + u` with u of shape [32] makes the
 * sum [32]), then larger ones (u's rows stacked: [r, 32], with r among the dimensions in sight), and
 * the search goes on from there. A candidate stands when the rules then agree with every shape
 * they are given; the first that does is taken — the smallest, so `z = tanh(z + u)` is [32] and
 * `z = tanh(M @ z + u)` with M of shape [3, 3] is [3, 32]. A component where nothing can be tried
 * (only products around the cycle: `z = tanh(W @ z)` fits a [32] or a [32, n] z), or where no
 * candidate stands, is an error asking for a declared shape (`init z[32] = 0`), or naming the
 * mismatch when the declared shapes themselves do not fit.
 */
function componentShapes(
  program: LayoutSource,
  shapes: (Shape | undefined)[],
  declared: ReadonlyMap<number, Shape> | undefined,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) shapes[i] = declared?.get(i);
  const search: ShapeSearch = {
    program,
    declared,
    start,
    end,
    dims: dimensionsInSight(shapes, start),
    attempts: 0,
    error: null,
    guessed: false,
  };
  const solution = solveShapes(search, shapes.slice(start, end), shapes);
  if (solution !== null) {
    for (let i = start; i < end; i++) shapes[i] = solution[i - start];
    return;
  }
  if (search.error && !search.guessed) throw search.error;
  const named: string[] = [];
  let at = start;
  for (let i = end - 1; i >= start; i--) {
    const name = program.nameOf(i);
    if (name === undefined) continue;
    named.unshift(name);
    at = i;
  }
  const members = `cyclic component {${named.join(', ') || `#${start}…#${end - 1}`}}`;
  const hint = `declare one (init ${named[0] ?? 'z'}[n] = 0, or a block init)`;
  if (search.error)
    throw new LagradError(
      search.error.where,
      `${search.error.what} (${members}: its shapes were inferred by trial; ${hint})`,
    );
  throw new LagradError(
    program.where(at),
    `${members}: the shapes of its variables cannot be inferred from its equations; ${hint}`,
  );
}

/** The state of one component's shape search. */
interface ShapeSearch {
  readonly program: LayoutSource;
  readonly declared: ReadonlyMap<number, Shape> | undefined;
  readonly start: number;
  readonly end: number;
  /** The dimensions of the shapes known before the component: the extents a candidate may take. */
  readonly dims: readonly number[];
  attempts: number;
  /** The first mismatch met, for the message when no candidate stands. */
  error: LagradError | null;
  /** True once some candidate was tried. */
  guessed: boolean;
}

/** Candidates tried per component at most: beyond that, a declared shape is cheaper than a search. */
const MOST_ATTEMPTS = 256;

/**
 * Completes the members' shapes `own` (index i − start; the rest of the program in `all`) and
 * checks them, or returns null when they cannot be made to agree.
 */
function solveShapes(search: ShapeSearch, own: (Shape | undefined)[], all: (Shape | undefined)[]): Shape[] | null {
  const { program, declared, start, end } = search;
  const args: Shape[] = [];
  const view = (i: number) => (i >= start && i < end ? own[i - start] : all[i]);
  const shapeOf = (i: number): Shape | string | undefined => {
    const { parentStart, parents, ops, constants } = program;
    args.length = 0;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      const s = view(parents[e]);
      if (s === undefined) return undefined;
      args.push(s);
    }
    return primitives.blockRules(ops[i]).shape(args, constants[i]);
  };
  const fail = (e: unknown) => {
    if (!(e instanceof LagradError)) throw e;
    search.error ??= e;
    return null;
  };
  // Certain shapes: every member whose parents are known.
  for (let progress = true; progress;) {
    progress = false;
    for (let i = start; i < end; i++) {
      if (own[i - start] !== undefined) continue;
      const shape = shapeOf(i);
      if (shape === undefined) continue;
      try {
        own[i - start] = checked(program, i, shape, undefined);
      } catch (e) {
        return fail(e);
      }
      progress = true;
    }
  }
  const waiting = own.findIndex(
    (s, k) =>
      s === undefined &&
      primitives.entrywise(program.ops[start + k]) &&
      knownArguments(program, start + k, view).length > 0,
  );
  if (waiting < 0) {
    if (own.includes(undefined)) return null;
    // Every member known: sweep the rules until they agree with the shapes they are given.
    for (let pass = 0; pass <= end - start + 1; pass++) {
      let changed = false;
      for (let i = start; i < end; i++) {
        let shape: Shape;
        try {
          shape = checked(program, i, shapeOf(i)!, declared?.get(i));
        } catch (e) {
          return fail(e);
        }
        if (sameShape(shape, own[i - start]!)) continue;
        own[i - start] = shape;
        changed = true;
      }
      if (!changed) return own as Shape[];
    }
    return fail(new LagradError(program.where(start), 'the cycle gives its variables one shape and then another'));
  }
  for (const candidate of candidates(program, start + waiting, view, search.dims)) {
    if (++search.attempts > MOST_ATTEMPTS) return null;
    search.guessed = true;
    const trial = own.slice();
    trial[waiting] = candidate;
    const solution = solveShapes(search, trial, all);
    if (solution !== null) return solution;
  }
  return null;
}

/** The known shapes among the arguments of constraint i. */
function knownArguments(program: LayoutSource, i: number, view: (j: number) => Shape | undefined): Shape[] {
  const known: Shape[] = [];
  for (let e = program.parentStart[i]; e < program.parentStart[i + 1]; e++) {
    const s = view(program.parents[e]);
    if (s !== undefined) known.push(s);
  }
  return known;
}

/**
 * Shapes to try for an entrywise constraint whose arguments are partly unknown, smallest first:
 * the shape of its known arguments broadcast together, then (a scalar or a vector [k] being
 * broadcast against something larger) vectors [d] and matrices [r, k] or [r, c] with r, c among
 * `dims`.
 */
function candidates(
  program: LayoutSource,
  i: number,
  view: (j: number) => Shape | undefined,
  dims: readonly number[],
): Shape[] {
  const base = primitives.blockRules(program.ops[i]).shape(knownArguments(program, i, view), program.constants[i]);
  if (typeof base === 'string') return [];
  const list: Shape[] = [base];
  if (base.length === 0) {
    for (const d of dims) list.push([d]);
    for (const r of dims) for (const c of dims) list.push([r, c]);
  } else if (base.length === 1) {
    for (const r of dims) list.push([r, base[0]]);
  }
  return list;
}

/** Every extent of the shapes of variables 0 … before − 1, ascending. */
function dimensionsInSight(shapes: readonly (Shape | undefined)[], before: number): number[] {
  const dims = new Set<number>();
  for (let i = 0; i < before; i++) for (const d of shapes[i] ?? SCALAR) dims.add(d);
  return [...dims].sort((a, b) => a - b);
}

/**
 * The shapes a program's layout cannot be inferred again without: of its block inputs, of the block
 * members of its cyclic components and of its block constants (by variable index; empty without
 * a layout). With them, `Program.from` on the same arrays finds the same layout.
 */
export function declaredShapes(
  program: Pick<LayoutSource, 'size' | 'inputCount' | 'parentStart' | 'cycles'> & { readonly layout: Layout | null },
): Map<number, Shape> {
  const shapes = new Map<number, Shape>();
  const layout = program.layout;
  if (layout === null) return shapes;
  const declare = (i: number) => {
    if (layout.rank[i] > 0) shapes.set(i, layout.shape(i));
  };
  for (let i = 0; i < program.inputCount; i++) declare(i);
  const cycles = program.cycles;
  for (let k = 0; k < cycles.length; k += 2) for (let i = cycles[k]; i < cycles[k + 1]; i++) declare(i);
  for (let i = program.inputCount; i < program.size; i++)
    if (program.parentStart[i + 1] === program.parentStart[i]) declare(i);
  return shapes;
}

/** `X[2, 3]` or `b[1]` for slot s of a block variable, the name alone for a scalar. */
export function slotLabel(
  program: Pick<LayoutSource, 'nameOf'> & { readonly layout: Layout | null },
  s: number,
): string {
  const layout = program.layout;
  const i = layout ? layout.variableOf(s) : s;
  const name = program.nameOf(i) ?? `#${i}`;
  if (!layout || layout.rank[i] === 0) return name;
  const e = s - layout.offset[i];
  if (layout.rank[i] === 1) return `${name}[${e}]`;
  const cols = layout.dims[2 * i + 1];
  return `${name}[${Math.floor(e / cols)}, ${e % cols}]`;
}

/** `[150, 4]` etc. for variable i of a program with or without a layout. */
export function shapeText(layout: Layout | null, i: number): string {
  return formatShape(layout ? layout.shape(i) : SCALAR);
}
