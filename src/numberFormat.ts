// Numbers in messages, certificates and tables — the one place that decides how they read.
// Full-precision numbers (values and gradients in results and JSON) are printed with String(x),
// the shortest text that reads back to the same double; these are for residuals, tolerances,
// rates and the values quoted in an error.

/**
 * x to `digits` significant digits: plain between 10⁻³ and 10⁶ (`0.7391`, `12.5`), in exponent
 * form outside (`2.22e-16`, `1e+200`); 0, NaN and ±Infinity as themselves.
 */
export function formatNumber(x: number, digits = 4): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const rounded = Number(x.toPrecision(digits));
  const size = Math.abs(rounded);
  return size >= 1e-3 && size < 1e6 ? String(rounded) : rounded.toExponential();
}

/** A count that may be astronomical: exact below 10¹⁵, else three digits (`2.54e+30`). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than 1e308';
  return n < 1e15 ? String(n) : n.toPrecision(3);
}
