// Why one file of 320+ lines: One shunting-yard parser: its stacks, folding and cases belong together.
import { LagradError } from '../error.ts';
import type { ProgramBuilder } from '../program/builder.ts';
import { NameTable } from '../program/names.ts';
import { primitives, suggest } from '../primitives/registry.ts';
import { BINARY, withConstant } from './fold.ts';
import { symbolOf } from '../program/shape.ts';
import { Kind, type Scanner } from './tokens.ts';

/**
 * Resolves the name text[start, end) (its `hashName` given, at a column of the current line) to a
 * variable index or a builder placeholder. The name is not cut out of the text: a name table
 * looks it up in place.
 */
export type NameLookup = (text: string, start: number, end: number, hash: number, column: number) => number;

// Operator stack entries. Binary operators and prefix minus carry a precedence; `(` and calls are
// barriers. `^` binds tighter than unary minus and is right-associative (DESIGN §5); `@`, the
// matrix product, binds like `*` and `/` (as in NumPy), left to right.
const enum Entry {
  Binary,
  Negate,
  Paren,
  Call,
}
/** An entry of the operator stack; the stack's objects are reused from line to line. */
interface Pending {
  entry: Entry;
  /** A binary operator's character code; a call's op code (−1: no such function). */
  op: number;
  column: number;
  args: number;
  /** A call's name is text[nameStart, nameEnd) of the line being parsed (for messages). */
  nameStart: number;
  nameEnd: number;
}
/**
 * Marks an operand that is a constant not yet recorded as a variable: −2³¹, which is neither a
 * variable nor a builder placeholder (those stop at −(2³¹ − 1)). The marker is the index, never the
 * value: a constant may be any number, and one that is not finite is refused where it is folded.
 */
const UNRECORDED = -(2 ** 31);
const PLUS = 43;
const MINUS = 45;
const POWER = 94;
const OPEN = 40;
const CLOSE = 41;
/** The precedence of + − * / @ ^ by character code (`@` binds like `*` and `/`, as in NumPy), and of prefix minus. */
const precedenceOf = (op: number) => (op === PLUS || op === MINUS ? 1 : op === POWER ? 4 : 2);
const NEGATE_PRECEDENCE = 3;
const precedence = (p: Pending) => (p.entry === Entry.Negate ? NEGATE_PRECEDENCE : precedenceOf(p.op));
const OPERATOR: Record<number, keyof typeof BINARY> = { 43: '+', 45: '-', 42: '*', 47: '/', 94: '^', 64: '@' };

/**
 * Parses expressions into constraints recorded in a builder. Shunting-yard with explicit stacks:
 * no recursion, so nesting depth is bounded only by memory. One parser serves every line of a
 * file, reusing its stacks; it reads tokens from a Scanner and makes no object per token or per
 * operator. Subexpressions over constants only are folded into one constant.
 */
export class ExpressionParser {
  // The operand stack, entries 0 … top − 1 (typed arrays: no garbage from line to line). An operand
  // is a variable index (or a placeholder), or a constant not yet recorded (index UNRECORDED, value
  // in `constants`): constants are folded and only become `const` constraints when a primitive
  // needs one as a parent.
  private operands = new Int32Array(64);
  private constants = new Float64Array(64);
  private top = 0;
  /** The operator stack: entries 0 … depth − 1 of `stack` (objects kept for reuse past depth). */
  private readonly stack: Pending[] = [];
  private depth = 0;
  /** Called names → op codes, looked up in the registry once per name per parser. */
  private readonly functions = new NameTable();
  /** Op codes of the primitives operators record (add, neg, shift …), looked up once per parser. */
  private readonly codes: Record<string, number> = {};
  private scanner!: Scanner;

  constructor(private readonly builder: ProgramBuilder) {}

  /** Where a column of the current line is, for errors: `prog.lag:3:7`. */
  where(column: number): string {
    return this.scanner.where(column);
  }

  /** Parses the rest of the scanner's line as one expression and returns the variable of the whole. */
  parse(scanner: Scanner, lookup: NameLookup): number {
    this.scanner = scanner;
    this.top = this.depth = 0;
    let expectOperand = true;
    let firstColumn = 0;
    for (let kind = scanner.next(); ; kind = scanner.next()) {
      if (firstColumn === 0) firstColumn = scanner.column;
      if (expectOperand) {
        if (kind === Kind.Number) {
          if (!Number.isFinite(scanner.value))
            throw new LagradError(
              this.where(scanner.column),
              `${scanner.token} = ${scanner.value}: not a finite number`,
            );
          this.push(UNRECORDED, scanner.value);
          expectOperand = false;
        } else if (kind === Kind.Name) {
          const { start, end, column } = scanner;
          if (scanner.peek() === OPEN) {
            const call = this.open(Entry.Call, this.codeOf(scanner.source, start, end, scanner.hash), column);
            call.nameStart = start;
            call.nameEnd = end;
            scanner.skip();
            if (scanner.peek() === CLOSE)
              throw new LagradError(
                this.where(scanner.column),
                `${scanner.source.slice(start, end)}() needs an argument`,
              );
          } else {
            this.push(lookup(scanner.source, start, end, scanner.hash, column));
            expectOperand = false;
          }
        } else if (kind === Kind.Operator && scanner.char === MINUS) {
          this.open(Entry.Negate, MINUS, scanner.column);
        } else if (kind === Kind.Operator && scanner.char === PLUS) {
          // unary plus: nothing to record
        } else if (kind === Kind.Open) {
          this.open(Entry.Paren, OPEN, scanner.column);
        } else {
          throw new LagradError(
            this.where(scanner.column),
            `expected a number, a name or '(' but found ${scanner.describe()}`,
          );
        }
        continue;
      }
      // Expecting an operator, a closing parenthesis, a comma or the end.
      if (kind === Kind.Operator) {
        const op = scanner.char;
        const incoming = precedenceOf(op);
        const rightAssociative = op === POWER;
        while (this.depth > 0) {
          const top = this.stack[this.depth - 1];
          if (top.entry !== Entry.Binary && top.entry !== Entry.Negate) break;
          const p = precedence(top);
          if (p > incoming || (p === incoming && !rightAssociative)) this.reduce(this.stack[--this.depth]);
          else break;
        }
        this.open(Entry.Binary, op, scanner.column);
        expectOperand = true;
      } else if (kind === Kind.Close || kind === Kind.Comma) {
        this.reduceOperators();
        if (this.depth === 0) throw new LagradError(this.where(scanner.column), `unmatched ${scanner.describe()}`);
        const top = this.stack[this.depth - 1];
        if (kind === Kind.Comma) {
          if (top.entry !== Entry.Call)
            throw new LagradError(this.where(scanner.column), "',' outside a function call");
          top.args++;
          expectOperand = true;
        } else {
          this.depth--;
          if (top.entry === Entry.Call) {
            top.args++;
            this.call(top);
          }
        }
      } else if (kind === Kind.End) {
        this.reduceOperators();
        if (this.depth > 0) throw new LagradError(this.where(this.stack[this.depth - 1].column), `'(' is never closed`);
        return this.record(this.operands[0], this.constants[0], firstColumn);
      } else {
        throw new LagradError(this.where(scanner.column), `expected an operator before ${scanner.describe()}`);
      }
    }
  }

  /** Pushes an entry on the operator stack, reusing the object left at that depth. */
  private open(entry: Entry, op: number, column: number): Pending {
    let p = this.stack[this.depth];
    if (p === undefined) this.stack.push((p = { entry, op, column, args: 0, nameStart: 0, nameEnd: 0 }));
    p.entry = entry;
    p.op = op;
    p.column = column;
    p.args = 0;
    this.depth++;
    return p;
  }

  private push(index: number, value = 0): void {
    if (this.top === this.operands.length) {
      const operands = new Int32Array(2 * this.top);
      operands.set(this.operands);
      this.operands = operands;
      const constants = new Float64Array(2 * this.top);
      constants.set(this.constants);
      this.constants = constants;
    }
    this.operands[this.top] = index;
    this.constants[this.top++] = value;
  }

  /** Records a new constraint's location and pushes it. */
  private node(index: number, column: number): void {
    this.builder.locate(index, this.scanner.line, column);
    this.push(index);
  }

  /** The operand as a variable: a pending constant becomes a `const` constraint here. */
  private record(index: number, value: number, column: number): number {
    if (index !== UNRECORDED) return index;
    const c = this.builder.constant(value);
    this.builder.locate(c, this.scanner.line, column);
    return c;
  }

  private reduceOperators(): void {
    for (
      let top = this.stack[this.depth - 1];
      this.depth > 0 && (top.entry === Entry.Binary || top.entry === Entry.Negate);
      top = this.stack[this.depth - 1]
    ) {
      this.depth--;
      this.reduce(top);
    }
  }

  private reduce(p: Pending): void {
    const b = this.operands[--this.top];
    const cb = this.constants[this.top];
    if (p.entry === Entry.Negate) {
      if (b === UNRECORDED) this.push(UNRECORDED, -cb);
      else this.node(this.builder.apply(this.code('neg'), b), p.column);
      return;
    }
    const a = this.operands[--this.top];
    const ca = this.constants[this.top];
    this.binary(OPERATOR[p.op], a, ca, b, cb, p.column);
  }

  private binary(operator: keyof typeof BINARY, a: number, ca: number, b: number, cb: number, column: number): void {
    const name = BINARY[operator];
    if (a === UNRECORDED && b === UNRECORDED) return this.fold(this.code(name), [ca, cb], column);
    const folded = withConstant(name, a, a === UNRECORDED ? ca : undefined, b, b === UNRECORDED ? cb : undefined);
    if (folded)
      return this.node(this.builder.apply(this.code(folded.op), folded.parent, undefined, folded.constant), column);
    this.node(this.builder.apply(this.code(name), this.record(a, ca, column), this.record(b, cb, column)), column);
  }

  /**
   * Pushes p(values), folded now. A primitive that refuses scalars (`2 @ 3`) and a result that is
   * not finite (`log(-1) = NaN`) are errors at the column.
   */
  private fold(code: number, values: readonly number[], column: number): void {
    let y: number;
    try {
      y = primitives.evaluate(code, values);
    } catch (e) {
      if (e instanceof LagradError)
        throw new LagradError(this.where(column), `'${symbolOf(primitives.get(code).name)}': ${e.what}`);
      throw e;
    }
    if (!Number.isFinite(y))
      throw new LagradError(
        this.where(column),
        `${primitives.get(code).name}(${values.map(show).join(', ')}) = ${y}: not a finite number`,
      );
    this.push(UNRECORDED, y);
  }

  /** The op code of a primitive operators record. */
  private code(name: string): number {
    return (this.codes[name] ??= primitives.code(name));
  }

  /** The op code of the function named text[start, end), or −1 when there is none. */
  private codeOf(text: string, start: number, end: number, hash: number): number {
    const entry = this.functions.intern(text, start, end, hash);
    if (this.functions.valueOf(entry) < 0) {
      const fn = this.functions.nameOf(entry);
      if (primitives.has(fn) && fn !== 'input') this.functions.bind(entry, primitives.code(fn));
    }
    return this.functions.valueOf(entry);
  }

  private call(p: Pending): void {
    const code = p.op;
    if (code < 0) {
      const name = this.scanner.source.slice(p.nameStart, p.nameEnd);
      throw new LagradError(this.where(p.column), `unknown function '${name}'${suggest(name, callable())}`);
    }
    const prim = primitives.get(code);
    const fn = prim.name;
    // The common calls, one variable argument to a one-argument primitive, without array copies.
    if (p.args === 1 && prim.arity === 1 && !prim.constant && this.operands[this.top - 1] !== UNRECORDED) {
      return this.node(this.builder.apply(code, this.operands[--this.top]), p.column);
    }
    this.top -= p.args;
    const args = Array.from(this.operands.subarray(this.top, this.top + p.args));
    const values = Array.from(this.constants.subarray(this.top, this.top + p.args));
    const place = this.where(p.column);
    if (prim.constant || prim.arity === 0)
      throw new LagradError(place, `'${fn}' carries a constant and cannot be called; write it with operators`);
    if (prim.arity === 'variadic' ? args.length < 1 : args.length !== prim.arity) {
      throw new LagradError(
        place,
        `${fn} takes ${prim.arity === 'variadic' ? 'one or more' : prim.arity} argument${prim.arity === 1 ? '' : 's'}, got ${args.length}`,
      );
    }
    if (args.every((a) => a === UNRECORDED)) return this.fold(code, values, p.column);
    if (fn === 'pow') return this.binary('^', args[0], values[0], args[1], values[1], p.column);
    const parents = args.map((a, k) => this.record(a, values[k], p.column));
    if (prim.arity === 'variadic') return this.node(this.builder.applyMany(code, parents), p.column);
    this.node(
      prim.arity === 1 ? this.builder.apply(code, parents[0]) : this.builder.apply(code, parents[0], parents[1]),
      p.column,
    );
  }
}

const show = (x: number) => String(Number(x.toPrecision(6)));

/** Names a user may call: every primitive that takes arguments and no constant. */
export function callable(): string[] {
  return primitives
    .all()
    .filter((p) => p.arity !== 0 && !p.constant && p.name !== 'id')
    .map((p) => p.name);
}
