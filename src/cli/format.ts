/**
 * A value as JSON, the same bytes on every run of the same command: numbers in full precision (the
 * shortest text that reads back to the same double); a number that is not finite is null, never a
 * string, so a field keeps its type (results — values, gradients, multipliers — are never
 * non-finite: a schedule that meets one reports an error instead); timings (fields in milliseconds,
 * `…Ms`) only when `flags.timing` (--timing).
 */
export function json(value: unknown, flags: { readonly timing?: unknown } = {}): string {
  const timing = flags.timing === true;
  return JSON.stringify(value, (key, v) => (!timing && key.endsWith('Ms') ? undefined : typeof v === 'number' && !Number.isFinite(v) ? null : v));
}

/** An error as `lagrad --json` prints it on standard error: `{"error": {"where", "what"}}`. */
export function jsonError(where: string, what: string): string {
  return json({ error: { where, what } });
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
