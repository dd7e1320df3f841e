import { LuDecomposition, Matrix } from 'ml-matrix';
import { hasSelfLoop } from '../program/order.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { ALL, BlockSweeps } from '../primitives/blockSweeps.ts';
import type { Block } from '../primitives/primitive.ts';
import type { Stats } from './stats.ts';

// The direct solve of one cyclic component [start, end): its equations couple only its own
// members, so the block of I − J on them is a small dense m × m matrix over the members' m slots
// (J_CC: the partials of the members' constraints with respect to members; m is the number of
// members when all are scalars, of their entries when some are blocks). Newton's method, the
// tangent solve of `forward` and block-reverse all factor it; it is built from the registry's
// `partials` kernel, one call per member, or for blocks from unit VJPs, one per member entry.

/** Above this many slots (members' entries), components are solved iteratively rather than by a dense LU (O(m³)). */
export const DIRECT_LIMIT = 300;

/**
 * The dense block I − J_CC of component [start, end) at `values` (entry (i − start, j − start) is
 * δ_ij − ∂p_i/∂v_j; a parent listed twice adds twice), or its transpose (I − J_CC)ᵀ. It
 * evaluates the partials of every member once (callers add that to their stats).
 *
 * Partials that read the primitive's own output y (exp, tanh, …) read it from values[i]; at a point
 * that does not satisfy the constraints (a Newton iterate) pass `outputs` (p_i(v) per member) so y is
 * p_i(v) as the true Jacobian needs. A member that is its own parent keeps y = v_i (the two cannot
 * both be in one array); the difference vanishes as the iterate converges.
 */
export function componentMatrix(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  transpose = false,
  outputs?: Float64Array,
  stats?: Stats,
): Matrix {
  if (program.layout !== null) return blockComponentMatrix(program, values, start, end, transpose, outputs, stats);
  const { parentStart, parents } = program;
  const { partials } = sweepsOf(program);
  const m = end - start;
  const A = Matrix.eye(m, m);
  const row = new Float64Array(program.maxParents(start, end));
  for (let i = start; i < end; i++) {
    const from = parentStart[i];
    const count = parentStart[i + 1] - from;
    let swapped = false;
    const saved = values[i];
    if (outputs !== undefined && !hasSelfLoop(i, parentStart, parents)) {
      values[i] = outputs[i - start];
      swapped = true;
    }
    partials(i, values, row);
    if (swapped) values[i] = saved;
    for (let k = 0; k < count; k++) {
      const j = parents[from + k];
      if (j < start || j >= end) continue;
      const r = transpose ? j - start : i - start;
      const c = transpose ? i - start : j - start;
      A.set(r, c, A.get(r, c) - row[k]);
    }
  }
  return A;
}

/**
 * componentMatrix over the members' slots when some are blocks: entry (r, c) of J_CC is
 * ∂(slot r of p_i)/∂(slot c of a member parent), one row per output entry of each member, from the
 * member's VJP of the unit vector e_r with only its member arguments wanted (a product W @ z in the
 * cycle gives z's part, never W's). Counts the VJPs in `stats.vjps`. With `outputs`, each member's
 * own entries are p_i(v) while its VJP runs (partials that read y), as above.
 */
function blockComponentMatrix(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  transpose: boolean,
  outputs: Float64Array | undefined,
  stats: Stats | undefined,
): Matrix {
  const { parentStart, parents } = program;
  const sweeps = BlockSweeps.of(program);
  const from = program.slotOf(start);
  const to = program.slotOf(end);
  const m = to - from;
  const A = Matrix.eye(m, m);
  // Every parent of a member stands before the component's end, so slabs of `to` entries serve.
  const unit = new Float64Array(to);
  const row = new Float64Array(to);
  const saved = outputs && new Float64Array(m);
  let vjps = 0;
  for (let i = start; i < end; i++) {
    const site = sweeps.sites[i]!;
    let need = 0;
    const members: Block[] = [];
    for (let e = parentStart[i], k = 0; e < parentStart[i + 1]; e++, k++) {
      if (parents[e] < start) continue;
      need |= k < 31 ? 1 << k : ALL;
      if (!members.includes(site.args[k])) members.push(site.args[k]);
    }
    if (need === 0) continue;
    const { offset, size } = site.out;
    const swapped = saved !== undefined && !hasSelfLoop(i, parentStart, parents);
    if (swapped) {
      saved.set(values.subarray(offset, offset + size));
      values.set(outputs!.subarray(offset - from, offset - from + size), offset);
    }
    for (let r = offset; r < offset + size; r++) {
      for (const a of members) row.fill(0, a.offset, a.offset + a.size);
      unit[r] = 1;
      sweeps.rules[i].vjp(values, unit, row, site, need);
      unit[r] = 0;
      vjps++;
      for (const a of members) {
        for (let c = a.offset; c < a.offset + a.size; c++) {
          const partial = row[c];
          if (partial === 0) continue;
          if (transpose) A.set(c - from, r - from, A.get(c - from, r - from) - partial);
          else A.set(r - from, c - from, A.get(r - from, c - from) - partial);
        }
      }
    }
    if (swapped) values.set(saved.subarray(0, size), offset);
  }
  if (stats) stats.vjps = (stats.vjps ?? 0) + vjps;
  return A;
}

/**
 * Bytes of the arrays a dense solve of m slots allocates when the component ends at slot `to`: the
 * block (m²), ml-matrix's LU copy (m²) and the U it hands back (m²), two unit slabs of `to` and m
 * saved outputs (componentMatrix over blocks).
 */
export function denseSolveBytes(m: number, to: number): number {
  return 8 * (3 * m * m + 2 * to + m);
}

/**
 * An LU factorization (partial pivoting, ml-matrix) of a component's block, or the evidence that it
 * is singular: a pivot below m·ε·max|A_ij| means I − J has (numerically) an eigenvalue 0 — J has an
 * eigenvalue 1, so the component's equations do not determine a unique answer.
 */
export class ComponentLu {
  private constructor(
    private readonly lu: LuDecomposition,
    /** The smallest pivot of the equilibrated matrix (rows, then columns, scaled to largest entry 1). */
    readonly pivotRatio: number,
  ) {}

  /**
   * Factors A; `singular` is true when some pivot is negligible. The pivots are judged on A with its
   * rows and then its columns scaled to largest entry 1: singularity does not change under such
   * scalings, so a component is not called singular for the units its variables happen to have
   * (entries 1e8 and 1e-8 of a well-conditioned loop), and I − J and its transpose, which forward
   * and reverse factor, are judged alike.
   */
  static factor(A: Matrix): { lu: ComponentLu; singular: boolean } {
    const m = A.rows;
    const lu = new LuDecomposition(A);
    const scaled = equilibrated(A);
    let ratio = 0;
    if (scaled !== null) {
      const U = new LuDecomposition(scaled).upperTriangularMatrix;
      let smallest = Infinity;
      for (let k = 0; k < m; k++) smallest = Math.min(smallest, Math.abs(U.get(k, k)));
      ratio = smallest; // the largest entry of the scaled matrix is 1
    }
    const singular = !(ratio > m * Number.EPSILON) || lu.isSingular();
    return { lu: new ComponentLu(lu, ratio), singular };
  }

  /** x = A⁻¹ b for one right-hand side (x may be b). */
  solve(b: Float64Array, x: Float64Array): void {
    const solution = this.lu.solve(Matrix.columnVector(Array.from(b)));
    for (let k = 0; k < b.length; k++) x[k] = solution.get(k, 0);
  }

  /** A⁻¹ B for the columns of B. */
  solveColumns(B: Matrix): Matrix {
    return this.lu.solve(B);
  }
}

/** D_r A D_c with every row, then every column, of largest magnitude 1; null when a row or column is zero (or not finite). */
function equilibrated(A: Matrix): Matrix | null {
  const m = A.rows;
  const S = A.clone();
  for (let r = 0; r < m; r++) {
    let top = 0;
    for (let c = 0; c < m; c++) top = Math.max(top, Math.abs(S.get(r, c)));
    if (!(top > 0 && top < Infinity)) return null;
    for (let c = 0; c < m; c++) S.set(r, c, S.get(r, c) / top);
  }
  for (let c = 0; c < m; c++) {
    let top = 0;
    for (let r = 0; r < m; r++) top = Math.max(top, Math.abs(S.get(r, c)));
    if (!(top > 0)) return null;
    for (let r = 0; r < m; r++) S.set(r, c, S.get(r, c) / top);
  }
  return S;
}
