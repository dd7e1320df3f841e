import { Op, type Dag } from './dag.ts';

// The practical limit for scalar programs in JavaScript: a hand-written tape. Op codes and parent
// indices in typed arrays, one forward `switch` loop and one reverse loop, nothing else — no
// registry, no checks, no options. Written for the benchmark's own op set only.

export class Tape {
  readonly values: Float64Array;
  readonly adjoints: Float64Array;
  /** Tangents of K lanes, row-major (forward mode). */
  private tangents: Float64Array = new Float64Array(0);

  constructor(readonly dag: Dag) {
    this.values = new Float64Array(dag.size);
    this.adjoints = new Float64Array(dag.size);
  }

  /** v_i = op_i(v_a, v_b) in order; returns the last variable. */
  forward(x: Float64Array): number {
    const { op, a, b, c, inputs, size } = this.dag;
    const v = this.values;
    v.set(x);
    for (let i = inputs; i < size; i++) {
      switch (op[i]) {
        case Op.add:
          v[i] = v[a[i]] + v[b[i]];
          break;
        case Op.sub:
          v[i] = v[a[i]] - v[b[i]];
          break;
        case Op.mul:
          v[i] = v[a[i]] * v[b[i]];
          break;
        case Op.sin:
          v[i] = Math.sin(v[a[i]]);
          break;
        case Op.cos:
          v[i] = Math.cos(v[a[i]]);
          break;
        case Op.tanh:
          v[i] = Math.tanh(v[a[i]]);
          break;
        case Op.sigmoid:
          v[i] = 1 / (1 + Math.exp(-v[a[i]]));
          break;
        case Op.scale:
          v[i] = c[i] * v[a[i]];
          break;
        case Op.exp:
          v[i] = Math.exp(v[a[i]]);
          break;
        case Op.square:
          v[i] = v[a[i]] * v[a[i]];
          break;
      }
    }
    return v[size - 1];
  }

  /** Backprop from the last variable after `forward`; writes the gradient into `out`. */
  reverse(out: Float64Array): Float64Array {
    const { op, a, b, c, inputs, size } = this.dag;
    const v = this.values;
    const g = this.adjoints;
    g.fill(0);
    g[size - 1] = 1;
    for (let i = size - 1; i >= inputs; i--) {
      const l = g[i];
      if (l === 0) continue; // a variable the output does not depend on: nothing to push back
      switch (op[i]) {
        case Op.add:
          g[a[i]] += l;
          g[b[i]] += l;
          break;
        case Op.sub:
          g[a[i]] += l;
          g[b[i]] -= l;
          break;
        case Op.mul:
          g[a[i]] += l * v[b[i]];
          g[b[i]] += l * v[a[i]];
          break;
        case Op.sin:
          g[a[i]] += l * Math.cos(v[a[i]]);
          break;
        case Op.cos:
          g[a[i]] -= l * Math.sin(v[a[i]]);
          break;
        case Op.tanh:
          g[a[i]] += l * (1 - v[i] * v[i]);
          break;
        case Op.sigmoid:
          g[a[i]] += l * v[i] * (1 - v[i]);
          break;
        case Op.scale:
          g[a[i]] += l * c[i];
          break;
        case Op.exp:
          g[a[i]] += l * v[i];
          break;
        case Op.square:
          g[a[i]] += 2 * l * v[a[i]];
          break;
      }
    }
    for (let k = 0; k < inputs; k++) out[k] = g[k];
    return out;
  }

  /** Forward mode after `forward`: K = inputs tangent lanes in one sweep; writes the gradient into `out`. */
  tangent(out: Float64Array): Float64Array {
    const { op, a, b, c, inputs: K, size } = this.dag;
    const v = this.values;
    if (this.tangents.length !== size * K) this.tangents = new Float64Array(size * K);
    const t = this.tangents;
    t.fill(0, 0, K * K);
    for (let k = 0; k < K; k++) t[k * K + k] = 1;
    for (let i = K; i < size; i++) {
      const o = i * K;
      const ra = a[i] * K;
      const rb = b[i] * K;
      switch (op[i]) {
        case Op.add:
          for (let k = 0; k < K; k++) t[o + k] = t[ra + k] + t[rb + k];
          break;
        case Op.sub:
          for (let k = 0; k < K; k++) t[o + k] = t[ra + k] - t[rb + k];
          break;
        case Op.mul: {
          const da = v[b[i]],
            db = v[a[i]];
          for (let k = 0; k < K; k++) t[o + k] = da * t[ra + k] + db * t[rb + k];
          break;
        }
        case Op.sin: {
          const d = Math.cos(v[a[i]]);
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.cos: {
          const d = -Math.sin(v[a[i]]);
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.tanh: {
          const d = 1 - v[i] * v[i];
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.sigmoid: {
          const d = v[i] * (1 - v[i]);
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.scale: {
          const d = c[i];
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.exp: {
          const d = v[i];
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
        case Op.square: {
          const d = 2 * v[a[i]];
          for (let k = 0; k < K; k++) t[o + k] = d * t[ra + k];
          break;
        }
      }
    }
    const last = (size - 1) * K;
    for (let k = 0; k < K; k++) out[k] = t[last + k];
    return out;
  }
}
