import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, parse, parseProgram, ProgramBuilder } from '../src/index.ts';
import { longestChain } from '../solvers/iterative/jacobi.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// The dual schedule: (I − J)ᵀλ = w solved by minimising ½‖(I − J)ᵀλ − w‖², with no elimination
// order, checked against back-substitution (reverse) on random programs and closed forms.

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** The run's residual history: recorded, counted and never increasing beyond rounding. */
function checkHistory(r: ReturnType<typeof grad>, method: string): readonly number[] {
  const record = r.solution.convergence!.at(-1)!;
  expect(record).toMatchObject({ quantity: 'multipliers', method, converged: true, variables: 'program' });
  expect(record.iterations).toBe(r.stats.iterations);
  // Every residual, or beyond 3000 iterations the first and last thousand and a sample (`kept`).
  expect(record.residuals).toHaveLength(record.kept?.length ?? record.iterations);
  if (record.kept) expect(record.kept.at(-1)).toBe(record.iterations);
  expect(r.stats.residual).toBe(record.residuals.at(-1) ?? 0);
  // Both methods minimise ‖r‖₂ over growing sets (CGLS: a Krylov space; steepest descent: a line
  // through the last iterate), so it never rises — except by rounding, and when the recurrence is
  // replaced by the true residual at the end.
  const first = record.residuals[0] ?? 0;
  for (let k = 1; k < record.residuals.length; k++)
    expect(record.residuals[k]).toBeLessThanOrEqual(record.residuals[k - 1] * (1 + 1e-9) + 1e-11 * first);
  return record.residuals;
}

describe('dual cg (CGLS on the normal equations)', () => {
  it('agrees with reverse to 1e-8 on every multiplier of random acyclic programs', () => {
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, inputs, weights }) => {
        const reference = grad(program, inputs, { schedule: 'reverse', weights });
        const r = grad(program, inputs, { schedule: 'dual', weights });
        for (let i = 0; i < program.size; i++)
          expect(relative(r.lambda[i], reference.lambda[i]), `λ_${i}`).toBeLessThan(1e-8);
        checkHistory(r, 'cg');
      }),
      { numRuns: 100 },
    );
  });

  it('agrees with reverse to 1e-8 on random cyclic programs', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, inputs }) => {
        const reference = grad(program, inputs, { schedule: 'reverse' });
        const r = grad(program, inputs, { schedule: 'dual' });
        for (let i = 0; i < program.size; i++)
          expect(relative(r.lambda[i], reference.lambda[i]), `λ_${i}`).toBeLessThan(1e-8);
        checkHistory(r, 'cg');
      }),
      { numRuns: 40 },
    );
  });

  it('on a chain needs at least as many iterations as the chain is long: each product moves λ one edge', () => {
    for (const steps of [10, 50, 200]) {
      const b = new ProgramBuilder();
      let v = b.input('x', 1);
      for (let k = 0; k < steps; k++) v = b.apply('sin', v);
      const program = b.output(v).build();
      const r = grad(program, {}, { schedule: 'dual' });
      expect(r.stats.iterations).toBeGreaterThanOrEqual(longestChain(program) - 1);
      expect(
        relative(r.gradient.x as number, grad(program, {}, { schedule: 'reverse' }).gradient.x as number),
      ).toBeLessThan(1e-10);
      // Two sweeps per iteration (a reverse and a tangent), besides the primal sweep.
      expect(r.stats.sweeps).toBeGreaterThanOrEqual(2 * r.stats.iterations);
    }
  });

  it('converges where Jacobi and Gauss–Seidel diverge: u = 0.9v + x, v = 1.5u + 1, ρ(J_CC) = √1.35 > 1', () => {
    const program = parseProgram('input x = 0.5\nu = 0.9*v + x\nv = 1.5*u + 1\noutput v\n', { file: 'expand.lag' });
    // Closed form: v = 1.5(0.9v + x) + 1, so ∂v/∂x = 1.5 / (1 − 1.35).
    const r = grad(program, {}, { schedule: 'dual' });
    expect(relative(r.gradient.x as number, 1.5 / (1 - 1.35))).toBeLessThan(1e-10);
    for (const method of ['jacobi', 'gauss-seidel'] as const)
      expect(() => grad(program, {}, { schedule: 'iterative', method })).toThrow(/makes no progress|diverges/);
  });

  it('zero weights: λ = 0 at once', () => {
    const program = parseProgram('input x = 2\ninput y = 3\nz = x * y\noutput z\n');
    const r = grad(program, {}, { schedule: 'dual', weights: { z: 0 } });
    expect(Array.from(r.lambda)).toEqual(new Array(program.size).fill(0));
    expect(r.stats.iterations).toBe(0);
  });
});

describe('dual gradient (steepest descent with exact line search)', () => {
  it('agrees with reverse to 1e-8 when it converges, and otherwise says so in one line', () => {
    let converged = 0;
    const samples = fc.sample(arbitraryCyclicProgram(), { numRuns: 8, seed: 3 });
    for (const { program, inputs } of samples) {
      const reference = grad(program, inputs, { schedule: 'reverse' });
      try {
        const r = grad(program, inputs, { schedule: 'dual', method: 'gradient', maxIterations: 20000 });
        for (let i = 0; i < program.size; i++) expect(relative(r.lambda[i], reference.lambda[i])).toBeLessThan(1e-8);
        checkHistory(r, 'gradient');
        converged++;
      } catch (e) {
        expect((e as Error).message).toMatch(
          /^schedule 'dual': gradient descent on the dual residual contracts too slowly to reach the tolerance within 20000 iterations \(residual \S+ after \d+ iterations, rate 0\.9\d*\)$/,
        );
      }
    }
    // Steepest descent contracts by (κ² − 1)/(κ² + 1) per step, κ the condition number of I − J:
    // most of these small programs finish within 20000 steps.
    expect(converged).toBeGreaterThanOrEqual(samples.length / 2);
  });

  it('never increases the residual, and stops with one error line when too slow (the lecture example)', async () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    const at = { x: 2, y: -1, z: 0 };
    const slow = grad(program, at, { schedule: 'dual', method: 'gradient', maxIterations: 50000 });
    const residuals = checkHistory(slow, 'gradient');
    expect(relative(slow.gradient.x as number, 4 * Math.cos(3))).toBeLessThan(1e-8);
    // Far more steps than CG, which needs at most N = 9 in exact arithmetic.
    const cg = grad(program, at, { schedule: 'dual' });
    expect(cg.stats.iterations).toBeLessThanOrEqual(12);
    expect(residuals.length).toBeGreaterThan(50 * cg.stats.iterations);
    const r = await lagrad([
      'grad',
      'z + sin(x^2 + y*exp(z))',
      '--at',
      'x=2,y=-1,z=0',
      '--schedule',
      'dual',
      '--method',
      'gradient',
    ]);
    expect(r.status).toBe(1);
    expect(r.err).toMatch(
      /^lagrad: schedule 'dual': gradient descent on the dual residual contracts too slowly to reach the tolerance within 1000 iterations \(residual \S+ after \d+ iterations, rate 0\.99\d*\)\n$/,
    );
  });
});

describe('dual on the command line', () => {
  it('is listed by grad --help, with its methods', async () => {
    const r = await lagrad(['grad', '--help']);
    expect(r.out).toMatch(/--schedule .*\bdual\b/);
    expect(r.out).toMatch(
      /\n {2}dual +multipliers by minimising ½‖\(I − J\)ᵀλ − w‖², no elimination order: --method cg .*\| gradient/,
    );
  });

  it('reports iterations, residual, rate and the residual history', async () => {
    const r = await lagrad(['grad', 'z + sin(x^2 + y*exp(z))', '--at', 'x=2,y=-1,z=0', '--schedule', 'dual', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.schedule).toBe('dual');
    expect(out.gradient.y).toBeCloseTo(Math.cos(3), 10);
    for (const key of ['iterations', 'residual', 'rate']) expect(typeof out.stats[key]).toBe('number');
    expect(out.convergence.at(-1).residuals).toHaveLength(out.stats.iterations);
  });

  it('a method of another schedule, or of none, is one line naming the flag and the choices', async () => {
    const other = await lagrad(['grad', 'x^2', '--at', 'x=1', '--schedule', 'dual', '--method', 'jacobi']);
    expect(other.status).not.toBe(0);
    expect(other.err).toBe("lagrad: --method: schedule 'dual' takes cg, gradient, got 'jacobi'\n");
    const back = await lagrad(['grad', 'x^2', '--at', 'x=1', '--schedule', 'iterative', '--method', 'cg']);
    expect(back.err).toBe(
      "lagrad: --method: schedule 'iterative' takes gauss-seidel, jacobi, fixed-point, gmres, got 'cg'\n",
    );
    const none = await lagrad(['grad', 'x^2', '--at', 'x=1', '--schedule', 'dual', '--method', 'newton']);
    expect(none.err).toMatch(
      /^lagrad: --method: must be one of gauss-seidel, jacobi, fixed-point, gmres, cg, gradient, got 'newton'/,
    );
  });
});
