import { describe, expect, it } from 'vitest';
import { grad, parseProgram, ProgramBuilder, toJSON } from '../src/index.ts';

describe('the Program representation', () => {
  it('stores variables in evaluation order: inputs first, parents before children', () => {
    const p = parseProgram('c = a * b\nb = sin(a)\ninput x\na = x + 1\noutput c');
    expect(p.inputCount).toBe(1);
    for (let i = p.inputCount; i < p.size; i++) for (const j of p.constraint(i).parents) expect(j).toBeLessThan(i);
    expect(p.cyclic).toBe(false);
    expect(p.constraint(p.indexOf('c'))).toEqual({
      index: p.indexOf('c'),
      name: 'c',
      op: 'mul',
      parents: [p.indexOf('a'), p.indexOf('b')],
      constant: undefined,
      shape: [],
    });
    expect(p.constraint(p.indexOf('a')).constant).toBe(1);
  });

  it('finds each cyclic component, contiguous and after what it reads', () => {
    // Two cycles: {u, w} reads x; {s, t} reads u. r reads t and is acyclic.
    const p = parseProgram('input x\nr = 2 * t\nt = 0.5 * s + u\ns = 0.3 * t\nu = 0.2 * w + x\nw = 0.5 * u\noutput r');
    expect(p.cyclic).toBe(true);
    const cycles = Array.from({ length: p.cycles.length / 2 }, (_, k) => [p.cycles[2 * k], p.cycles[2 * k + 1]]);
    const members = cycles.map(([a, b]) =>
      Array.from({ length: b - a }, (_, k) => p.nameOf(a + k))
        .filter(Boolean)
        .sort(),
    );
    expect(members).toEqual([
      ['u', 'w'],
      ['s', 't'],
    ]);
    expect(p.cycleOf(p.indexOf('r'))).toBeNull();
    expect(p.indexOf('r')).toBeGreaterThanOrEqual(cycles[1][1]);
    // A self-loop alone is a cycle too.
    expect(parseProgram('input x\nv = 0.5 * v + x\noutput v').cyclic).toBe(true);
  });

  it('stays immutable when its builder goes on recording', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    const y = b.apply('sin', x);
    b.output(y);
    const first = b.build();
    const before = JSON.stringify(toJSON(first));
    b.name(y, 'y');
    b.locate(y, 7, 7);
    b.output(b.apply('exp', y));
    const second = b.build();
    expect(JSON.stringify(toJSON(first))).toBe(before);
    expect(first.size).toBe(2);
    expect(second.size).toBe(3);
    expect(grad(first, [0.5]).gradient.x).toBe(Math.cos(0.5));
  });

  it('refuses malformed parts, naming the fault', () => {
    const b = new ProgramBuilder();
    b.input('x');
    expect(() => b.apply('sin', 5)).toThrow('program: 5 is not a variable recorded so far');
    expect(() => b.apply('mul', 0)).toThrow("primitive 'mul': takes 2 arguments, got 1");
    expect(() => b.applyMany('sum', [])).toThrow("primitive 'sum': needs at least one argument");
    expect(() => b.name(0, 'y').input('y')).toThrow("variable 'y': is defined twice");
  });
});
