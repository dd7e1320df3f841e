import { Matrix } from 'ml-matrix';
import type { Value } from '../api/blocks.ts';

/**
 * A value as JSON, the same bytes on every run of the same command: numbers in full precision (the
 * shortest text that reads back to the same double); a number that is not finite is null, never a
 * string, so a field keeps its type (results — values, gradients, multipliers — are never
 * non-finite: a schedule that meets one reports an error instead); blocks as nested arrays, row-major
 * (a Matrix by its toJSON, a Float64Array as a list); timings (fields in milliseconds, `…Ms`) only
 * when `flags.timing` (--timing).
 */
export function json(value: unknown, flags: { readonly timing?: unknown } = {}): string {
  const timing = flags.timing === true;
  return JSON.stringify(value, (key, v) =>
    !timing && key.endsWith('Ms')
      ? undefined
      : typeof v === 'number' && !Number.isFinite(v)
        ? null
        : ArrayBuffer.isView(v)
          ? Array.from(v as Float64Array)
          : v,
  );
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
    .map(
      (row, r) =>
        indent +
        row
          .map((c, k) => (typeof rows[r][k] === 'number' ? c.padStart(widths[k]) : c.padEnd(widths[k])))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}

/** How many entries of a block a table shows: the first few and the last. */
const SHOWN = 4;

/**
 * A table row for a named value: the number itself, or for a block its shape, its norm, its
 * largest entry and where, and its first and last entries — readable for a 4 × 64 matrix; `--json`
 * prints every entry.
 */
export function valueRow(name: string, value: Value): (string | number)[] {
  if (typeof value === 'number') return [name, value];
  const rows = value instanceof Float64Array ? 1 : value.rows;
  const cols = value instanceof Float64Array ? value.length : value.columns;
  const entries = value instanceof Float64Array ? value : Float64Array.from((value as Matrix).to1DArray());
  let norm = 0;
  let largest = 0;
  for (let e = 0; e < entries.length; e++) {
    norm += entries[e] * entries[e];
    if (Math.abs(entries[e]) > Math.abs(entries[largest])) largest = e;
  }
  const at = value instanceof Float64Array ? `[${largest}]` : `[${Math.floor(largest / cols)}, ${largest % cols}]`;
  const first = Array.from(entries.subarray(0, Math.min(SHOWN, entries.length)), short);
  const shown =
    entries.length <= SHOWN + 1 ? Array.from(entries, short) : [...first, '…', short(entries[entries.length - 1])];
  const shape = value instanceof Float64Array ? `[${cols}]` : `[${rows}, ${cols}]`;
  return [
    name,
    shape,
    `‖·‖ ${short(Math.sqrt(norm))}`,
    `max ${short(entries[largest])} at ${at}`,
    `[${shown.join(', ')}]`,
  ];
}

/** Four significant digits. */
function short(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}
