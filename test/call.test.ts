import { describe, expect, it } from 'vitest';
import { grad, parse, ProgramBuilder } from '../src/index.ts';
import { resolvePoint } from '../src/api/point.ts';
import { zeros } from '../src/schedule/schedule.ts';

// The paths every call of `grad` takes, made cheap for small programs (issue 14 item 4), keep
// their meaning: a point by name read without Object.entries, options checked without building
// messages, arrays carved from shared slabs, the gradient built once per result.

describe('a point by name', () => {
  const program = parse('x * y + z');

  it('reads a plain object by input name, defaults and errors as before', () => {
    expect(Array.from(resolvePoint(program, { x: 2, y: 3, z: 4 }))).toEqual([2, 3, 4]);
    expect(Array.from(resolvePoint(program, { z: 4, y: 3, x: 2 }))).toEqual([2, 3, 4]);
    expect(() => resolvePoint(program, { x: 2, y: 3, z: 4, w: 1 })).toThrow("input 'w': no input has this name");
    expect(() => resolvePoint(program, { x: 2, y: 3 })).toThrow("input 'z': has no value");
    expect(() => resolvePoint(program, { x: 2, y: 3, z: undefined as unknown as number })).toThrow(
      "input 'z': undefined is not a number",
    );
    expect(() => resolvePoint(program, { x: 2, y: 3, z: '4' as unknown as number })).toThrow(
      "input 'z': the string '4' is not a number",
    );
  });

  it('ignores what an object inherits, as Object.entries does', () => {
    const inherited = Object.assign(Object.create({ z: 4 }), { x: 2, y: 3 });
    expect(() => resolvePoint(program, inherited)).toThrow(/^input 'z': /);
  });

  it('takes defaults for inputs left out', () => {
    const withDefault = new ProgramBuilder();
    const x = withDefault.input('x', 5);
    withDefault.output(withDefault.apply('sin', x));
    expect(Array.from(resolvePoint(withDefault.build(), {}))).toEqual([5]);
  });
});

describe('the result', () => {
  it('builds the gradient by name once, in input order', () => {
    const r = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 });
    expect(r.gradient).toBe(r.gradient);
    expect(Object.keys(r.gradient)).toEqual(['z', 'x', 'y']);
  });

  it('keeps an input called __proto__ as an own name', () => {
    const b = new ProgramBuilder();
    const p = b.input('__proto__');
    b.output(b.apply('square', p));
    const g = grad(b.build(), [3]).gradient;
    expect(Object.hasOwn(g, '__proto__')).toBe(true);
    expect(g['__proto__']).toBe(6);
  });

  it('gets arrays of its own, zeros where nothing was written, even when carved from a slab', () => {
    const program = parse('x * y');
    const a = grad(program, { x: 1, y: 2 });
    const b = grad(program, { x: 3, y: 4 });
    expect(Array.from(a.values)).toEqual([1, 2, 2]);
    expect(Array.from(b.values)).toEqual([3, 4, 12]);
    expect(Array.from(a.solution.gradient)).toEqual([2, 1]);
    for (let k = 0; k < 3000; k++) expect(zeros(7).every((x) => x === 0)).toBe(true);
  });
});

describe('options', () => {
  const program = parse('x * y');
  it('pass a schedule its settings and keep grad’s own, checked as before', () => {
    expect(grad(program, { x: 1, y: 2 }, { schedule: 'forward', lanes: 1 }).gradient).toEqual({ x: 2, y: 1 });
    expect(() => grad(program, { x: 1, y: 2 }, { schedule: 'forward', lanes: 0 })).toThrow(
      'lanes: must be an integer ≥ 1, got 0',
    );
    expect(() => grad(program, { x: 1, y: 2 }, { schedule: 'reverse', lane: 1 } as object)).toThrow(
      "'lane': unknown option",
    );
    expect(() => grad(program, { x: 1, y: 2 }, { schedule: 'reverse', lanes: 1 })).toThrow(
      "lanes: not read by schedule 'reverse'",
    );
    expect(grad(program, { x: 1, y: 2 }, { schedule: 'reverse', output: undefined }).schedule).toBe('reverse');
  });
});

describe('results’ arrays reused as workspaces', () => {
  it('count solves per array, not per shared slab: a neighbour’s solve leaves a result readable', () => {
    const program = parse('x * y');
    const r1 = grad(program, { x: 1, y: 2 });
    const r2 = grad(program, { x: 3, y: 4 });
    const a = grad(program, { x: 1, y: 2 }, { workspace: { values: r1.values, lambda: r1.lambda } });
    grad(program, { x: 3, y: 4 }, { workspace: { values: r2.values, lambda: r2.lambda } });
    expect(Array.from(a.lambda)).toEqual([2, 1, 1]);
    grad(program, { x: 5, y: 6 }, { workspace: { values: r1.values, lambda: r1.lambda } });
    expect(() => a.lambda).toThrow('which a later solve has overwritten');
  });
});
