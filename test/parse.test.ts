import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, fromJSON, grad, parse, parseProgram, toJSON } from '../src/index.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

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
    expect(value('sigmoid(0) + relu(-2) + abs(-2) + tanh(0) + sqrt(4) + log(1) + exp(0) + tan(0) + cos(0) + sin(0)')).toBe(0.5 + 0 + 2 + 0 + 2 + 0 + 1 + 0 + 1 + 0);
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
    expect(() => parseProgram('input t = 0\ninit v = 1\nv = cos(v) + t\ninit v = 1\noutput v', { file: 'p.lag' })).toThrow("p.lag:4:1: 'init v' is given twice (first on line 2)");
    expect(() => parseProgram('input x\noutput x\ny = x^2\noutput y\noutput x', { file: 'p.lag' })).toThrow("p.lag:5:1: 'output x' is given twice (first on line 2)");
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
    expect(r.gradient).toEqual({ x: expect.closeTo(4 * Math.cos(3), 14), y: expect.closeTo(Math.cos(3), 14), z: expect.closeTo(1 - Math.cos(3), 14) });
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
    const p = parseProgram('input x = 2\ninput y = -1\ninput z = 0\ng = z + sin(x^2 + y*exp(z)) + 3*x + x^3\noutput g', { file: 'f.lag' });
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
    expect(() => fromJSON('{"format": "other"}')).toThrow("program JSON: not a lagrad program");
    expect(() => fromJSON('{')).toThrow(/^program JSON: /);
    const p = JSON.parse(JSON.stringify(parse('sin(x)')));
    p.primitives[1] = 'sinus';
    expect(() => fromJSON(p)).toThrow("program JSON: primitives[1]: unknown primitive 'sinus'; did you mean 'sin'?");
  });
});
