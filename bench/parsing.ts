import { workloadDag } from './dag.ts';
import { lagText } from './lagrad.ts';

// The parse benchmark's texts and its baseline. The baseline is what any parser with a `Map` of
// names must at least do: cut each line's names out of the text and make the name table's
// look-ups — no tokens, no expressions, no program. `parse` is measured against it, side by side.

/** A `.lag` text of the `far` workload (`v9 = sin(v3)` …), in order and with its constraint lines reversed. */
export function parseTexts(size: number, inputs: number, seed: number): { inOrder: string; reversed: string } {
  const inOrder = lagText(workloadDag('far', size, inputs, seed));
  const lines = inOrder.split('\n');
  // Inputs first, output last (its line, then the final empty string after the last newline).
  const body = lines.slice(inputs, lines.length - 2).reverse();
  const reversed = [...lines.slice(0, inputs), ...body, ...lines.slice(lines.length - 2)].join('\n');
  return { inOrder, reversed };
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);

/** The end of the number starting at i (digits, a point, digits, an exponent), so its e is not a name. */
function numberEnd(text: string, i: number): number {
  while (isDigit(text.charCodeAt(i)) || text.charCodeAt(i) === 46) i++;
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    const sign = text.charCodeAt(i + 1);
    const j = sign === 43 || sign === 45 ? i + 2 : i + 1;
    if (isDigit(text.charCodeAt(j))) for (i = j; isDigit(text.charCodeAt(i));) i++;
  }
  return i;
}

/**
 * The baseline: per line, every name sliced out of the text; the one defined (the first, or the
 * one after `input` or `init`) is looked up and entered in a `Map` as a definition is, every other
 * one not followed by `(` is looked up as a reference is. Returns a checksum so that nothing is
 * optimized away.
 */
export function nameTableBaseline(text: string): number {
  const table = new Map<string, number>();
  let checksum = 0;
  let line = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    let first = true;
    for (let i = lineStart; i < lineEnd;) {
      const c = text.charCodeAt(i);
      if (!isNameStart(c)) {
        i = isDigit(c) || c === 46 ? numberEnd(text, i) : i + 1;
        continue;
      }
      const start = i;
      while (i < lineEnd && isNamePart(text.charCodeAt(i))) i++;
      const name = text.slice(start, i);
      if (first) {
        first = false;
        if (name === 'input' || name === 'init')
          first = true; // the name after the keyword is the one defined
        else if (name === 'output')
          continue; // the name after it is looked up
        else if (table.get(name) === undefined) table.set(name, line);
      } else if (text.charCodeAt(i) !== 40) {
        checksum += table.get(name) ?? -1;
      }
    }
    lineStart = lineEnd + 1;
    line++;
  }
  return checksum + table.size;
}
