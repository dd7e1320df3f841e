import { formatShape, SCALAR, sameShape, type Shape } from '../../program/shape.ts';
import type { BlockRules, BlockSite } from '../primitive.ts';

// Block primitives that are not entrywise: reductions to a scalar, the transpose, and the softmax
// cross-entropy of a batch. Each: shape rule, value, JVP (overwrites the output) and VJP (adds into
// the arguments whose bit is set in `need`), next to each other, checkable against the formula.

/** sum(a₁, …, aₙ) = Σ of every entry of every argument → scalar (for scalars, a₁ + … + aₙ). */
export const total: BlockRules = {
  shape: () => SCALAR,
  value(v, { out, args }) {
    let s = 0;
    for (const a of args) for (let e = a.offset; e < a.offset + a.size; e++) s += v[e];
    v[out.offset] = s;
  },
  jvp(_v, t, dt, { out, args }) {
    let s = 0;
    for (const a of args) for (let e = a.offset; e < a.offset + a.size; e++) s += t[e];
    dt[out.offset] = s;
  },
  vjp(_v, l, dl, { out, args }, need) {
    const l0 = l[out.offset];
    if (l0 === 0) return;
    args.forEach((a, k) => {
      if (k < 31 && !(need & (1 << k))) return;
      for (let e = a.offset; e < a.offset + a.size; e++) dl[e] += l0;
    });
  },
};

/** mean(A) = Σ A / size → scalar. */
export const mean: BlockRules = {
  shape: () => SCALAR,
  value(v, { out, args: [A] }) {
    let s = 0;
    for (let e = A.offset; e < A.offset + A.size; e++) s += v[e];
    v[out.offset] = s / A.size;
  },
  jvp(_v, t, dt, { out, args: [A] }) {
    let s = 0;
    for (let e = A.offset; e < A.offset + A.size; e++) s += t[e];
    dt[out.offset] = s / A.size;
  },
  vjp(_v, l, dl, { out, args: [A] }, need) {
    const g = l[out.offset] / A.size;
    if (g === 0 || !(need & 1)) return;
    for (let e = A.offset; e < A.offset + A.size; e++) dl[e] += g;
  },
};

/** logsumexp(A) = log Σ exp(A), computed as max + log Σ exp(A − max) → scalar; ∂/∂A = softmax(A) = exp(A − y). */
export const logsumexp: BlockRules = {
  shape: () => SCALAR,
  value(v, { out, args: [A] }) {
    v[out.offset] = rowLogSumExp(v, A.offset, A.size);
  },
  jvp(v, t, dt, { out, args: [A] }) {
    const y = v[out.offset];
    let s = 0;
    for (let e = 0; e < A.size; e++) s += Math.exp(v[A.offset + e] - y) * t[A.offset + e];
    dt[out.offset] = s;
  },
  vjp(v, l, dl, { out, args: [A] }, need) {
    const l0 = l[out.offset];
    if (l0 === 0 || !(need & 1)) return;
    const y = v[out.offset];
    for (let e = A.offset; e < A.offset + A.size; e++) dl[e] += l0 * Math.exp(v[e] - y);
  },
};

/**
 * softmax_cross_entropy(Z, Y) = (1/m) Σ_r (logsumexp(Z_r) − Σ_c Y_rc Z_rc) over the m rows of
 * logits Z and targets Y ([m, n], or one row [n]) → scalar. ∂/∂Z = (softmax(Z) − Y)/m row by row,
 * ∂/∂Y = −Z/m.
 */
export const softmaxCrossEntropy: BlockRules = {
  shape([z, y]) {
    if (!sameShape(z, y) || z.length === 0)
      return `logits ${formatShape(z)} and targets ${formatShape(y)} must be one vector or matrix shape`;
    return SCALAR;
  },
  value(v, { out, args: [Z, Y] }) {
    let s = 0;
    for (let r = 0; r < Z.rows; r++) {
      const z = Z.offset + r * Z.cols;
      const y = Y.offset + r * Z.cols;
      s += rowLogSumExp(v, z, Z.cols);
      for (let c = 0; c < Z.cols; c++) s -= v[y + c] * v[z + c];
    }
    v[out.offset] = s / Z.rows;
  },
  jvp(v, t, dt, { out, args: [Z, Y] }) {
    let s = 0;
    for (let r = 0; r < Z.rows; r++) {
      const z = Z.offset + r * Z.cols;
      const y = Y.offset + r * Z.cols;
      const lse = rowLogSumExp(v, z, Z.cols);
      for (let c = 0; c < Z.cols; c++) s += (Math.exp(v[z + c] - lse) - v[y + c]) * t[z + c] - v[z + c] * t[y + c];
    }
    dt[out.offset] = s / Z.rows;
  },
  vjp(v, l, dl, { out, args: [Z, Y] }: BlockSite, need) {
    const g = l[out.offset] / Z.rows;
    if (g === 0) return;
    for (let r = 0; r < Z.rows; r++) {
      const z = Z.offset + r * Z.cols;
      const y = Y.offset + r * Z.cols;
      if (need & 1) {
        const lse = rowLogSumExp(v, z, Z.cols);
        for (let c = 0; c < Z.cols; c++) dl[z + c] += g * (Math.exp(v[z + c] - lse) - v[y + c]);
      }
      if (need & 2) for (let c = 0; c < Z.cols; c++) dl[y + c] -= g * v[z + c];
    }
  },
};

/** transpose(A): [r, c] → [c, r]; a vector or a scalar is its own transpose. */
export const transpose: BlockRules = {
  shape: ([a]: readonly Shape[]) => (a.length === 2 ? [a[1], a[0]] : a),
  value(v, { out, args: [A] }) {
    transposeInto(v, A.offset, v, out.offset, A.rows, A.cols, false);
  },
  jvp(_v, t, dt, { out, args: [A] }) {
    transposeInto(t, A.offset, dt, out.offset, A.rows, A.cols, false);
  },
  vjp(_v, l, dl, { out, args: [A] }, need) {
    if (need & 1) transposeInto(l, out.offset, dl, A.offset, A.cols, A.rows, true);
  },
};

/** B[c×r] = A[r×c]ᵀ (or B += Aᵀ). */
function transposeInto(
  A: Float64Array,
  ao: number,
  B: Float64Array,
  bo: number,
  rows: number,
  cols: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const x = A[ao + i * cols + j];
      if (accumulate) B[bo + j * rows + i] += x;
      else B[bo + j * rows + i] = x;
    }
  }
}

/** log Σ exp(x[from .. from + n)) without overflow: max + log Σ exp(x − max). */
function rowLogSumExp(x: Float64Array, from: number, n: number): number {
  let max = -Infinity;
  for (let e = from; e < from + n; e++) if (x[e] > max) max = x[e];
  if (max === -Infinity || max === Infinity) return max;
  let s = 0;
  for (let e = from; e < from + n; e++) s += Math.exp(x[e] - max);
  return max + Math.log(s);
}
