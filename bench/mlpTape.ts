// The practical limit for a one-hidden-layer network in plain JavaScript: its forward and backward
// pass written out by hand over Float64Array, every buffer allocated once, matrix products as
// i-k-j loops (the innermost loop runs along a row of the output, contiguous in memory). Nothing
// else — no graph, no registry, no checks. The benchmark's reference for lagrad's block sweeps.
//
//   H = tanh(X W1 + b1)     Z = H W2 + b2     loss = (1/m) Σ_r logsumexp(Z_r) − Y_r · Z_r
//   dZ = (softmax(Z) − Y)/m   dW2 = Hᵀ dZ   db2 = Σ_r dZ_r   dH = dZ W2ᵀ
//   dA = dH ∘ (1 − H²)        dW1 = Xᵀ dA   db1 = Σ_r dA_r

/** Sizes of the network: a batch of m rows of d features, h hidden units, c classes. */
export interface MlpShape {
  readonly m: number;
  readonly d: number;
  readonly h: number;
  readonly c: number;
}

/** How many parameters: W1 [d, h], b1 [h], W2 [h, c], b2 [c], in that order, row-major. */
export const parameterCount = ({ d, h, c }: MlpShape) => d * h + h + h * c + c;

export class MlpTape {
  /** tanh(X W1 + b1), [m, h]. */
  private readonly hidden: Float64Array;
  /** The logits, then dZ, [m, c]. */
  private readonly logits: Float64Array;
  /** dH, then dA, [m, h]. */
  private readonly dHidden: Float64Array;

  constructor(readonly shape: MlpShape) {
    this.hidden = new Float64Array(shape.m * shape.h);
    this.logits = new Float64Array(shape.m * shape.c);
    this.dHidden = new Float64Array(shape.m * shape.h);
  }

  /**
   * The mean softmax cross-entropy of the batch X [m, d] with one-hot targets Y [m, c], for the
   * parameters `theta` = W1, b1, W2, b2 back to back.
   */
  loss(X: Float64Array, Y: Float64Array, theta: Float64Array): number {
    const { m, d, h, c } = this.shape;
    const H = this.hidden;
    const Z = this.logits;
    const b1 = d * h;
    const W2 = b1 + h;
    const b2 = W2 + h * c;
    for (let i = 0; i < m; i++) {
      const hi = i * h;
      for (let j = 0; j < h; j++) H[hi + j] = theta[b1 + j];
      for (let p = 0; p < d; p++) {
        const x = X[i * d + p];
        const w = p * h;
        for (let j = 0; j < h; j++) H[hi + j] += x * theta[w + j];
      }
      for (let j = 0; j < h; j++) H[hi + j] = Math.tanh(H[hi + j]);
    }
    for (let i = 0; i < m; i++) {
      const zi = i * c;
      for (let k = 0; k < c; k++) Z[zi + k] = theta[b2 + k];
      for (let j = 0; j < h; j++) {
        const a = H[i * h + j];
        const w = W2 + j * c;
        for (let k = 0; k < c; k++) Z[zi + k] += a * theta[w + k];
      }
    }
    let total = 0;
    for (let i = 0; i < m; i++) {
      const zi = i * c;
      let max = -Infinity;
      for (let k = 0; k < c; k++) if (Z[zi + k] > max) max = Z[zi + k];
      let s = 0;
      for (let k = 0; k < c; k++) s += Math.exp(Z[zi + k] - max);
      total += max + Math.log(s);
      for (let k = 0; k < c; k++) total -= Y[zi + k] * Z[zi + k];
    }
    return total / m;
  }

  /** `loss`, then its gradient with respect to theta into `out` (overwritten, same layout). */
  gradient(X: Float64Array, Y: Float64Array, theta: Float64Array, out: Float64Array): number {
    const value = this.loss(X, Y, theta);
    const { m, d, h, c } = this.shape;
    const H = this.hidden;
    const dZ = this.logits;
    const dH = this.dHidden;
    const b1 = d * h;
    const W2 = b1 + h;
    const b2 = W2 + h * c;
    out.fill(0, 0, b2 + c);
    // dZ = (softmax(Z) − Y)/m, in place of Z.
    for (let i = 0; i < m; i++) {
      const zi = i * c;
      let max = -Infinity;
      for (let k = 0; k < c; k++) if (dZ[zi + k] > max) max = dZ[zi + k];
      let s = 0;
      for (let k = 0; k < c; k++) s += dZ[zi + k] = Math.exp(dZ[zi + k] - max);
      for (let k = 0; k < c; k++) dZ[zi + k] = (dZ[zi + k] / s - Y[zi + k]) / m;
    }
    // dW2 = Hᵀ dZ, db2 = column sums of dZ.
    for (let i = 0; i < m; i++) {
      const zi = i * c;
      for (let j = 0; j < h; j++) {
        const a = H[i * h + j];
        const w = W2 + j * c;
        for (let k = 0; k < c; k++) out[w + k] += a * dZ[zi + k];
      }
      for (let k = 0; k < c; k++) out[b2 + k] += dZ[zi + k];
    }
    // dH = dZ W2ᵀ, then dA = dH ∘ (1 − H²), db1 = column sums of dA.
    for (let i = 0; i < m; i++) {
      const hi = i * h;
      const zi = i * c;
      for (let j = 0; j < h; j++) {
        const w = W2 + j * c;
        let s = 0;
        for (let k = 0; k < c; k++) s += dZ[zi + k] * theta[w + k];
        const y = H[hi + j];
        dH[hi + j] = s * (1 - y * y);
      }
      for (let j = 0; j < h; j++) out[b1 + j] += dH[hi + j];
    }
    // dW1 = Xᵀ dA.
    for (let i = 0; i < m; i++) {
      const hi = i * h;
      for (let p = 0; p < d; p++) {
        const x = X[i * d + p];
        const w = p * h;
        for (let j = 0; j < h; j++) out[w + j] += x * dH[hi + j];
      }
    }
    return value;
  }
}

/** C[m×n] = A[m×k]·B[k×n], the plain i-k-j loop: the matrix product as one writes it by hand. */
export function matmulIkj(A: Float64Array, B: Float64Array, C: Float64Array, m: number, k: number, n: number): void {
  C.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const a = A[i * k + p];
      const bp = p * n;
      for (let j = 0; j < n; j++) C[ci + j] += a * B[bp + j];
    }
  }
}
