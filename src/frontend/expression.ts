import { LagradError } from '../error.ts';
import type { ProgramBuilder } from '../program/builder.ts';
import { primitives, suggest } from '../primitives/registry.ts';
import { Kind, describe, type Token } from './tokens.ts';

/** Resolves a name at a column to a variable index (or a builder placeholder). */
export type NameLookup = (name: string, column: number) => number;

/** Where a token is, for errors: `prog.lag:3:7`. */
export type Locate = (column: number) => string;

// Operator stack entries. Binary operators and prefix minus carry a precedence; `(` and calls are
// barriers. `^` binds tighter than unary minus and is right-associative (DESIGN §5).
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
const UNRECORDED = -0x7fffffff;
const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, neg: 3, '^': 4 };
const precedence = (p: Pending) => (p.entry === Entry.Negate ? PRECEDENCE.neg : PRECEDENCE[p.text]);

/**
 * Parses tokens into constraints recorded in `builder` and returns the variable of the whole
 * expression. Shunting-yard with explicit stacks: no recursion, so nesting depth is bounded only
 * by memory. Subexpressions over constants only are folded into one constant.
 */
export function parseExpression(tokens: readonly Token[], builder: ProgramBuilder, lookup: NameLookup, where: Locate, line: number): number {
  // An operand is a variable index, or a constant not yet recorded (index UNRECORDED, value in
  // `constants`): constants are folded and only become `const` constraints when a primitive
  // needs one as a parent.
  const operands: number[] = [];
  const constants: number[] = [];
  const pending: Pending[] = [];
  let expectOperand = true;

  const push = (index: number, value = NaN) => {
    operands.push(index);
    constants.push(value);
  };
  /** Records a new constraint's location and pushes it. */
  const node = (index: number, column: number) => {
    if (line > 0) builder.locate(index, line, column);
    push(index);
  };
  const record = (index: number, value: number, column: number) => {
    if (index !== UNRECORDED) return index;
    const c = builder.constant(value);
    if (line > 0) builder.locate(c, line, column);
    return c;
  };

  const reduce = (p: Pending) => {
    if (p.entry === Entry.Negate) {
      const a = operands.pop()!;
      const ca = constants.pop()!;
      if (!Number.isNaN(ca)) push(UNRECORDED, -ca);
      else node(builder.apply('neg', a), p.column);
      return;
    }
    const b = operands.pop()!;
    const cb = constants.pop()!;
    const a = operands.pop()!;
    const ca = constants.pop()!;
    binary(p.text, a, ca, b, cb, p.column);
  };

  const binary = (operator: string, a: number, ca: number, b: number, cb: number, column: number) => {
    const aConst = !Number.isNaN(ca);
    const bConst = !Number.isNaN(cb);
    const name = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' }[operator]!;
    if (aConst && bConst) return push(UNRECORDED, primitives.evaluate(primitives.code(name), [ca, cb]));
    // One constant operand: primitives that carry it as θ save a variable.
    if (operator === '^' && bConst) return node(cb === 2 ? builder.apply('square', a) : builder.apply('powc', a, undefined, cb), column);
    if (operator === '+' && bConst) return node(builder.apply('shift', a, undefined, cb), column);
    if (operator === '+' && aConst) return node(builder.apply('shift', b, undefined, ca), column);
    if (operator === '-' && bConst) return node(builder.apply('shift', a, undefined, -cb), column);
    if (operator === '*' && aConst) return node(builder.apply('scale', b, undefined, ca), column);
    if (operator === '*' && bConst) return node(builder.apply('scale', a, undefined, cb), column);
    node(builder.apply(name, record(a, ca, column), record(b, cb, column)), column);
  };

  const call = (p: Pending) => {
    const args = operands.splice(operands.length - p.args, p.args);
    const values = constants.splice(constants.length - p.args, p.args);
    const fn = p.text;
    const place = where(p.column);
    if (!primitives.has(fn) || fn === 'input') throw new LagradError(place, `unknown function '${fn}'${suggest(fn, callable())}`);
    const code = primitives.code(fn);
    const prim = primitives.get(code);
    if (prim.constant || prim.arity === 0) throw new LagradError(place, `'${fn}' carries a constant and cannot be called; write it with operators`);
    if (prim.arity === 'variadic' ? args.length < 1 : args.length !== prim.arity) {
      throw new LagradError(place, `${fn} takes ${prim.arity === 'variadic' ? 'one or more' : prim.arity} argument${prim.arity === 1 ? '' : 's'}, got ${args.length}`);
    }
    if (values.every((v) => !Number.isNaN(v))) return push(UNRECORDED, primitives.evaluate(code, values));
    if (fn === 'pow') return binary('^', args[0], values[0], args[1], values[1], p.column);
    const parents = args.map((a, k) => record(a, values[k], p.column));
    if (prim.arity === 'variadic') return node(builder.applyMany(code, parents), p.column);
    node(prim.arity === 1 ? builder.apply(code, parents[0]) : builder.apply(code, parents[0], parents[1]), p.column);
  };

  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (expectOperand) {
      if (t.kind === Kind.Number) {
        push(UNRECORDED, t.value);
        expectOperand = false;
      } else if (t.kind === Kind.Name) {
        if (tokens[k + 1].kind === Kind.Open) {
          pending.push({ entry: Entry.Call, text: t.text, column: t.column, args: 0 });
          k++;
          if (tokens[k + 1].kind === Kind.Close) throw new LagradError(where(tokens[k + 1].column), `${t.text}() needs an argument`);
        } else {
          push(lookup(t.text, t.column));
          expectOperand = false;
        }
      } else if (t.kind === Kind.Operator && t.text === '-') {
        pending.push({ entry: Entry.Negate, text: '-', column: t.column, args: 0 });
      } else if (t.kind === Kind.Operator && t.text === '+') {
        // unary plus: nothing to record
      } else if (t.kind === Kind.Open) {
        pending.push({ entry: Entry.Paren, text: '(', column: t.column, args: 0 });
      } else {
        throw new LagradError(where(t.column), `expected a number, a name or '(' but found ${describe(t)}`);
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
        if (p > incoming || (p === incoming && !rightAssociative)) reduce(pending.pop()!);
        else break;
      }
      pending.push({ entry: Entry.Binary, text: t.text, column: t.column, args: 0 });
      expectOperand = true;
    } else if (t.kind === Kind.Close || t.kind === Kind.Comma) {
      while (pending.length > 0 && (pending[pending.length - 1].entry === Entry.Binary || pending[pending.length - 1].entry === Entry.Negate)) reduce(pending.pop()!);
      const top = pending[pending.length - 1];
      if (top === undefined) throw new LagradError(where(t.column), `unmatched ${describe(t)}`);
      if (t.kind === Kind.Comma) {
        if (top.entry !== Entry.Call) throw new LagradError(where(t.column), "',' outside a function call");
        top.args++;
        expectOperand = true;
      } else {
        pending.pop();
        if (top.entry === Entry.Call) {
          top.args++;
          call(top);
        }
      }
    } else if (t.kind === Kind.End) {
      while (pending.length > 0) {
        const top = pending.pop()!;
        if (top.entry === Entry.Paren || top.entry === Entry.Call) throw new LagradError(where(top.column), `'(' is never closed`);
        reduce(top);
      }
    } else {
      throw new LagradError(where(t.column), `expected an operator before ${describe(t)}`);
    }
  }
  return record(operands[0], constants[0], tokens[0].column);
}

/** Names a user may call: every primitive that takes arguments and no constant. */
export function callable(): string[] {
  return primitives
    .all()
    .filter((p) => p.arity !== 0 && !p.constant && p.name !== 'id')
    .map((p) => p.name);
}
