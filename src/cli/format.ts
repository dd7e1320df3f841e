/** Full-precision numbers (the shortest text that reads back to the same double), as JSON. */
export function json(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** Rows of cells as aligned text columns; numbers right-aligned. */
export function table(rows: readonly (readonly (string | number)[])[], indent = ''): string {
  const cells = rows.map((row) => row.map((c) => (typeof c === 'number' ? String(c) : c)));
  const widths: number[] = [];
  for (const row of cells) row.forEach((c, k) => (widths[k] = Math.max(widths[k] ?? 0, c.length)));
  return cells
    .map((row, r) =>
      indent +
      row
        .map((c, k) => (typeof rows[r][k] === 'number' ? c.padStart(widths[k]) : c.padEnd(widths[k])))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
