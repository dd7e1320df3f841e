// An equilibrium ("deep equilibrium") layer for the iris flowers, shared by examples/deq.ts and the
// benchmark (bench/deq.ts). The hidden state of every sample is the fixed point
//     Z = tanh(Z @ W + X @ U + b),   logits = Z @ V + c,   loss = softmax_cross_entropy(logits, Y),
// one cyclic component of [samples, hidden] blocks. Its gradient comes from the multipliers of that
// component (block-reverse) instead of from backprop through the iterations that found it.
import { Matrix } from 'ml-matrix';
import { parseProgram, type Program } from '../../src/index.ts';
import { normal } from './seeded.ts';

/** The layer's .lag text (examples/deq.lag is this at 150 samples, 4 features, 32 units, 3 classes). */
export function deqText(samples: number, features: number, hidden: number, classes: number): string {
  const note = (line: string, comment: string) => `${line.padEnd(24)}# ${comment}`;
  return [
    '# An equilibrium layer on the iris flowers: the hidden state of each sample is the fixed point',
    `# Z = tanh(Z @ W + X @ U + b) (${hidden} units), read out by a softmax over ${classes} classes.`,
    '# Data and parameters from --data FILE.json or the API; examples/deq.ts trains it.',
    note(`input X[${samples}, ${features}]`, 'features, standardized'),
    note(`input Y[${samples}, ${classes}]`, 'one-hot labels'),
    `input U[${features}, ${hidden}]`,
    note(`input W[${hidden}, ${hidden}]`, '‖W‖ < 1 (largest column sum of |W|): the layer contracts'),
    `input b[${hidden}] = 0`,
    `input V[${hidden}, ${classes}]`,
    `input c[${classes}] = 0`,
    note(`init Z[${samples}, ${hidden}] = 0`, 'where the fixed-point solve starts'),
    'Z = tanh(Z @ W + X @ U + b)',
    'logits = Z @ V + c',
    'loss = softmax_cross_entropy(logits, Y)',
    'output loss',
    '',
  ].join('\n');
}

/** The layer as a program (inputs X, Y, U, W, b, V, c). */
export function deqProgram(samples: number, features: number, hidden: number, classes: number): Program {
  return parseProgram(deqText(samples, features, hidden, classes), { file: 'deq.lag' });
}

/** The trained inputs, in the program's order after X and Y. */
export const PARAMETERS = ['U', 'W', 'b', 'V', 'c'] as const;
export type Parameter = (typeof PARAMETERS)[number];
export type Parameters = Record<Parameter, Float64Array>;

/**
 * Starting parameters: U, V with N(0, 1/fan-in) entries, W with N(0, 1/hidden) entries scaled so
 * that ‖W‖ = `contraction`, biases 0.
 */
export function startingParameters(
  features: number,
  hidden: number,
  classes: number,
  seed: number,
  contraction: number,
): Parameters {
  const draw = normal(seed);
  const gaussian = (n: number, scale: number) => Float64Array.from({ length: n }, () => draw() * scale);
  const W = gaussian(hidden * hidden, 1 / Math.sqrt(hidden));
  limitNorm(W, hidden, contraction, true);
  return {
    U: gaussian(features * hidden, 1 / Math.sqrt(features)),
    W,
    b: new Float64Array(hidden),
    V: gaussian(hidden * classes, 1 / Math.sqrt(hidden)),
    c: new Float64Array(classes),
  };
}

/**
 * Scales W ([n, n], row-major) so that ‖W‖ — the largest column sum of |W|, the norm of z ↦ z W on
 * rows under |·|∞ — is at most `limit` (exactly `limit` with `exact`). With |tanh'| ≤ 1 the layer is
 * then a contraction: its fixed point exists, is unique, and every iteration converges to it. The
 * projection training applies after each step (deep equilibrium models use weight normalization for
 * the same reason). Returns the norm before scaling.
 */
export function limitNorm(W: Float64Array, n: number, limit: number, exact = false): number {
  let norm = 0;
  for (let j = 0; j < n; j++) {
    let column = 0;
    for (let i = 0; i < n; i++) column += Math.abs(W[i * n + j]);
    norm = Math.max(norm, column);
  }
  if (norm > limit || (exact && norm > 0)) for (let e = 0; e < W.length; e++) W[e] *= limit / norm;
  return norm;
}

/** A gradient entry as a flat row-major array. */
export function entries(value: unknown): Float64Array {
  if (value instanceof Matrix) return Float64Array.from(value.to1DArray());
  if (value instanceof Float64Array) return value;
  if (typeof value === 'number') return Float64Array.of(value);
  throw new Error(`not a gradient entry: ${String(value)}`);
}

/** The parameters' gradient as one flat array in PARAMETERS order. */
export function flatGradient(gradient: Readonly<Record<string, unknown>>): Float64Array {
  const parts = PARAMETERS.map((p) => entries(gradient[p]));
  const out = new Float64Array(parts.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of parts) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** ‖a − b‖₂ / ‖b‖₂. */
export function relativeError(a: Float64Array, b: Float64Array): number {
  let d = 0;
  let n = 0;
  for (let e = 0; e < b.length; e++) {
    d += (a[e] - b[e]) ** 2;
    n += b[e] ** 2;
  }
  return Math.sqrt(d / n);
}
