// Why one file of 390+ lines: The rule language: the tokenizer, parser and printer of one small grammar.
import { LagradError } from '../error.ts';

// The language of string rules: one expression over a, b, c, y and Math, a subset of JavaScript
// with JavaScript's meaning. Parsing every rule at registration is what makes generated code safe:
// the sweeps are printed from the parsed tree (never from the user's text), so a rule cannot close
// the switch, open a comment or call anything but Math. The same tree is evaluated without code
// generation where `new Function` is forbidden (interpretRule), so a rule means the same either way.
//
//   numbers (2, 0.5, 1e-3), Infinity, NaN · a b c y · Math.PI and the other Math constants
//   Math.fn(x, …) for the Math functions · ( ) · unary - + ! · ** · * / % · + - · < <= > >=
//   == != === !== · && || · ?:

/** A parsed rule. */
export type RuleNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'name'; readonly name: Operand }
  | { readonly kind: 'constant'; readonly name: string; readonly value: number }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly RuleNode[] }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '!'; readonly operand: RuleNode }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: RuleNode; readonly right: RuleNode }
  | { readonly kind: 'conditional'; readonly test: RuleNode; readonly then: RuleNode; readonly otherwise: RuleNode };

/** What a rule reads: the first and second parent, the constant θ, the output. */
export type Operand = 'a' | 'b' | 'c' | 'y';
type BinaryOp =
  '||' | '&&' | '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '**';

export type RuleFunction = (a: number, b: number, c: number, y: number) => number;

// JavaScript's precedence levels, lowest first; a primary expression (number, name, call) is PRIMARY.
const CONDITIONAL = 1;
const UNARY = 9;
const PRIMARY = 10;
const BINARY: Record<BinaryOp, number> = {
  '||': 2,
  '&&': 3,
  '==': 4,
  '!=': 4,
  '===': 4,
  '!==': 4,
  '<': 5,
  '<=': 5,
  '>': 5,
  '>=': 5,
  '+': 6,
  '-': 6,
  '*': 7,
  '/': 7,
  '%': 7,
  '**': 8,
};
/** The precedence of the right operand of `*`: print `l * E` with parentheses around E below it. */
export const PRODUCT_OPERAND = BINARY['*'] + 1;

const OPERANDS = new Set(['a', 'b', 'c', 'y']);
// Every Math function but random: a rule is a function of its arguments.
const MATH_FUNCTIONS = [
  'abs',
  'acos',
  'acosh',
  'asin',
  'asinh',
  'atan',
  'atan2',
  'atanh',
  'cbrt',
  'ceil',
  'cos',
  'cosh',
  'exp',
  'expm1',
  'floor',
  'fround',
  'hypot',
  'log',
  'log10',
  'log1p',
  'log2',
  'max',
  'min',
  'pow',
  'round',
  'sign',
  'sin',
  'sinh',
  'sqrt',
  'tan',
  'tanh',
  'trunc',
];
const MATH_CONSTANTS = ['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2'];
// Captured once, so the interpreter calls the functions the generated code would have called.
const math = new Map<string, (...args: number[]) => number>(
  MATH_FUNCTIONS.map((name) => [name, (Math as unknown as Record<string, (...args: number[]) => number>)[name]]),
);
const TOKEN =
  /(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_$][\w$]*)|(===|!==|\*\*|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:(),.])/y;
const SPACE = /\s*/y;
/** Longer or deeper rules are refused rather than risking the stack of the parser and printer. */
const MAX_LENGTH = 4000;
const MAX_DEPTH = 200;

/** Parses a string rule; anything outside the language is a LagradError at `where` naming the fault. */
export function parseRule(text: string, where: string): RuleNode {
  const tokens = tokenize(text, where);
  let at = 0;
  let depth = 0;
  const fail = (what: string): never => {
    throw new LagradError(where, `${quote(text)} is not a JavaScript expression over a, b, c, y and Math: ${what}`);
  };
  const peek = () => tokens[at]?.text;
  const describe = () =>
    at < tokens.length ? `unexpected '${tokens[at].text}' at column ${tokens[at].column}` : 'it ends too early';
  const expect = (t: string) => (peek() === t ? at++ : fail(`expected '${t}', ${describe()}`));
  const parenthesized = new WeakSet<RuleNode>();
  const nested = <T>(parse: () => T): T => {
    if (++depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} deep`);
    const node = parse();
    depth--;
    return node;
  };

  const conditional = (): RuleNode =>
    nested(() => {
      const test = binary(BINARY['||']);
      if (peek() !== '?') return test;
      at++;
      const then = conditional();
      expect(':');
      return { kind: 'conditional', test, then, otherwise: conditional() };
    });

  const binary = (lowest: number): RuleNode =>
    nested(() => {
      let left = unary();
      for (;;) {
        const op = peek() as BinaryOp;
        const level = BINARY[op];
        if (!Object.hasOwn(BINARY, op) || level < lowest) return left;
        if (op === '**' && left.kind === 'unary' && !parenthesized.has(left))
          fail(`a unary operator before '**' needs parentheses, as in (-a) ** 2`);
        at++;
        const right = binary(op === '**' ? level : level + 1);
        left = { kind: 'binary', op, left, right };
      }
    });

  const unary = (): RuleNode =>
    nested(() => {
      const op = peek();
      if (op === '-' || op === '+' || op === '!') {
        at++;
        return { kind: 'unary', op, operand: unary() };
      }
      return primary();
    });

  const primary = (): RuleNode => {
    const token = tokens[at];
    if (token === undefined) return fail('it ends too early');
    at++;
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.text === '(') {
      const inner = conditional();
      expect(')');
      parenthesized.add(inner);
      return inner;
    }
    if (token.kind !== 'name') return fail(`unexpected '${token.text}' at column ${token.column}`);
    if (OPERANDS.has(token.text)) return { kind: 'name', name: token.text as Operand };
    if (token.text === 'Infinity' || token.text === 'NaN') return { kind: 'number', value: Number(token.text) };
    if (token.text !== 'Math')
      return fail(`unknown name '${token.text}' at column ${token.column}; a rule reads a, b, c, y and Math`);
    expect('.');
    const member = tokens[at++];
    if (member?.kind !== 'name') return fail(`expected a name after 'Math.'`);
    if (MATH_CONSTANTS.includes(member.text))
      return { kind: 'constant', name: member.text, value: (Math as unknown as Record<string, number>)[member.text] };
    if (!math.has(member.text)) return fail(`Math.${member.text} is not a Math function or constant`);
    if (peek() !== '(') return fail(`Math.${member.text} is a function: call it`);
    at++;
    const args: RuleNode[] = [];
    while (peek() !== ')') {
      args.push(conditional());
      if (peek() !== ')') expect(',');
    }
    at++;
    return { kind: 'call', fn: member.text, args };
  };

  const node = conditional();
  if (at < tokens.length) fail(describe());
  return node;
}

interface Token {
  readonly kind: 'number' | 'name' | 'punctuation';
  readonly text: string;
  readonly column: number;
}

function tokenize(text: string, where: string): Token[] {
  const fail = (what: string): never => {
    throw new LagradError(where, `${quote(text)} is not a JavaScript expression over a, b, c, y and Math: ${what}`);
  };
  if (text.length > MAX_LENGTH) fail(`longer than ${MAX_LENGTH} characters`);
  const tokens: Token[] = [];
  let position = 0;
  for (;;) {
    SPACE.lastIndex = position;
    SPACE.exec(text);
    position = SPACE.lastIndex;
    if (position >= text.length) return tokens;
    TOKEN.lastIndex = position;
    const m = TOKEN.exec(text);
    if (m === null) return fail(`unexpected '${text[position]}' at column ${position + 1}`);
    const kind = m[1] !== undefined ? 'number' : m[2] !== undefined ? 'name' : 'punctuation';
    tokens.push({ kind, text: m[0], column: position + 1 });
    position = TOKEN.lastIndex;
    // `1a`, `2.5.3` or `010` (octal in old JavaScript): not a number of this language.
    if (kind === 'number' && (/^[\w$.]/.test(text.slice(position, position + 1)) || /^0\d/.test(m[0])))
      fail(`a malformed number at column ${tokens[tokens.length - 1].column}`);
  }
}

/** The rule for a one-line message: newlines shown, long ones shortened. */
function quote(text: string): string {
  const line = text.replace(/\r?\n/g, '\\n');
  return `'${line.length > 80 ? line.slice(0, 77) + '...' : line}'`;
}

function precedence(node: RuleNode): number {
  switch (node.kind) {
    case 'conditional':
      return CONDITIONAL;
    case 'binary':
      return BINARY[node.op];
    case 'unary':
      return UNARY;
    default:
      return PRIMARY;
  }
}

/**
 * The rule as JavaScript source, with the parentheses its structure needs and no others; inside an
 * operator of precedence `context` (e.g. PRODUCT_OPERAND for the right side of `*`) it is wrapped
 * when it binds less tightly.
 */
export function printRule(node: RuleNode, context = 0): string {
  const text = printBare(node);
  return precedence(node) < context ? `(${text})` : text;
}

function printBare(node: RuleNode): string {
  switch (node.kind) {
    case 'number':
      return String(node.value);
    case 'name':
      return node.name;
    case 'constant':
      return `Math.${node.name}`;
    case 'call':
      return `Math.${node.fn}(${node.args.map((arg) => printRule(arg)).join(', ')})`;
    case 'unary': {
      const operand = printRule(node.operand, UNARY);
      // `- -a`, not `--a` (a decrement).
      return /^[-+]/.test(operand) ? `${node.op}(${operand})` : `${node.op}${operand}`;
    }
    case 'binary': {
      const level = BINARY[node.op];
      // `**` is right-associative and JavaScript refuses a unary operand on its left.
      const left = node.op === '**' ? printRule(node.left, PRIMARY) : printRule(node.left, level);
      const right = node.op === '**' ? printRule(node.right, level) : printRule(node.right, level + 1);
      return `${left} ${node.op} ${right}`;
    }
    case 'conditional':
      return `${printRule(node.test, CONDITIONAL + 1)} ? ${printRule(node.then, CONDITIONAL + 1)} : ${printRule(node.otherwise)}`;
  }
}

/** True when the rule reads `name`. */
export function reads(node: RuleNode, name: Operand): boolean {
  switch (node.kind) {
    case 'name':
      return node.name === name;
    case 'call':
      return node.args.some((arg) => reads(arg, name));
    case 'unary':
      return reads(node.operand, name);
    case 'binary':
      return reads(node.left, name) || reads(node.right, name);
    case 'conditional':
      return reads(node.test, name) || reads(node.then, name) || reads(node.otherwise, name);
    default:
      return false;
  }
}

/** The number a rule is, when it is a literal (`1`, `-1`), else undefined. */
export function literal(node: RuleNode): number | undefined {
  if (node.kind === 'number') return node.value;
  if (node.kind === 'unary' && node.op === '-' && node.operand.kind === 'number') return -node.operand.value;
  return undefined;
}

/**
 * The rule as a function, without generating code: a tree of closures, one per node, each applying
 * JavaScript's own operator (so booleans, NaN and −0 behave exactly as in the generated code).
 */
export function interpretRule(node: RuleNode): RuleFunction {
  type F = RuleFunction;
  // Booleans from comparisons flow on as JavaScript values, exactly as in the generated code.
  const n = (x: unknown) => x as number;
  switch (node.kind) {
    case 'number':
    case 'constant': {
      const value = node.value;
      return () => value;
    }
    case 'name':
      return node.name === 'a'
        ? (a) => a
        : node.name === 'b'
          ? (_a, b) => b
          : node.name === 'c'
            ? (_a, _b, c) => c
            : (_a, _b, _c, y) => y;
    case 'call': {
      const f = math.get(node.fn)!;
      const args = node.args.map(interpretRule);
      if (args.length === 1) {
        const [x] = args;
        return (a, b, c, y) => f(x(a, b, c, y));
      }
      if (args.length === 2) {
        const [x, z] = args;
        return (a, b, c, y) => f(x(a, b, c, y), z(a, b, c, y));
      }
      return (a, b, c, y) => f(...args.map((g) => g(a, b, c, y)));
    }
    case 'unary': {
      const x = interpretRule(node.operand);
      if (node.op === '-') return (a, b, c, y) => -x(a, b, c, y);
      if (node.op === '+') return (a, b, c, y) => +x(a, b, c, y);
      return (a, b, c, y) => n(!x(a, b, c, y));
    }
    case 'conditional': {
      const [t, p, q] = [interpretRule(node.test), interpretRule(node.then), interpretRule(node.otherwise)];
      return (a, b, c, y) => (t(a, b, c, y) ? p(a, b, c, y) : q(a, b, c, y));
    }
    case 'binary': {
      const l: F = interpretRule(node.left);
      const r: F = interpretRule(node.right);
      switch (node.op) {
        case '||':
          return (a, b, c, y) => l(a, b, c, y) || r(a, b, c, y);
        case '&&':
          return (a, b, c, y) => l(a, b, c, y) && r(a, b, c, y);
        case '==':
          return (a, b, c, y) => n(l(a, b, c, y) == r(a, b, c, y));
        case '!=':
          return (a, b, c, y) => n(l(a, b, c, y) != r(a, b, c, y));
        case '===':
          return (a, b, c, y) => n(l(a, b, c, y) === r(a, b, c, y));
        case '!==':
          return (a, b, c, y) => n(l(a, b, c, y) !== r(a, b, c, y));
        case '<':
          return (a, b, c, y) => n(l(a, b, c, y) < r(a, b, c, y));
        case '<=':
          return (a, b, c, y) => n(l(a, b, c, y) <= r(a, b, c, y));
        case '>':
          return (a, b, c, y) => n(l(a, b, c, y) > r(a, b, c, y));
        case '>=':
          return (a, b, c, y) => n(l(a, b, c, y) >= r(a, b, c, y));
        case '+':
          return (a, b, c, y) => l(a, b, c, y) + r(a, b, c, y);
        case '-':
          return (a, b, c, y) => l(a, b, c, y) - r(a, b, c, y);
        case '*':
          return (a, b, c, y) => l(a, b, c, y) * r(a, b, c, y);
        case '/':
          return (a, b, c, y) => l(a, b, c, y) / r(a, b, c, y);
        case '%':
          return (a, b, c, y) => l(a, b, c, y) % r(a, b, c, y);
        case '**':
          return (a, b, c, y) => l(a, b, c, y) ** r(a, b, c, y);
      }
    }
  }
}
