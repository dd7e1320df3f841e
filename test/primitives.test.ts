import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  builtinPrimitives,
  evaluate,
  grad,
  LagradError,
  ProgramBuilder,
  primitives,
  registerPrimitive,
  parse,
  type Primitive,
} from '../src/index.ts';
import { centralDifference, relativeError } from './helpers/finiteDifferences.ts';

// Every primitive's declared partials against central differences of its declared value, at
// random points of its domain, through the schedules (so the generated sweeps are tested too).

function single(p: Primitive, constant: number) {
  const b = new ProgramBuilder();
  const arity = p.arity === 'variadic' ? 3 : p.arity;
  const args = Array.from({ length: arity }, (_, k) => b.input(`x${k}`));
  const y = p.arity === 'variadic' ? b.applyMany(p.name, args) : b.apply(p.name, args[0], args[1], constant);
  return b.output(y).build();
}

/** Points away from kinks, where a one-sided rule and a central difference legitimately differ. */
const smooth = (p: Primitive, x: number[]) => {
  if (['relu', 'abs'].includes(p.name)) return Math.abs(x[0]) > 1e-3;
  if (['max', 'min'].includes(p.name)) return Math.abs(x[0] - x[1]) > 1e-3;
  return true;
};

const range = (r: readonly [number, number] | undefined) =>
  fc.double({ min: r?.[0] ?? -3, max: r?.[1] ?? 3, noNaN: true });

describe('primitive partials against central differences', () => {
  const differentiable = builtinPrimitives.filter((p) => p.arity !== 0);
  it('covers every built-in primitive that has parents', () => {
    expect(differentiable.map((p) => p.name).sort()).toEqual(
      [
        'abs',
        'add',
        'cos',
        'div',
        'exp',
        'id',
        'log',
        'max',
        'min',
        'mul',
        'neg',
        'pow',
        'powc',
        'relu',
        'scale',
        'shift',
        'sigmoid',
        'sin',
        'sqrt',
        'square',
        'sub',
        'sum',
        'tan',
        'tanh',
      ].sort(),
    );
  });
  for (const p of differentiable) {
    it(`${p.name}`, () => {
      const arity = p.arity === 'variadic' ? 3 : p.arity;
      fc.assert(
        fc.property(
          fc.tuple(range(p.domain?.a), range(p.domain?.b), range(p.domain?.a)),
          range(p.domain?.c),
          (point, constant) => {
            const x = point.slice(0, arity);
            fc.pre(smooth(p, x));
            const program = single(p, constant);
            const reverse = grad(program, x, { schedule: 'reverse' }).solution.gradient;
            const forward = grad(program, x, { schedule: 'forward' }).solution.gradient;
            for (let k = 0; k < arity; k++) {
              const e = new Float64Array(arity);
              e[k] = 1;
              const fd = centralDifference((z) => evaluate(program, z), Float64Array.from(x), e);
              expect(relativeError(reverse[k], fd)).toBeLessThan(1e-6);
              expect(forward[k]).toBe(reverse[k]);
            }
          },
        ),
        { numRuns: 100 },
      );
    });
  }
});

describe('constant primitives', () => {
  it('const has no parents and its value is θ', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    b.output(b.apply('mul', x, b.constant(2.5)));
    expect(grad(b.build(), [4]).gradient.x).toBe(2.5);
  });
});

describe('the registry', () => {
  it('takes a user primitive that then works in every schedule and in the parser', () => {
    if (!primitives.has('softplus')) {
      registerPrimitive({
        name: 'softplus',
        arity: 1,
        value: 'Math.log1p(Math.exp(a))',
        partials: ['1 / (1 + Math.exp(-a))'],
      });
    }
    const program = parse('softplus(2 * x)');
    for (const schedule of ['reverse', 'forward']) {
      // d/dx softplus(2x) = 2·sigmoid(2x)
      expect(grad(program, { x: 0.3 }, { schedule }).gradient.x).toBeCloseTo(2 / (1 + Math.exp(-0.6)), 14);
    }
  });
  it('takes function rules too', () => {
    if (!primitives.has('cube'))
      registerPrimitive({ name: 'cube', arity: 1, value: (a) => a * a * a, partials: [(a) => 3 * a * a] });
    expect(grad(parse('cube(x)'), { x: 2 }).gradient.x).toBe(12);
  });
  it('refuses malformed declarations, naming the primitive', () => {
    expect(() => registerPrimitive({ name: 'sin', arity: 1, value: 'a', partials: ['1'] })).toThrow(
      "primitive 'sin': is already registered",
    );
    expect(() => registerPrimitive({ name: 'bad1', arity: 2, value: 'a', partials: ['1'] })).toThrow(
      "primitive 'bad1' partials: declares 1 partials for arity 2; expected 2",
    );
    expect(() => registerPrimitive({ name: 'bad2', arity: 1, value: 'a +', partials: ['1'] })).toThrow(
      /primitive 'bad2' value: 'a \+' is not a JavaScript expression/,
    );
    expect(() => registerPrimitive({ name: 'bad name', arity: 1, value: 'a', partials: ['1'] })).toThrow(LagradError);
  });
  it('suggests the closest name for an unknown primitive', () => {
    expect(() => primitives.code('sinh')).toThrow("unknown; did you mean 'sin'?");
  });
});
