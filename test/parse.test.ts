import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  evaluate,
  fromJSON,
  grad,
  LagradError,
  ops,
  parse,
  parseProgram,
  ProgramBuilder,
  toJSON,
  trace,
} from '../src/index.ts';
import { hashName, NameTable } from '../src/program/names.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

const { add, mul, sin, sum } = ops;

const value = (source: string, at: Record<string, number> = {}) => evaluate(parse(source), at);

describe('expression syntax (DESIGN §5)', () => {
  it('reads numbers', () => {
    expect(value('2 + 0.5 + 1e-3 + .25 + 2E2')).toBe(2 + 0.5 + 1e-3 + 0.25 + 200);
  });
  it('binds ^ tighter than unary minus, and to the right', () => {
    expect(value('-x^2', { x: 3 })).toBe(-9);
    expect(value('x^y^2', { x: 2, y: 3 })).toBe(512);
    expect(value('2^-x', { x: 1 })).toBe(0.5);
    expect(value('-2^2')).toBe(-4);
  });
  it('makes + - * / left-associative with the usual precedence', () => {
    expect(value('a - b - c', { a: 10, b: 3, c: 2 })).toBe(5);
    expect(value('a / b / c', { a: 12, b: 3, c: 2 })).toBe(2);
    expect(value('a + b * c', { a: 1, b: 2, c: 3 })).toBe(7);
    expect(value('(a + b) * c', { a: 1, b: 2, c: 3 })).toBe(9);
    expect(value('a * -b', { a: 2, b: 3 })).toBe(-6);
    expect(value('a - -b', { a: 2, b: 3 })).toBe(5);
  });
  it('calls functions of one, two and many arguments', () => {
    expect(value('max(x, y) + min(x, y) + pow(x, 2) + sum(x, y, 1)', { x: 3, y: -1 })).toBe(3 - 1 + 9 + 3);
    expect(
      value('sigmoid(0) + relu(-2) + abs(-2) + tanh(0) + sqrt(4) + log(1) + exp(0) + tan(0) + cos(0) + sin(0)'),
    ).toBe(0.5 + 0 + 2 + 0 + 2 + 0 + 1 + 0 + 1 + 0);
  });
  it('takes free names as inputs in order of first appearance', () => {
    expect(parse('z + sin(x^2 + y*exp(z))').inputNames).toEqual(['z', 'x', 'y']);
  });
  it('folds constant subexpressions', () => {
    const p = parse('x * (2 * 3 + 1)');
    expect(p.size).toBe(2); // x and scale(x; 7)
    expect(evaluate(p, { x: 2 })).toBe(14);
  });
  it('parses 10 000 nested calls and parentheses without recursion', () => {
    const depth = 10_000;
    const program = parse('sin('.repeat(depth) + 'x' + ')'.repeat(depth));
    let v = 0.5;
    let d = 1;
    for (let k = 0; k < depth; k++) {
      d *= Math.cos(v);
      v = Math.sin(v);
    }
    const r = grad(program, { x: 0.5 });
    expect(r.value).toBeCloseTo(v, 12);
    expect(r.gradient.x).toBeCloseTo(d, 12);
    expect(evaluate(parse('('.repeat(depth) + 'x + 1' + ')'.repeat(depth)), { x: 1 })).toBe(2);
  });
});

describe('.lag programs (DESIGN §6)', () => {
  it('refuses a second init or output of one name at its statement; several outputs of different names are fine', () => {
    expect(() =>
      parseProgram('input t = 0\ninit v = 1\nv = cos(v) + t\ninit v = 1\noutput v', { file: 'p.lag' }),
    ).toThrow("p.lag:4:1: 'init v' is given twice (first on line 2)");
    expect(() => parseProgram('input x\noutput x\ny = x^2\noutput y\noutput x', { file: 'p.lag' })).toThrow(
      "p.lag:5:1: 'output x' is given twice (first on line 2)",
    );
    expect(parseProgram('input x\ny = x^2\noutput y\noutput x').outputs).toHaveLength(2);
  });

  const text = `# comment line
input x = 2        # a default
input y

g = e + z          # used before the definitions below
e = sin(d)
d = a + c
a = x^2
c = y * b
b = exp(z)
input z = 0
output g
`;
  it('resolves names used before their definition and applies defaults', () => {
    const program = parseProgram(text, { file: 'lecture.lag' });
    const r = grad(program, { y: -1 });
    expect(r.value).toBeCloseTo(Math.sin(3), 15);
    expect(r.gradient).toEqual({
      x: expect.closeTo(4 * Math.cos(3), 14),
      y: expect.closeTo(Math.cos(3), 14),
      z: expect.closeTo(1 - Math.cos(3), 14),
    });
    expect(Object.keys(r.multipliers).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'x', 'y', 'z']);
  });
  it('records where each variable was written', () => {
    const program = parseProgram(text, { file: 'lecture.lag' });
    expect(program.where(program.indexOf('a'))).toBe('lecture.lag:8:6');
    expect(program.where(program.indexOf('x'))).toBe('lecture.lag:2:7');
  });
  it('gives `v = w` and `v = 3` their own constraint', () => {
    const p = parseProgram('input w\nv = w\nk = 3\nout = v * k\noutput out');
    expect(p.constraint(p.indexOf('v')).op).toBe('id');
    expect(p.constraint(p.indexOf('k')).op).toBe('const');
    expect(grad(p, { w: 2 }).multipliers).toEqual({ w: 3, v: 3, k: 2, out: 1 });
  });
  it('picks one of several outputs', () => {
    const p = parseProgram('input x\nu = 2 * x\nv = x^2\noutput u\noutput v');
    expect(() => grad(p, { x: 3 })).toThrow('output: the program has 2 outputs (u, v); choose one');
    expect(grad(p, { x: 3 }, { output: 'v' }).gradient.x).toBe(6);
    expect(grad(p, { x: 3 }, { weights: { u: 1, v: 1 } }).gradient.x).toBe(8);
  });
  it('reads init lines and finds cycles', () => {
    const p = parseProgram('input t = 0\ninit v = 1\nv = cos(v) + t\noutput v');
    expect(p.cyclic).toBe(true);
    expect(p.initial?.[p.indexOf('v')]).toBe(1);
  });
});

describe('JSON round trip', () => {
  it('parse → JSON → program gives the same program and gradient', () => {
    const p = parseProgram(
      'input x = 2\ninput y = -1\ninput z = 0\ng = z + sin(x^2 + y*exp(z)) + 3*x + x^3\noutput g',
      { file: 'f.lag' },
    );
    const text = JSON.stringify(p);
    const q = fromJSON(text);
    expect(JSON.stringify(q)).toBe(text);
    expect(toJSON(q)).toEqual(toJSON(p));
    expect(q.where(q.indexOf('g'))).toBe(p.where(p.indexOf('g')));
    expect(grad(q).gradient).toEqual(grad(p).gradient);
  });
  it('round-trips random programs exactly, and their .lag text to the same gradient', () => {
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, text, weights }) => {
        const json = JSON.stringify(program);
        const back = fromJSON(json);
        expect(JSON.stringify(back)).toBe(json);
        const reparsed = fromJSON(JSON.stringify(parseProgram(text)));
        expect(grad(reparsed, undefined, { weights }).gradient).toEqual(grad(program, undefined, { weights }).gradient);
      }),
      { numRuns: 200 },
    );
  });
  it('refuses what is not a program', () => {
    expect(() => fromJSON('{"format": "other"}')).toThrow('program JSON: not a lagrad program');
    expect(() => fromJSON('{')).toThrow(/^program JSON: /);
    const p = JSON.parse(JSON.stringify(parse('sin(x)')));
    p.primitives[1] = 'sinus';
    expect(() => fromJSON(p)).toThrow("program JSON: primitives[1]: unknown primitive 'sinus'; did you mean 'sin'?");
  });
});

// Issue 9, family 1: a constant that is not finite, or a number an Int32Array would coerce, must
// never become some other variable. Every such value is refused where it enters, naming its place.
describe('no silent wrong values: non-finite constants and coerced indices', () => {
  it('refuses a constant that folds to NaN, with or without a forward reference', async () => {
    const forward = 'input x = 0.5\nb = a + x\na = sin(log(-1))\noutput b';
    expect(() => parseProgram(forward, { file: 'prog.lag' })).toThrow(
      /^prog\.lag:3:9: log\(-1\) = NaN: not a finite number$/,
    );
    expect(() => parseProgram('input x = 0.5\na = sin(log(-1))\nb = a + x\noutput b', { file: 'prog.lag' })).toThrow(
      /^prog\.lag:2:9: log\(-1\) = NaN/,
    );
    for (const command of ['grad', 'eval', 'verify']) {
      const r = await lagrad([command, 'prog.lag'], { 'prog.lag': forward });
      expect(r.status).toBe(1);
      expect(r.err.trim()).toBe('lagrad: prog.lag:3:9: log(-1) = NaN: not a finite number');
    }
  });

  // Self-contained constant subexpressions that are not finite, and the offset of the character
  // the error must point at (the call, the operator or the literal).
  const bad: readonly (readonly [string, number])[] = [
    ['log(-2)', 0],
    ['sqrt(-3)', 0],
    ['(0/0)', 2],
    ['(1/0)', 2],
    ['(-1/0)', 3],
    ['exp(1000)', 0],
    ['(10^400)', 3],
    ['1e400', 0],
    ['(-log(0))', 2],
    ['pow(0, -1)', 0],
    ['(2*1e308)', 2],
    ['max(1, 0/0)', 8],
    ['sum(1e308, 1e308)', 0],
  ];

  it('refuses every non-finite constant in random programs with forward references, at its line and column', () => {
    // n variables v0 … v(n−1), v_k reading two others (any, so names are often used before their
    // definition; the reads of v_k are v_j with j < k so the program stays acyclic); lines shuffled.
    const arbitrary = fc.record({
      n: fc.integer({ min: 1, max: 12 }),
      reads: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('+', '-', '*')), { minLength: 12, maxLength: 12 }),
      order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
      victim: fc.nat(),
      snippet: fc.constantFrom(...bad),
      wrap: fc.constantFrom('S', 'sin(S)', '2 * S', 'S + 1', '-S'),
    });
    fc.assert(
      fc.property(arbitrary, ({ n, reads, order, victim, snippet: [snippet, offset], wrap }) => {
        const name = (j: number) => (j < 0 ? 'x' : `v${j}`);
        const bodies = Array.from({ length: n }, (_, k) => {
          const [a, b, op] = reads[k];
          return `${name(k === 0 ? -1 : (a % (k + 1)) - 1)} ${op} ${name(k === 0 ? -1 : (b % (k + 1)) - 1)}`;
        });
        const target = victim % n;
        const placed = wrap.replace('S', snippet);
        bodies[target] = `${bodies[target]} + ${placed}`;
        // Shuffle the definition lines by sort keys; the input first, the output last.
        const lines = bodies
          .map((body, k) => ({ text: `v${k} = ${body}`, key: order[k], k }))
          .sort((p, q) => p.key - q.key || p.k - q.k);
        const text = ['input x = 0.5', ...lines.map((l) => l.text), `output v${n - 1}`].join('\n');
        const line = 2 + lines.findIndex((l) => l.k === target);
        const lineText = lines[line - 2].text;
        const column = lineText.lastIndexOf(placed) + placed.indexOf(snippet) + offset + 1;
        let message = '';
        try {
          parseProgram(text, { file: 'prog.lag' });
        } catch (e) {
          expect(e).toBeInstanceOf(LagradError);
          message = (e as Error).message;
        }
        expect(message).toMatch(/ = (NaN|-?Infinity): not a finite number$/);
        expect(message.startsWith(`prog.lag:${line}:${column}: `)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses non-finite input defaults and init values, naming the number', () => {
    expect(() => parseProgram('input x = 1e999\noutput x', { file: 'p.lag' })).toThrow(
      /^p\.lag:1:11: 1e999 = Infinity: not a finite number$/,
    );
    expect(() => parseProgram('input t\ninit v = -2e308\nv = cos(v) + t\noutput v', { file: 'p.lag' })).toThrow(
      /^p\.lag:2:10: -2e308 = -Infinity: not a finite number$/,
    );
    expect(() => parse('x + 1e400')).toThrow(/^expression:1:5: 1e400 = Infinity: not a finite number$/);
  });

  it('keeps finite constants exact, including those that fold to huge or tiny values', () => {
    expect(evaluate(parse('x + (1e308 - 1e308)'), { x: 2 })).toBe(2);
    expect(evaluate(parse('x * (1e-300 * 1e-300)'), { x: 2 })).toBe(0);
    expect(evaluate(parseProgram('input x\nb = a * x\na = log(2) + 0/1\noutput b'), { x: 3 })).toBe(3 * Math.log(2));
  });

  it("the trace front-end refuses a non-finite number operand where it is recorded, naming the caller's line", () => {
    expect(() => trace(({ x }) => add(x, NaN), ['x'])).toThrow(
      /parse\.test\.ts:\d+:\d+: the constant θ = NaN is not a finite number$/,
    );
    expect(() => trace(({ x }) => mul(Infinity, x), ['x'])).toThrow(
      /parse\.test\.ts:\d+:\d+: the constant θ = Infinity/,
    );
    expect(() => trace(({ x }) => sum(x, NaN), ['x'])).toThrow(/parse\.test\.ts:\d+:\d+: the constant θ = NaN/);
    expect(() => trace(({ x }) => sin(x), { x: NaN })).toThrow(/^input 'x': the default NaN is not a finite number$/);
  });

  it('the builder refuses parents, placeholders and targets that an Int32Array would coerce', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    for (const bad of [NaN, 0.5, 2 ** 32, -1, Infinity, 1])
      expect(() => b.apply('sin', bad)).toThrow(`${bad} is not a variable recorded so far`);
    for (const bad of [-1, 0.5, NaN, 2 ** 31 - 1])
      expect(() => b.placeholder(bad)).toThrow(/^program: placeholder .* is not an integer/);
    const p = b.placeholder(1); // issues −1 and −2 only
    expect(p).toBe(-2);
    expect(() => b.apply('sin', -3)).toThrow('-3 is not a variable recorded so far');
    expect(() => b.apply('sin', -(2 ** 31))).toThrow('is not a variable recorded so far');
    const y = b.apply('add', b.apply('sin', p), b.apply('cos', -1));
    for (const target of [undefined, -1, 0.5, NaN, 99]) {
      expect(() => b.resolve(() => target as unknown as number)).toThrow(
        /^program: placeholder \d resolves to .*, which is not a variable recorded so far$/,
      );
    }
    b.resolve(() => x).output(y);
    expect(evaluate(b.build(), [0.3])).toBe(Math.sin(0.3) + Math.cos(0.3));
  });

  it('the builder refuses names, locations and inits of indices that are not variables, and non-finite θ', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    for (const bad of [NaN, 0.5, 1, -1]) {
      expect(() => b.name(bad, 'a')).toThrow(`variable 'a': ${bad} is not a variable recorded so far`);
      expect(() => b.claim(bad, 'a')).toThrow('is not a variable recorded so far');
      expect(() => b.locate(bad, 1, 1)).toThrow('is not a variable recorded so far');
      expect(() => b.init(bad, 0)).toThrow('is not a variable recorded so far');
    }
    expect(() => b.init(x, NaN)).toThrow("init of 'x': NaN is not a finite number");
    expect(() => b.apply('scale', x, undefined, Infinity)).toThrow(
      "primitive 'scale': the constant θ = Infinity is not a finite number",
    );
    expect(() => b.applyMany('sum', [x], NaN)).toThrow("primitive 'sum': the constant θ = NaN");
    expect(() => b.constant(-Infinity)).toThrow("primitive 'const': the constant θ = -Infinity");
    expect(() => b.apply(0.5 as number, x)).toThrow('op code 0.5: no primitive has this code');
    expect(() => b.name(x, 5 as unknown as string)).toThrow('variable #0: a name is a string, not number');
    expect(() => b.locate(x, 1.5, 2)).toThrow('locate: line 1.5, column 2: not a place in a text');
    expect(() => b.locate(x, 1, NaN)).toThrow('not a place in a text');
    for (const capacity of [0, -1, NaN, 0.5])
      expect(() => new ProgramBuilder('f', capacity)).toThrow(
        `ProgramBuilder: capacity ${capacity} is not a positive integer`,
      );
    expect(new ProgramBuilder('f', 1).input('only')).toBe(0);
    expect(() => new NameTable().set('a', NaN)).toThrow(RangeError);
    expect(() => new NameTable().set('a', 0.5)).toThrow(RangeError);
    expect(b.size).toBe(1); // nothing refused was recorded
  });

  it('a refused call leaves the builder as it was', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    expect(() => b.apply('add', x, 7)).toThrow('7 is not a variable recorded so far');
    expect(() => b.applyMany('sum', [x, x, NaN])).toThrow('NaN is not a variable recorded so far');
    b.output(b.apply('sin', x));
    const p = b.build();
    expect(Array.from(p.parents)).toEqual([0]);
    expect(evaluate(p, [0.5])).toBe(Math.sin(0.5));
  });
});

describe('the name table (a ReadonlyMap filled straight from source text)', () => {
  it('agrees with a Map over random names, bound and interned in any order', () => {
    const name = fc.oneof(
      fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/),
      fc.constantFrom('Aa', 'BB', 'AaAa', 'BBBB', 'AaBB', 'λ', 'x', 'x1', 'x10'),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(name, fc.boolean(), fc.nat(1000)), { maxLength: 200 }), (operations) => {
        const table = new NameTable();
        const reference = new Map<string, number>();
        for (const [n, bind, value] of operations) {
          // Interned from the middle of a longer text, as a parser does.
          const text = `(${n}) `;
          const entry = table.intern(text, 1, 1 + n.length, hashName(n));
          expect(table.nameOf(entry)).toBe(n);
          expect(table.find(n)).toBe(entry);
          if (bind) {
            table.bind(entry, value);
            if (!reference.has(n)) reference.set(n, value);
          }
        }
        expect(table.size).toBe(reference.size);
        expect([...table]).toEqual([...reference]);
        expect([...table.keys()]).toEqual([...reference.keys()]);
        expect([...table.values()]).toEqual([...reference.values()]);
        const seen: [string, number][] = [];
        table.forEach((v, k) => seen.push([k, v]));
        expect(seen).toEqual([...reference]);
        for (const [n] of operations) {
          expect(table.get(n)).toBe(reference.get(n));
          expect(table.has(n)).toBe(reference.has(n));
        }
        expect(table.get('not-a-name')).toBeUndefined();
        expect(table.get(5 as unknown as string)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('keeps 10⁵ names through its growth, and a copy is independent', () => {
    const table = new NameTable();
    for (let k = 0; k < 100_000; k++) table.set(`v${k}`, k);
    for (let k = 0; k < 100_000; k += 997) expect(table.get(`v${k}`)).toBe(k);
    expect(table.size).toBe(100_000);
    const copy = table.copy((v) => v + 1);
    copy.set('w', 7);
    expect(copy.get('v5')).toBe(6);
    expect(table.get('v5')).toBe(5);
    expect(table.has('w')).toBe(false);
  });

  it('is what a parsed program reports as its names, in the order the text defines them', () => {
    const p = parseProgram('b = a * x\ninput x\na = sin(x)\noutput b');
    expect(p.names).toBeInstanceOf(NameTable);
    expect([...p.names.keys()]).toEqual(['b', 'x', 'a']);
    expect(Object.fromEntries(p.names)).toEqual({ x: p.indexOf('x'), a: p.indexOf('a'), b: p.indexOf('b') });
  });
});

describe('the scanner and the parser read the text in place', () => {
  it('reads every number as Number() does', () => {
    const digits = fc.stringMatching(/^[0-9]{1,20}$/);
    const literal = fc
      .tuple(
        digits,
        fc.option(fc.stringMatching(/^[0-9]{0,20}$/)),
        fc.option(
          fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.stringMatching(/^[0-9]{1,3}$/)),
        ),
      )
      .map(
        ([whole, fraction, exponent]) =>
          `${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : exponent.join('')}`,
      );
    fc.assert(
      fc.property(literal, (text) => {
        const expected = Number(text);
        if (!Number.isFinite(expected)) {
          expect(() => parse(`x + ${text}`)).toThrow('not a finite number');
          return;
        }
        const p = parse(`x * 0 + ${text}`);
        expect(evaluate(p, { x: 1 })).toBe(expected + 0);
      }),
      { numRuns: 2000 },
    );
    for (const text of [
      '0.1',
      '0.3',
      '1e22',
      '1e23',
      '9007199254740993',
      '123456789012345.6',
      '.5',
      '5.',
      '1.e5',
      '0.000001',
      '2.2250738585072014e-308',
      '4.9e-324',
      '1.7976931348623157e308',
    ]) {
      expect(evaluate(parse(`x * 0 + ${text}`), { x: 1 })).toBe(Number(text));
    }
  });

  it('keeps line and column in every kind of error', () => {
    const errorOf = (text: string) => {
      try {
        parseProgram(text, { file: 'p.lag' });
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(errorOf('input x\n  a = sin(x')).toBe("p.lag:2:7: '(' is never closed");
    expect(errorOf('input x\na = sin( )')).toBe('p.lag:2:10: sin() needs an argument');
    expect(errorOf('input x\na = x $ 2')).toBe("p.lag:2:7: unexpected character '$'");
    expect(errorOf('input x\n@a = x')).toBe(
      "p.lag:2:1: expected 'NAME = expression', 'input NAME', 'init NAME = number' or 'output NAME'",
    );
    expect(errorOf('input x\na = x 2')).toBe("p.lag:2:7: expected an operator before '2'");
    expect(errorOf('input x\na = x)')).toBe("p.lag:2:6: unmatched ')'");
    expect(errorOf('input x\na = x, 2')).toBe("p.lag:2:6: unmatched ','");
    expect(errorOf('input x\na = (x, 2)')).toBe("p.lag:2:7: ',' outside a function call");
    expect(errorOf('input x\na = 2x')).toBe("p.lag:2:5: malformed number '2x'");
    expect(errorOf('input x\na = cosh(x) # no cosh\noutput a')).toBe(
      "p.lag:2:5: unknown function 'cosh'; did you mean 'cos'?",
    );
    expect(errorOf('input x\na = max(x)\noutput a')).toBe('p.lag:2:5: max takes 2 arguments, got 1');
    expect(errorOf('input x\na = b + c\nb = q\noutput a')).toBe(
      "p.lag:2:9: 'c' is not defined (neither an input nor assigned)",
    );
    expect(errorOf('a = b + x\nb = q\ninput x\noutput a')).toBe(
      "p.lag:2:5: 'q' is not defined (neither an input nor assigned)",
    );
  });

  it('reads keywords only as statements, CRLF line ends, tabs and comments', () => {
    const p = parseProgram(
      'input x = 2\r\n\tinput = x * 3 # a variable named input\r\ninputx = input + 1\r\noutput inputx\r\n',
    );
    expect(evaluate(p)).toBe(7);
    expect(p.where(p.indexOf('input'))).toBe('program:2:12');
  });

  it('parses a program whose lines all come before the names they use', () => {
    const n = 2000;
    const lines = ['output v0'];
    for (let k = 0; k < n; k++) lines.push(`v${k} = sin(v${k + 1}) + 0.5 * v${k + 2}`);
    lines.push(`v${n} = 2 * x`, `v${n + 1} = x^2`, 'input x = 0.3');
    const p = parseProgram(lines.join('\n'));
    let a = 0.09; // v_{n+1} = x²
    let b = 0.6; // v_n = 2x
    for (let k = n - 1; k >= 0; k--) [a, b] = [b, Math.sin(b) + 0.5 * a];
    expect(evaluate(p)).toBe(b);
  });
});
