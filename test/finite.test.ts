import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, primitives, ProgramBuilder } from '../src/index.ts';
import { checkBackSubstitution, checkMultipliers } from '../src/lagrangian/finite.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { interpretedKernels } from '../src/primitives/interpretedKernels.ts';
import { compileKernels } from '../src/primitives/kernels.ts';
import type { Program } from '../src/program/program.ts';

// The cheap non-finite checks of the hot path against the full scans they replace: the forward
// sweep's returned Σ v_i·0, and back-substitution's multipliers read only where it ends (inputs
// and constraints without parents). Random programs here leave the primitives' domains on purpose
// (sqrt and log at 0 and below, division by 0, constants 0), so NaN and ±∞ are common.

const OPS = [
  'const',
  'add',
  'sub',
  'mul',
  'div',
  'sqrt',
  'log',
  'exp',
  'sin',
  'tanh',
  'pow',
  'square',
  'scale',
  'relu',
  'max',
];
const step = fc.record({
  op: fc.nat(OPS.length - 1),
  a: fc.nat(),
  b: fc.nat(),
  theta: fc.constantFrom(0, 1, -1, 0.5, 1e200, 1e-200),
});
const arbitrary = fc.record({
  inputs: fc.array(fc.constantFrom(0, 1, -1, 2, 1e-300, -0.5, 1e300), { minLength: 1, maxLength: 3 }),
  steps: fc.array(step, { minLength: 1, maxLength: 25 }),
  outputs: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
});

type Draw = typeof arbitrary extends fc.Arbitrary<infer T> ? T : never;

/** A program with parents drawn anywhere earlier, and its point. */
function build({ inputs, steps, outputs }: Draw): { program: Program; point: Float64Array } {
  const b = new ProgramBuilder();
  inputs.forEach((_, k) => b.input(`x${k}`));
  let n = inputs.length;
  for (const s of steps) {
    const name = OPS[s.op];
    const arity = primitives.get(primitives.code(name)).arity;
    if (arity === 0) b.constant(s.theta);
    else b.apply(name, s.a % n, arity === 2 ? s.b % n : undefined, s.theta);
    n++;
  }
  for (const o of new Set(outputs.map((o) => o % n))) b.output(o);
  return { program: b.build(), point: Float64Array.from(inputs) };
}

/** What a check throws (its message), or '' when it passes. */
function outcome(check: () => void): string {
  try {
    check();
    return '';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('the forward sweep’s finiteness', () => {
  const table = primitives.checkedAll();
  const kernels = [compileKernels(table), interpretedKernels(table)];

  it('returns 0 exactly when every value it wrote is finite (generated and interpreted)', () => {
    let failing = 0;
    fc.assert(
      fc.property(arbitrary, (draw) => {
        const { program, point } = build(draw);
        const { ops, parentStart, parents, constants, inputCount, size } = program;
        for (const k of kernels) {
          const v = new Float64Array(size);
          v.set(point);
          const finite = k.forward(v, ops, parentStart, parents, constants, inputCount, size);
          const every = v.subarray(inputCount).every(Number.isFinite);
          expect(Object.is(finite, every ? 0 : NaN)).toBe(true);
          if (!every) failing++;
        }
      }),
      { numRuns: 400 },
    );
    expect(failing).toBeGreaterThan(0); // the draws did leave the domains
  });
});

describe('checkBackSubstitution', () => {
  it('throws exactly when the full scan of every multiplier does, with the same message', () => {
    const seen = { passed: 0, failed: 0 };
    fc.assert(
      fc.property(
        arbitrary,
        fc.array(fc.constantFrom(1, -2, 0.5, 1e300), { minLength: 3, maxLength: 3 }),
        (draw, w) => {
          const { program, point } = build(draw);
          const values = new Float64Array(program.size);
          values.set(point);
          const { ops, parentStart, parents, constants, inputCount, size } = program;
          const k = primitives.kernels();
          if (k.forward(values, ops, parentStart, parents, constants, inputCount, size) !== 0) return; // the values' own check comes first
          const lambda = new Float64Array(size);
          seed(
            program,
            Float64Array.from(program.outputs, (_, j) => w[j]),
            lambda,
          );
          k.reverse(values, lambda, lambda, ops, parentStart, parents, constants, inputCount, size);
          const fast = outcome(() => checkBackSubstitution(program, values, lambda));
          expect(fast).toBe(outcome(() => checkMultipliers(program, values, lambda)));
          seen[fast === '' ? 'passed' : 'failed']++;
        },
      ),
      { numRuns: 600 },
    );
    expect(seen.failed).toBeGreaterThan(0);
    expect(seen.passed).toBeGreaterThan(0);
  });

  it('finds a non-finite multiplier that ends at a constant, not at an input', () => {
    // λ of c = const 0 is λ_d · ∂sqrt/∂c = 0.5/√0 = ∞; every input's multiplier stays finite.
    const b = new ProgramBuilder();
    const x = b.input('x');
    const c = b.constant(0);
    const d = b.apply('sqrt', c);
    b.output(b.apply('mul', d, x));
    b.name(c, 'c');
    const program = b.build();
    expect(() => grad(program, { x: 2 }, { schedule: 'reverse' })).toThrow(
      "the partial of sqrt with respect to 'c' at sqrt(0) is Infinity: the derivative does not exist here",
    );
  });
});
