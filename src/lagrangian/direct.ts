import { LuDecomposition, Matrix } from 'ml-matrix';
import { hasSelfLoop } from '../program/order.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';

// The direct solve of one cyclic component [start, end): its equations couple only its own m
// members, so the block of I − J on them is a small dense m × m matrix (J_CC: the partials of the
// members' constraints with respect to members). Newton's method, the tangent solve of `forward` and
// block-reverse all factor it; it is built from the registry's `partials` kernel, one call per member.

/** Above this many members, components are solved iteratively rather than by a dense LU (O(m³)). */
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
export function componentMatrix(program: Program, values: Float64Array, start: number, end: number, transpose = false, outputs?: Float64Array): Matrix {
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
