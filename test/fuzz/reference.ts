// A reference reading of `.lag` texts and expressions, written apart from lagrad's parser, builder
// and sweeps (DESIGN §5–6): each name's value computed on demand from its definition, expressions by
// recursive descent straight into Math. The parser fuzzer compares lagrad's value against it, so a
// program that parses into something else — a constant turned into a reference to another
// variable, a NaN that vanished — is found, not only a crash. Cyclic programs, several outputs and
// texts it does not read are left to lagrad alone ('unsupported').

/**
 * The value at a point with the largest intermediate in size (the scale its rounding is judged
 * against), 'non-finite' when some intermediate is NaN or ±∞, or 'unsupported'.
 */
export type Reference = { readonly value: number; readonly scale: number } | 'non-finite' | 'unsupported';

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  tanh: Math.tanh,
  abs: Math.abs,
  sigmoid: (a) => 1 / (1 + Math.exp(-a)),
  relu: (a) => (a > 0 ? a : 0),
  pow: (a, b) => Math.pow(a, b),
  max: (a, b) => (a >= b ? a : b),
  min: (a, b) => (a <= b ? a : b),
  square: (a) => a * a,
  neg: (a) => -a,
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  sum: (...args) => args.reduce((y, a) => y + a, 0),
};
const ARITY: Record<string, number> = { pow: 2, max: 2, min: 2, add: 2, sub: 2, mul: 2, div: 2, sum: -1 };

class Unsupported extends Error {}
class NonFinite extends Error {}

const NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Reads an expression by recursive descent; names are looked up through `value`. */
function expression(text: string, value: (name: string) => number, seen: { scale: number }): number {
  let rest = text;
  const skip = () => (rest = rest.replace(/^[ \t]+/, ''));
  const take = (token: string) => {
    skip();
    if (rest.startsWith(token)) {
      rest = rest.slice(token.length);
      return true;
    }
    return false;
  };
  const check = (x: number) => {
    if (!Number.isFinite(x)) throw new NonFinite();
    seen.scale = Math.max(seen.scale, Math.abs(x));
    return x;
  };
  // sum := product (('+' | '-') product)*; product := unary (('*' | '/') unary)*;
  // unary := '-' unary | power; power := atom ('^' unary)?   (so -x^2 = -(x^2), x^-y allowed)
  let depth = 0;
  const sum = (): number => {
    if (++depth > 200) throw new Unsupported();
    let x = product();
    for (;;) {
      if (take('+')) x = check(x + product());
      else if (take('-')) x = check(x - product());
      else break;
    }
    depth--;
    return x;
  };
  const product = (): number => {
    let x = unary();
    for (;;) {
      if (take('*')) x = check(x * unary());
      else if (take('/')) x = check(x / unary());
      else return x;
    }
  };
  const unary = (): number => (take('-') ? check(-unary()) : power());
  const power = (): number => {
    const base = atom();
    return take('^') ? check(Math.pow(base, unary())) : base;
  };
  const atom = (): number => {
    skip();
    if (take('(')) {
      const x = sum();
      if (!take(')')) throw new Unsupported();
      return x;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      rest = rest.slice(number[0].length);
      return check(Number(number[0]));
    }
    const name = NAME.exec(rest);
    if (!name) throw new Unsupported();
    rest = rest.slice(name[0].length);
    skip();
    if (!rest.startsWith('(')) return value(name[0]);
    const f = FUNCTIONS[name[0]];
    if (!f) throw new Unsupported();
    rest = rest.slice(1);
    const args: number[] = [];
    if (!take(')')) {
      do args.push(sum());
      while (take(','));
      if (!take(')')) throw new Unsupported();
    }
    const arity = ARITY[name[0]] ?? 1;
    if (arity < 0 ? args.length === 0 : args.length !== arity) throw new Unsupported();
    return check(f(...args));
  };
  const x = sum();
  skip();
  if (rest !== '') throw new Unsupported();
  return x;
}

/** The reference value of a `.lag` program or an expression at a point (inputs by name). */
export function referenceValue(text: string, at: Readonly<Record<string, number>>, asProgram: boolean): Reference {
  const seen = { scale: 0 };
  try {
    const isProgram = asProgram || /^\s*(input|output|init)\b|=/m.test(text);
    if (!isProgram) {
      if (text.includes('\n')) return 'unsupported';
      const x = expression(
        text,
        (name) => {
          if (!Object.hasOwn(at, name)) throw new Unsupported();
          return at[name];
        },
        seen,
      );
      return { value: x, scale: seen.scale };
    }
    const definitions = new Map<string, string>();
    const inputs = new Map<string, number | undefined>();
    const outputs: string[] = [];
    for (const raw of text.split('\n')) {
      const line = raw.replace(/#.*$/, '').trim();
      if (line === '') continue;
      let m: RegExpExecArray | null;
      if ((m = /^input\s+([A-Za-z_]\w*)\s*(?:=\s*(-?\S+))?$/.exec(line))) {
        if (inputs.has(m[1]) || definitions.has(m[1])) return 'unsupported';
        inputs.set(m[1], m[2] === undefined ? undefined : Number(m[2]));
      } else if ((m = /^output\s+([A-Za-z_]\w*)$/.exec(line))) {
        outputs.push(m[1]);
      } else if (/^init\s/.test(line)) {
        continue; // only cyclic programs read it, and those are not read here
      } else if ((m = /^([A-Za-z_]\w*)\s*=(.*)$/.exec(line))) {
        if (definitions.has(m[1]) || inputs.has(m[1]) || ['input', 'output', 'init'].includes(m[1]))
          return 'unsupported';
        definitions.set(m[1], m[2]);
      } else {
        return 'unsupported';
      }
    }
    if (outputs.length !== 1) return 'unsupported';
    const values = new Map<string, number>();
    const open = new Set<string>();
    const value = (name: string): number => {
      const known = values.get(name);
      if (known !== undefined) return known;
      if (inputs.has(name)) {
        const x = Object.hasOwn(at, name) ? at[name] : inputs.get(name);
        if (x === undefined || !Number.isFinite(x)) throw new Unsupported();
        values.set(name, x);
        return x;
      }
      const body = definitions.get(name);
      if (body === undefined || open.has(name)) throw new Unsupported(); // undefined, or a cycle
      open.add(name);
      const x = expression(body, value, seen);
      open.delete(name);
      values.set(name, x);
      return x;
    };
    // Every definition is evaluated, used or not: lagrad checks every value it holds.
    for (const name of definitions.keys()) value(name);
    return { value: value(outputs[0]), scale: seen.scale };
  } catch (e) {
    if (e instanceof NonFinite) return 'non-finite';
    if (e instanceof Unsupported || e instanceof RangeError) return 'unsupported';
    throw e;
  }
}
