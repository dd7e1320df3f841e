import { describe, expect, it } from 'vitest';
import { grad, ops, parse, toJSON, trace } from '../src/index.ts';

const { add, exp, max, mul, pow, sin, sum, sub, div } = ops;

describe('trace', () => {
  it('records the lecture function as the parser does', () => {
    const traced = trace(({ x, y, z }) => add(z, sin(add(pow(x, 2), mul(y, exp(z))))), { x: 2, y: -1, z: 0 });
    const parsed = parse('z + sin(x^2 + y*exp(z))');
    const a = grad(traced);
    const b = grad(parsed, { x: 2, y: -1, z: 0 });
    expect(a.value).toBe(b.value);
    expect(a.gradient).toEqual(b.gradient);
    // Same constraints (the parser orders inputs by first appearance, so compare ops only).
    expect(toJSON(traced).primitives.sort()).toEqual(toJSON(parsed).primitives.sort());
  });
  it('names intermediates and reports their multipliers', () => {
    const f = trace(({ x }) => sin(x.mul(x).as('a')), ['x']);
    const r = grad(f, { x: 0.5 });
    expect(r.multipliers.a).toBe(Math.cos(0.25));
    expect(r.gradient.x).toBe(2 * 0.5 * Math.cos(0.25));
  });
  it('carries numbers as constants and unrolls loops', () => {
    const f = trace(
      ({ x }) => {
        let v = x;
        for (let k = 0; k < 5; k++) v = v.mul(0.5).add(1);
        return sub(div(v, 2), max(x, 0));
      },
      { x: 3 },
    );
    // v₅ = x/32 + (1 + 1/2 + … + 1/16), so f = v₅/2 − x for x > 0, f' = 1/64 − 1.
    expect(grad(f).gradient.x).toBe(1 / 64 - 1);
  });
  it('returns several outputs by name', () => {
    const f = trace(({ x, y }) => ({ s: sum(x, y, 1), p: mul(x, y) }), { x: 2, y: 5 });
    expect(grad(f, undefined, { output: 'p' }).gradient).toEqual({ x: 5, y: 2 });
    expect(grad(f, undefined, { output: 's' }).gradient).toEqual({ x: 1, y: 1 });
  });
  it('refuses variables of another trace and functions of numbers only', () => {
    let leaked: Parameters<typeof sin>[0] | undefined;
    trace(({ x }) => (leaked = x), ['x']);
    expect(() => trace(({ y }) => add(y, leaked!), ['y'])).toThrow(
      "primitive 'add': mixes variables of two different traces",
    );
    expect(() => trace(() => add(1, 2) as never, ['x'])).toThrow("primitive 'add': needs at least one traced variable");
  });
});
