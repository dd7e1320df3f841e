import { LagradError } from '../error.ts';
import { finishHash, hashStep } from '../program/names.ts';

export enum Kind {
  Number,
  Name,
  Operator,
  Open,
  Close,
  Comma,
  End,
}

const isDigit = (c: number) => c >= 48 && c <= 57;
export const isNameStart = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
/** [A-Za-z0-9_] by character code: one load per character of a name instead of five comparisons. */
const NAME_PART = Uint8Array.from({ length: 128 }, (_, c) => (isNameStart(c) || isDigit(c) ? 1 : 0));
const isNamePart = (c: number) => c < 128 && NAME_PART[c] === 1;

/** 10⁰ … 10²², every one exact in Float64. */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Reads the tokens of one line of a source text, one at a time, without making an object or a
 * string per token: the current token is the scanner's state (`kind`, `start`, `end`, and `value`
 * for a number or `hash` for a name), so a 10⁶-line program is read without garbage. Numbers are
 * `2`, `0.5`, `.5`, `1e-3`; names are [A-Za-z_][A-Za-z0-9_]*; operators + - * / ^ and @ (the
 * matrix product); `(` `)` `,`.
 * Errors name `file:line:column`.
 */
export class Scanner {
  kind = Kind.End;
  /** The current token is text[start, end). */
  start = 0;
  end = 0;
  /** A number's value. */
  value = 0;
  /** A name's `hashName` (computed as it is read), for the name table. */
  hash = 0;
  private text = '';
  private position = 0;
  private to = 0;
  private lineStart = 0;
  private lineNumber = 0;

  constructor(readonly file: string) {}

  /** Starts reading text[from, to), part of the line that starts at `lineStart`. */
  reset(text: string, lineStart: number, from: number, to: number, lineNumber: number): void {
    this.text = text;
    this.lineStart = lineStart;
    this.position = from;
    this.to = to;
    this.lineNumber = lineNumber;
    this.kind = Kind.End;
    this.start = this.end = from;
  }

  /** The text being read. */
  get source(): string {
    return this.text;
  }

  /** The line being read. */
  get line(): number {
    return this.lineNumber;
  }

  /** 1-based column of the current token. */
  get column(): number {
    return this.start - this.lineStart + 1;
  }

  /** The current token's text (an operator's character, a name, a number as written). */
  get token(): string {
    return this.text.slice(this.start, this.end);
  }

  /** The current token's first character code (an operator, a parenthesis, a comma). */
  get char(): number {
    return this.text.charCodeAt(this.start);
  }

  /** `file:line:column` of a column of the current line. */
  where(column: number): string {
    return `${this.file}:${this.lineNumber}:${column}`;
  }

  /** How the current token is named in messages. */
  describe(): string {
    return this.kind === Kind.End ? 'the end of the line' : `'${this.token}'`;
  }

  /** The next character that is not a space, without reading it (−1 at the end); `column` then points at it. */
  peek(): number {
    this.skipSpaces();
    this.start = this.position;
    return this.position < this.to ? this.text.charCodeAt(this.position) : -1;
  }

  /** Steps over the character `peek` returned. */
  skip(): void {
    this.position++;
  }

  /** Reads the next token and returns its kind. */
  next(): Kind {
    this.skipSpaces();
    const text = this.text;
    const start = (this.start = this.position);
    if (start >= this.to) {
      this.end = this.to;
      return (this.kind = Kind.End);
    }
    const c = text.charCodeAt(start);
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) return this.number();
    if (isNameStart(c)) {
      // The name and its hash in one pass.
      let h = hashStep(0, c);
      let i = start + 1;
      for (let d = text.charCodeAt(i); i < this.to && isNamePart(d); d = text.charCodeAt(++i)) h = hashStep(h, d);
      this.end = this.position = i;
      this.hash = finishHash(h);
      return (this.kind = Kind.Name);
    }
    this.end = this.position = start + 1;
    if (c === 43 || c === 45 || c === 42 || c === 47 || c === 94 || c === 64) return (this.kind = Kind.Operator);
    if (c === 40) return (this.kind = Kind.Open);
    if (c === 41) return (this.kind = Kind.Close);
    if (c === 44) return (this.kind = Kind.Comma);
    throw new LagradError(this.where(this.column), `unexpected character '${text[start]}'`);
  }

  private skipSpaces(): void {
    let i = this.position;
    for (
      let c = this.text.charCodeAt(i);
      i < this.to && (c === 32 || c === 9 || c === 13);
      c = this.text.charCodeAt(++i)
    );
    this.position = i;
  }

  /**
   * A number: digits, an optional fraction, an optional exponent. Up to 15 significant digits and
   * a decimal exponent within ±22, the value is m·10^e or m / 10^−e with m and 10^|e| exact —
   * one correctly rounded operation, the value Number() gives — computed without a string;
   * other numbers go through Number().
   */
  private number(): Kind {
    const text = this.text;
    const to = this.to;
    let i = this.start;
    let mantissa = 0;
    let digits = 0;
    let exponent = 0;
    for (let c = text.charCodeAt(i); i < to && isDigit(c); c = text.charCodeAt(++i)) {
      if (digits > 0 || c !== 48) digits++;
      mantissa = mantissa * 10 + (c - 48);
    }
    if (i < to && text.charCodeAt(i) === 46) {
      for (let c = text.charCodeAt(++i); i < to && isDigit(c); c = text.charCodeAt(++i)) {
        if (digits > 0 || c !== 48) digits++;
        mantissa = mantissa * 10 + (c - 48);
        exponent--;
      }
    }
    const e = text.charCodeAt(i);
    if (i < to && (e === 101 || e === 69)) {
      let j = i + 1;
      const sign = text.charCodeAt(j);
      if (sign === 43 || sign === 45) j++;
      if (j < to && isDigit(text.charCodeAt(j))) {
        let power = 0;
        for (i = j; i < to && isDigit(text.charCodeAt(i)); i++)
          power = Math.min(power * 10 + (text.charCodeAt(i) - 48), 1e6);
        exponent += sign === 45 ? -power : power;
      }
    }
    if (i < to && isNameStart(text.charCodeAt(i)))
      throw new LagradError(this.where(this.column), `malformed number '${text.slice(this.start, i + 1)}'`);
    this.end = this.position = i;
    if (digits <= 15 && exponent >= -22 && exponent <= 22)
      this.value = exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * POWERS_OF_TEN[exponent];
    else this.value = Number(text.slice(this.start, i));
    return (this.kind = Kind.Number);
  }
}
