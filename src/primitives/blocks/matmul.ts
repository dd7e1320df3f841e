import { formatShape, SCALAR, type Shape } from '../../program/shape.ts';
import type { Block, BlockRules, BlockSite } from '../primitive.ts';
import { gemm, gemmNT, gemmTN } from './gemm.ts';

// C = A @ B, the matrix product, for the four cases of DESIGN §9:
//   [m,k]@[k,n] → [m,n]   [m,k]@[k] → [m]   [k]@[k,n] → [n]   [k]@[k] → scalar.
// A vector on the left is a 1 × k row and on the right a k × 1 column; both are stored the same
// way (k contiguous entries), so every case is one product of an m × k by a k × n matrix.
// JVP: Ċ = Ȧ B + A Ḃ.  VJP: Ā += C̄ Bᵀ, B̄ += Aᵀ C̄.

/** (m, k, n) of A @ B seen as an m × k by k × n product. */
function dims(A: Block, B: Block): [number, number, number] {
  const m = A.shape.length === 2 ? A.shape[0] : 1;
  const k = A.shape.length === 2 ? A.shape[1] : A.size;
  const n = B.shape.length === 2 ? B.shape[1] : 1;
  return [m, k, n];
}

export const matmul: BlockRules = {
  shape([a, b]: readonly Shape[]): Shape | string {
    const mismatch = `shapes ${formatShape(a)} and ${formatShape(b)} do not match`;
    if (a.length === 0 || b.length === 0)
      return `${mismatch} (a matrix product needs vectors or matrices; use * to scale)`;
    const k = a[a.length - 1];
    if (k !== b[0]) return mismatch;
    if (a.length === 2 && b.length === 2) return [a[0], b[1]];
    if (a.length === 2) return [a[0]];
    if (b.length === 2) return [b[1]];
    return SCALAR;
  },
  value(v: Float64Array, { out, args: [A, B] }: BlockSite): void {
    const [m, k, n] = dims(A, B);
    gemm(v, A.offset, v, B.offset, v, out.offset, m, k, n, false);
  },
  jvp(v: Float64Array, t: Float64Array, dt: Float64Array, { out, args: [A, B] }: BlockSite): void {
    const [m, k, n] = dims(A, B);
    gemm(t, A.offset, v, B.offset, dt, out.offset, m, k, n, false);
    gemm(v, A.offset, t, B.offset, dt, out.offset, m, k, n, true);
  },
  vjp(v: Float64Array, l: Float64Array, dl: Float64Array, { out, args: [A, B] }: BlockSite, need: number): void {
    const [m, k, n] = dims(A, B);
    if (need & 1) gemmNT(l, out.offset, v, B.offset, dl, A.offset, m, n, k);
    if (need & 2) gemmTN(v, A.offset, l, out.offset, dl, B.offset, m, k, n);
  },
};
