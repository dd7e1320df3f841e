import { LagradError } from '../error.ts';
import type { ProgramBuilder } from '../program/builder.ts';
import { primitives, suggest } from '../primitives/registry.ts';
import { BINARY, withConstant } from './fold.ts';
import { symbolOf } from '../program/shape.ts';
import { Kind, describe, type Token } from './tokens.ts';

/** Resolves a name at a column to a variable index (or a builder placeholder). */
export type NameLookup = (name: string, column: number) => number;

// Operator stack entries. Binary operators and prefix minus carry a precedence; `(` and calls are
// barriers. `^` binds tighter than unary minus and is right-associative (DESIGN §5); `@`, the
// matrix product, binds like `*` and `/` (as in NumPy), left to right.
const enum Entry {
  Binary,
  Negate,
  Paren,
  Call,
}
interface Pending {
  readonly entry: Entry;
  readonly text: string;
  readonly column: number;
  args: number;
}
/**
 * Marks an operand that is a constant not yet recorded as a variable: −2³¹, which is neither a
 * variable nor a builder placeholder (those stop at −(2³¹ − 1)). The marker is the index, never the
 * value: a constant may be any number, and one that is not finite is refused where it is folded.
 */
const UNRECORDED = -(2 ** 31);
const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '@': 2, neg: 3, '^': 4 };
const precedence = (p: Pending) => (p.entry === Entry.Negate ? PRECEDENCE.neg : PRECEDENCE[p.text]);

/**
 * Parses expressions into constraints recorded in a builder. Shunting-yard with explicit stacks:
 * no recursion, so nesting depth is bounded only by memory. One parser serves every line of a
 * file, reusing its stacks. Subexpressions over constants only are folded into one constant.
 */
export class ExpressionParser {
  // An operand is a variable index (or a placeholder), or a constant not yet recorded (index
  // UNRECORDED, value in `constants`): constants are folded and only become `const` constraints
  // when a primitive needs one as a parent.
  private readonly operands: number[] = [];
  private readonly constants: number[] = [];
  private readonly pending: Pending[] = [];
  private file = '';
  private line = 0;

  constructor(private readonly builder: ProgramBuilder) {}

  /** Where a column of the current line is, for errors: `prog.lag:3:7`. */
  where(column: number): string {
    return `${this.file}:${this.line}:${column}`;
  }

  /** Parses one line's tokens and returns the variable of the whole expression. */
  parse(tokens: readonly Token[], lookup: NameLookup, file: string, line: number): number {
    this.file = file;
    this.line = line;
    this.operands.length = this.constants.length = this.pending.length = 0;
    const pending = this.pending;
    let expectOperand = true;
    for (let k = 0; k < tokens.length; k++) {
      const t = tokens[k];
      if (expectOperand) {
        if (t.kind === Kind.Number) {
          if (!Number.isFinite(t.value)) throw new LagradError(this.where(t.column), `${t.text} = ${t.value}: not a finite number`);
          this.push(UNRECORDED, t.value);
          expectOperand = false;
        } else if (t.kind === Kind.Name) {
          if (tokens[k + 1].kind === Kind.Open) {
            pending.push({ entry: Entry.Call, text: t.text, column: t.column, args: 0 });
            k++;
            if (tokens[k + 1].kind === Kind.Close) throw new LagradError(this.where(tokens[k + 1].column), `${t.text}() needs an argument`);
          } else {
            this.push(lookup(t.text, t.column));
            expectOperand = false;
          }
        } else if (t.kind === Kind.Operator && t.text === '-') {
          pending.push({ entry: Entry.Negate, text: '-', column: t.column, args: 0 });
        } else if (t.kind === Kind.Operator && t.text === '+') {
          // unary plus: nothing to record
        } else if (t.kind === Kind.Open) {
          pending.push({ entry: Entry.Paren, text: '(', column: t.column, args: 0 });
        } else {
          throw new LagradError(this.where(t.column), `expected a number, a name or '(' but found ${describe(t)}`);
        }
        continue;
      }
      // Expecting an operator, a closing parenthesis, a comma or the end.
      if (t.kind === Kind.Operator) {
        const incoming = PRECEDENCE[t.text];
        const rightAssociative = t.text === '^';
        while (pending.length > 0) {
          const top = pending[pending.length - 1];
          if (top.entry !== Entry.Binary && top.entry !== Entry.Negate) break;
          const p = precedence(top);
          if (p > incoming || (p === incoming && !rightAssociative)) this.reduce(pending.pop()!);
          else break;
        }
        pending.push({ entry: Entry.Binary, text: t.text, column: t.column, args: 0 });
        expectOperand = true;
      } else if (t.kind === Kind.Close || t.kind === Kind.Comma) {
        this.reduceOperators();
        const top = pending[pending.length - 1];
        if (top === undefined) throw new LagradError(this.where(t.column), `unmatched ${describe(t)}`);
        if (t.kind === Kind.Comma) {
          if (top.entry !== Entry.Call) throw new LagradError(this.where(t.column), "',' outside a function call");
          top.args++;
          expectOperand = true;
        } else {
          pending.pop();
          if (top.entry === Entry.Call) {
            top.args++;
            this.call(top);
          }
        }
      } else if (t.kind === Kind.End) {
        this.reduceOperators();
        const open = pending[pending.length - 1];
        if (open !== undefined) throw new LagradError(this.where(open.column), `'(' is never closed`);
      } else {
        throw new LagradError(this.where(t.column), `expected an operator before ${describe(t)}`);
      }
    }
    return this.record(this.operands[0], this.constants[0], tokens[0].column);
  }

  private push(index: number, value = 0): void {
    this.operands.push(index);
    this.constants.push(value);
  }

  /** Records a new constraint's location and pushes it. */
  private node(index: number, column: number): void {
    this.builder.locate(index, this.line, column);
    this.push(index);
  }

  /** The operand as a variable: a pending constant becomes a `const` constraint here. */
  private record(index: number, value: number, column: number): number {
    if (index !== UNRECORDED) return index;
    const c = this.builder.constant(value);
    this.builder.locate(c, this.line, column);
    return c;
  }

  private reduceOperators(): void {
    const pending = this.pending;
    while (pending.length > 0 && (pending[pending.length - 1].entry === Entry.Binary || pending[pending.length - 1].entry === Entry.Negate)) this.reduce(pending.pop()!);
  }

  private reduce(p: Pending): void {
    const b = this.operands.pop()!;
    const cb = this.constants.pop()!;
    if (p.entry === Entry.Negate) {
      if (b === UNRECORDED) this.push(UNRECORDED, -cb);
      else this.node(this.builder.apply('neg', b), p.column);
      return;
    }
    const a = this.operands.pop()!;
    const ca = this.constants.pop()!;
    this.binary(p.text, a, ca, b, cb, p.column);
  }

  private binary(operator: string, a: number, ca: number, b: number, cb: number, column: number): void {
    const name = BINARY[operator as keyof typeof BINARY];
    if (a === UNRECORDED && b === UNRECORDED) return this.fold(primitives.code(name), [ca, cb], column);
    const folded = withConstant(name, a, a === UNRECORDED ? ca : undefined, b, b === UNRECORDED ? cb : undefined);
    if (folded) return this.node(this.builder.apply(folded.op, folded.parent, undefined, folded.constant), column);
    this.node(this.builder.apply(name, this.record(a, ca, column), this.record(b, cb, column)), column);
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
      if (e instanceof LagradError) throw new LagradError(this.where(column), `'${symbolOf(primitives.get(code).name)}': ${e.what}`);
      throw e;
    }
    if (!Number.isFinite(y)) throw new LagradError(this.where(column), `${primitives.get(code).name}(${values.map(show).join(', ')}) = ${y}: not a finite number`);
    this.push(UNRECORDED, y);
  }

  /** The op code of a called function; an unknown name is an error suggesting the closest. */
  private codeOf(fn: string, column: number): number {
    if (!primitives.has(fn) || fn === 'input') throw new LagradError(this.where(column), `unknown function '${fn}'${suggest(fn, callable())}`);
    return primitives.code(fn);
  }

  private call(p: Pending): void {
    const fn = p.text;
    const code = this.codeOf(fn, p.column);
    const prim = primitives.get(code);
    // The common calls, one variable argument to a one-argument primitive, without array copies.
    if (p.args === 1 && prim.arity === 1 && !prim.constant && this.operands[this.operands.length - 1] !== UNRECORDED) {
      this.constants.pop();
      return this.node(this.builder.apply(code, this.operands.pop()!), p.column);
    }
    const args = this.operands.splice(this.operands.length - p.args, p.args);
    const values = this.constants.splice(this.constants.length - p.args, p.args);
    const place = this.where(p.column);
    if (prim.constant || prim.arity === 0) throw new LagradError(place, `'${fn}' carries a constant and cannot be called; write it with operators`);
    if (prim.arity === 'variadic' ? args.length < 1 : args.length !== prim.arity) {
      throw new LagradError(place, `${fn} takes ${prim.arity === 'variadic' ? 'one or more' : prim.arity} argument${prim.arity === 1 ? '' : 's'}, got ${args.length}`);
    }
    if (args.every((a) => a === UNRECORDED)) return this.fold(code, values, p.column);
    if (fn === 'pow') return this.binary('^', args[0], values[0], args[1], values[1], p.column);
    const parents = args.map((a, k) => this.record(a, values[k], p.column));
    if (prim.arity === 'variadic') return this.node(this.builder.applyMany(code, parents), p.column);
    this.node(prim.arity === 1 ? this.builder.apply(code, parents[0]) : this.builder.apply(code, parents[0], parents[1]), p.column);
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
