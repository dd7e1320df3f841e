import { describe, expect, it } from 'vitest';
import { EXIT_INTERNAL, registerPrimitive } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';

// Every bad input: one line on standard error naming the culprit, no stack trace; exit 1 for the
// program, its data and its numerics, exit 2 for the command line itself (DESIGN §10).
const cases: [string, string[], Record<string, string>, RegExp][] = [
  [
    'a syntax error, with line and column',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x\na = x +\noutput a' },
    /^lagrad: p\.lag:2:8: expected a number, a name or '\(' but found the end of the line$/,
  ],
  ['a stray character', ['grad', 'x $ y'], {}, /^lagrad: expression:1:3: unexpected character '\$'$/],
  ['an unclosed parenthesis', ['eval', 'sin(x'], {}, /^lagrad: expression:1:1: '\(' is never closed$/],
  ['an unmatched parenthesis', ['eval', 'x)'], {}, /^lagrad: expression:1:2: unmatched '\)'$/],
  [
    'an unknown function',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x\na = 2 * sinn(x)\noutput a' },
    /^lagrad: p\.lag:2:9: unknown function 'sinn'; did you mean 'sin'\?$/,
  ],
  ['a wrong number of arguments', ['eval', 'max(x)'], {}, /^lagrad: expression:1:1: max takes 2 arguments, got 1$/],
  [
    'an undefined name',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x\na = x + q\noutput a' },
    /^lagrad: p\.lag:2:9: 'q' is not defined \(neither an input nor assigned\)$/,
  ],
  [
    'a name defined twice',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x\na = x\na = 2 * x\noutput a' },
    /^lagrad: p\.lag:3:1: 'a' is defined twice \(first on line 2\)$/,
  ],
  [
    'an input defined twice',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x\ninput x\noutput x' },
    /^lagrad: p\.lag:2:7: 'x' is defined twice \(first on line 1\)$/,
  ],
  [
    'a program without an output',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = 1\na = x' },
    /^lagrad: p\.lag: no output; add a line 'output NAME'$/,
  ],
  [
    'an output that is not defined',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = 1\noutput b' },
    /^lagrad: p\.lag:2:8: output names 'b', which is not defined$/,
  ],
  [
    'a second output of one name',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = 1\na = x^2\noutput a\noutput a' },
    /^lagrad: p\.lag:4:1: 'output a' is given twice \(first on line 3\)$/,
  ],
  [
    'a second init of one name',
    ['grad', 'p.lag'],
    { 'p.lag': 'input t = 0\ninit v = 1\nv = cos(v) + t\n  init v = 2\noutput v' },
    /^lagrad: p\.lag:4:3: 'init v' is given twice \(first on line 2\)$/,
  ],
  [
    'a statement that is not one',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = 1\nx + 1\noutput x' },
    /^lagrad: p\.lag:2:1: expected 'NAME = expression'/,
  ],
  [
    'a non-number default',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = two\noutput x' },
    /^lagrad: p\.lag:1:11: input takes a number, not 'two'$/,
  ],
  [
    'an input with no value',
    ['grad', 'x * y', '--at', 'x=1'],
    {},
    /^lagrad: input 'y': has no value and no default; give one$/,
  ],
  ['an --at for no input', ['grad', 'x', '--at', 'x=1,q=2'], {}, /^lagrad: input 'q': no input has this name$/],
  ['a missing file', ['grad', 'missing.lag'], {}, /^lagrad: missing\.lag: no such file$/],
  [
    'log of a negative',
    ['grad', 'p.lag'],
    { 'p.lag': 'input x = -1\na = 2 * log(x)\noutput a' },
    /^lagrad: p\.lag:2:9: log\(-1\) = NaN: not a finite number$/,
  ],
  [
    'sqrt of a negative, named',
    ['eval', 'p.lag'],
    { 'p.lag': 'input x = -4\nr = sqrt(x)\noutput r' },
    /^lagrad: p\.lag:2:5: 'r' = sqrt\(-4\) = NaN: not a finite number$/,
  ],
  [
    'division by zero',
    ['grad', 'x / (y - 1)', '--at', 'x=1,y=1'],
    {},
    /^lagrad: expression:1:3: div\(1, 0\) = Infinity: not a finite number$/,
  ],
  [
    'a derivative that does not exist',
    ['grad', 'sqrt(x)', '--at', 'x=0'],
    {},
    /^lagrad: expression:1:1: the partial of sqrt with respect to 'x' at sqrt\(0\) is Infinity: the derivative does not exist here$/,
  ],
  [
    'the same under forward',
    ['grad', 'sqrt(x)', '--at', 'x=0', '--schedule', 'forward'],
    {},
    /^lagrad: expression:1:1: the partial of sqrt with respect to 'x' at sqrt\(0\) is Infinity/,
  ],
  [
    'a cyclic program under paths',
    ['grad', 'c.lag', '--schedule', 'paths'],
    { 'c.lag': 'input t = 0\nv = cos(w) + t\nw = 0.5 * v\noutput v' },
    /^lagrad: schedule 'paths': the program is cyclic \(a cycle through (v, w|w, v)/,
  ],
];

const usage: [string, string[], Record<string, string>, RegExp][] = [
  ['a non-number in --at', ['grad', 'x', '--at', 'x=1O'], {}, /^lagrad: --at: '1O' \(for x\) is not a number$/],
  ['a malformed --at', ['grad', 'x', '--at', 'x'], {}, /^lagrad: --at: 'x' is not NAME=NUMBER$/],
  [
    'an unknown schedule',
    ['grad', 'x', '--at', 'x=1', '--schedule', 'backprop'],
    {},
    /^lagrad: schedule 'backprop': unknown; choose one of auto, reverse, compiled, forward/,
  ],
  ['an unknown option', ['grad', 'x', '--frob'], {}, /^lagrad: grad: --frob: unknown option$/],
  ['an unknown command', ['gradient', 'x'], {}, /^lagrad: 'gradient': unknown command; choose one of eval, grad/],
  ['a missing source', ['grad', '--at', 'x=1'], {}, /^lagrad: usage: missing <source>/],
  [
    'an extra argument',
    ['grad', 'x', 'y'],
    {},
    /^lagrad: usage: one <source> expected, but 'y' follows 'x' \(quote an expression that has spaces\)$/,
  ],
  ['an option without its value', ['grad', 'x', '--schedule'], {}, /^lagrad: grad: --schedule: needs a value$/],
  ['a flag given a value', ['grad', 'x', '--json=yes'], {}, /^lagrad: grad: --json: takes no value$/],
  ['help for no such command', ['help', 'gradient'], {}, /^lagrad: 'gradient': unknown command/],
];

describe('bad input gets one line: exit 1 for the program, 2 for the command line', () => {
  for (const [status, list] of [
    [1, cases],
    [2, usage],
  ] as const) {
    for (const [what, argv, files, message] of list) {
      it(`${what}: exit ${status}`, async () => {
        const r = await lagrad(argv, files);
        expect(r.status).toBe(status);
        expect(r.out).toBe('');
        expect(r.err.endsWith('\n')).toBe(true);
        expect(r.err.trimEnd().split('\n')).toHaveLength(1);
        expect(r.err.trimEnd()).toMatch(message);
      });
    }
  }
});

describe('standard input and help', () => {
  it('reads a program from -', async () => {
    const r = await lagrad(['grad', '-', '--json'], {}, 'input x = 3\ny = x^2\noutput y\n');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out).gradient).toEqual({ x: 6 });
  });
  it('reads an expression from -', async () => {
    const r = await lagrad(['eval', '-', '--at', 'x=2'], {}, 'x^3\n');
    expect(r.out).toBe('8\n');
  });
  it('prints help with every schedule', async () => {
    const r = await lagrad(['grad', '--help']);
    expect(r.status).toBe(0);
    for (const name of ['auto', 'reverse', 'forward']) expect(r.out).toContain(name);
  });
});

describe('internal errors', () => {
  it('are `lagrad: internal error: …` with exit status 70, never mistaken for bad input', async () => {
    registerPrimitive({
      name: 'crashes',
      arity: 1,
      value: () => (null as unknown as number[]).length,
      partials: ['1'],
    });
    const r = await lagrad(['eval', 'crashes(x)', '--at', 'x=1']);
    expect(r.err).toMatch(/^lagrad: internal error: Cannot read properties of null \(reading 'length'\)\n$/);
    expect(r.status).toBe(EXIT_INTERNAL);
    expect(EXIT_INTERNAL).toBe(70);
  });
});
