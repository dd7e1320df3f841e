/**
 * Central difference of f at x along direction d: (f(x + h d) − f(x − h d)) / 2h, the directional
 * derivative ⟨∇f(x), d⟩ up to O(h²). h defaults to ε^(1/3)·max(1, |x|), which balances
 * truncation against rounding.
 */
export function centralDifference(
  f: (x: Float64Array) => number,
  x: Float64Array,
  d: Float64Array,
  h?: number,
): number {
  const scale = Math.max(1, ...Array.from(x, Math.abs));
  const step = h ?? Math.cbrt(Number.EPSILON) * scale;
  const plus = x.map((xi, k) => xi + step * d[k]);
  const minus = x.map((xi, k) => xi - step * d[k]);
  return (f(plus) - f(minus)) / (2 * step);
}

/** ⟨a, b⟩. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s;
}

/** |a − b| / max(1, |a|, |b|): relative error with an absolute floor near zero. */
export function relativeError(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
}
