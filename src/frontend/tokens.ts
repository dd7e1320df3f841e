import { LagradError } from '../error.ts';

export enum Kind {
  Number,
  Name,
  Operator,
  Open,
  Close,
  Comma,
  End,
}

export interface Token {
  readonly kind: Kind;
  /** The operator character, the name, or the number's text. */
  readonly text: string;
  readonly value: number;
  /** 1-based column in the line. */
  readonly column: number;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isNamePart = (c: number) => isNameStart(c) || isDigit(c);

/**
 * Splits one line of an expression into tokens, from column `from` (0-based) to `to`. Numbers are
 * `2`, `0.5`, `.5`, `1e-3`; names are [A-Za-z_][A-Za-z0-9_]*; operators + - * / ^ and @ (the matrix product).
 * Errors name `file:lineNumber:column`.
 */
export function tokenize(line: string, from: number, to: number, file: string, lineNumber: number): Token[] {
  const tokens: Token[] = [];
  let i = from;
  while (i < to) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      i++;
      continue;
    }
    const start = i;
    if (isDigit(c) || (c === 46 && isDigit(line.charCodeAt(i + 1)))) {
      while (i < to && isDigit(line.charCodeAt(i))) i++;
      if (line.charCodeAt(i) === 46) {
        i++;
        while (i < to && isDigit(line.charCodeAt(i))) i++;
      }
      const e = line.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const sign = line.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(line.charCodeAt(j))) {
          i = j;
          while (i < to && isDigit(line.charCodeAt(i))) i++;
        }
      }
      if (i < to && isNameStart(line.charCodeAt(i))) throw new LagradError(`${file}:${lineNumber}:${start + 1}`, `malformed number '${line.slice(start, i + 1)}'`);
      const text = line.slice(start, i);
      const value = Number(text);
      // 1e999 reads as Infinity: a literal that overflows is refused here, where it is written.
      if (!Number.isFinite(value)) throw new LagradError(`${file}:${lineNumber}:${start + 1}`, `${text} = ${value}: not a finite number`);
      tokens.push({ kind: Kind.Number, text, value, column: start + 1 });
      continue;
    }
    if (isNameStart(c)) {
      while (i < to && isNamePart(line.charCodeAt(i))) i++;
      tokens.push({ kind: Kind.Name, text: line.slice(start, i), value: 0, column: start + 1 });
      continue;
    }
    i++;
    const ch = line[start];
    if (ch === '+' || ch === '-' || ch === '*' || ch === '/' || ch === '^' || ch === '@') tokens.push({ kind: Kind.Operator, text: ch, value: 0, column: start + 1 });
    else if (ch === '(') tokens.push({ kind: Kind.Open, text: ch, value: 0, column: start + 1 });
    else if (ch === ')') tokens.push({ kind: Kind.Close, text: ch, value: 0, column: start + 1 });
    else if (ch === ',') tokens.push({ kind: Kind.Comma, text: ch, value: 0, column: start + 1 });
    else throw new LagradError(`${file}:${lineNumber}:${start + 1}`, `unexpected character '${ch}'`);
  }
  tokens.push({ kind: Kind.End, text: 'end of line', value: 0, column: to + 1 });
  return tokens;
}

/** How a token is named in messages. */
export function describe(t: Token): string {
  return t.kind === Kind.End ? 'the end of the line' : `'${t.text}'`;
}
