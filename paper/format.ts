// How the paper prints numbers and tables (experiments build their tables with these; render.ts formats references).

/** A markdown table: a header row and rows of cells. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Two significant digits in scientific notation (0 as 0): residuals and errors. */
export const sci = (x: number) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : String(x));

/** The largest of some numbers (0 for none). */
export const largest = (xs: Iterable<number>) => {
  let m = 0;
  for (const x of xs) m = Math.max(m, x);
  return m;
};

/** x to `digits` significant digits, without trailing zeros or an exponent below 10²¹ (1.8e+2 → 180). */
export const num = (x: number, digits = 10) => String(Number(x.toPrecision(digits)));

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** A power of ten as 10ⁿ (10000 → 10⁴); anything else in scientific notation. */
export function power(x: number): string {
  const n = Math.round(Math.log10(x));
  if (x !== 10 ** n) return sci(x);
  return `10${String(n).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)])}`;
}
