// Small helpers for the examples' printed reports.

/** Milliseconds taken by fn, with its result. */
export function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

/** Rows of cells under a header, right-aligned in columns. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: readonly string[]) => cells.map((c, k) => c.padStart(widths[k])).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
}
