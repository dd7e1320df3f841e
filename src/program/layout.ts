import { LagradError } from '../error.ts';
import { INPUT } from '../primitives/primitive.ts';
import { primitives } from '../primitives/registry.ts';
import { formatShape, SCALAR, sizeOf, symbolOf, type Shape } from './shape.ts';

/** What the layout needs of a program under construction: its arrays, and where a variable stands. */
export interface LayoutSource {
  readonly size: number;
  readonly inputCount: number;
  readonly ops: Int32Array;
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly constants: Float64Array;
  readonly cyclic: boolean;
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
 * rules. Shapes are inferred in evaluation order from the inputs' shapes by each primitive's shape
 * rule; a mismatch is an error naming the place and both shapes (`prog.lag:5:12: '@': shapes
 * [150, 4] and [3, 4] do not match`). Blocks in cyclic programs are refused for now.
 */
export function inferLayout(program: LayoutSource, inputShapes: ReadonlyMap<number, Shape> | undefined): Layout | null {
  const { size, inputCount, ops, parentStart, parents, constants } = program;
  let blocks = false;
  for (const s of inputShapes?.values() ?? []) if (s.length > 0) blocks = true;
  const blockOnly = primitives.blockOnly();
  for (let i = inputCount; i < size && !blocks; i++) if (blockOnly[ops[i]] === 1) blocks = true;
  if (!blocks) return null;
  if (program.cyclic) throw new LagradError('program', 'has vector or matrix variables and a cycle: cyclic programs over blocks are not supported yet (make the cyclic part scalar, or unroll it)');
  const shapes: Shape[] = new Array(size);
  for (let i = 0; i < inputCount; i++) shapes[i] = inputShapes?.get(i) ?? SCALAR;
  const args: Shape[] = [];
  for (let i = inputCount; i < size; i++) {
    if (ops[i] === INPUT) throw new LagradError(program.where(i), 'an input after the constraints');
    args.length = 0;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) args.push(shapes[parents[e]]);
    const shape = primitives.blockRules(ops[i]).shape(args, constants[i]);
    if (typeof shape === 'string') throw new LagradError(program.where(i), `'${symbolOf(primitives.get(ops[i]).name)}': ${shape}`);
    shapes[i] = shape;
  }
  return new Layout(shapes);
}

/** `X[2, 3]` or `b[1]` for slot s of a block variable, the name alone for a scalar. */
export function slotLabel(program: Pick<LayoutSource, 'nameOf'> & { readonly layout: Layout | null }, s: number): string {
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
