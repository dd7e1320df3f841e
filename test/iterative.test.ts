import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { gmres, type LinearOperator } from '../src/lagrangian/gmres.ts';
import { Monitor, Verdict } from '../src/lagrangian/convergence.ts';
import { grad, localPartials, parse, ProgramBuilder, resolveWeights, type Program } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';
import type { IterativeMethod } from '../solvers/schedules.ts';

const METHODS = ['jacobi', 'gauss-seidel', 'fixed-point', 'gmres'] as const;
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/**
 * The most variables on a path back from an output of nonzero weight along nonzero partials: the
 * number of sweeps after which (Jᵀ)^k w vanishes, i.e. how many Jacobi needs.
 */
function depth(program: Program, weights: Float64Array, values: Float64Array): number {
  const { parentStart, parents, inputCount, size, outputs } = program;
  const J = localPartials(program, values);
  const level = new Int32Array(size);
  outputs.forEach((o, k) => weights[k] !== 0 && (level[o] = Math.max(level[o], 1)));
  let most = 0;
  for (let i = size - 1; i >= 0; i--) {
    if (level[i] === 0) continue;
    most = Math.max(most, level[i]);
    if (i < inputCount) continue;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++)
      if (J[e] !== 0) level[parents[e]] = Math.max(level[parents[e]], level[i] + 1);
  }
  return most;
}

/** Smooth primitives whose partials never cancel exactly within one constraint (no x − x, x / x). */
const SMOOTH = [
  'add',
  'mul',
  'sin',
  'cos',
  'tanh',
  'exp',
  'scale',
  'shift',
  'sigmoid',
  'square',
  'sum',
  'neg',
  'id',
  'const',
];

describe('on acyclic programs', () => {
  it('Gauss–Seidel in reverse order is backprop: one sweep, the same multipliers bit for bit', () => {
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, inputs, weights }) => {
        const backprop = grad(program, inputs, { schedule: 'reverse', weights });
        const gs = grad(program, inputs, { schedule: 'iterative', method: 'gauss-seidel', weights });
        expect(gs.stats.iterations).toBe(1);
        expect(gs.solution.convergence!.at(-1)!.residuals).toEqual([0]);
        expect(Array.from(gs.lambda)).toEqual(Array.from(backprop.lambda));
      }),
      { numRuns: 100 },
    );
  });

  it('Jacobi finishes in exactly depth sweeps (the last changes nothing), with backprop’s multipliers', () => {
    // Tolerance 0: stop on an exactly zero change. In floating point a path's last contribution can
    // be absorbed (1 + 1e-17 = 1), ending Jacobi a sweep early, never late; on a fixed sample of
    // programs we see how often (at the default tolerance it may stop earlier still, once the
    // longest paths' products of partials fall below it).
    let exact = 0;
    const samples = fc.sample(arbitraryProgram({ primitives: SMOOTH }), { numRuns: 300, seed: 4 });
    for (const { program, inputs, weights } of samples) {
      const backprop = grad(program, inputs, { schedule: 'reverse', weights });
      const jacobi = grad(program, inputs, { schedule: 'iterative', method: 'jacobi', weights, tolerance: 0 });
      const d = depth(program, resolveWeights(program, undefined, weights), backprop.values);
      expect(jacobi.stats.iterations).toBeLessThanOrEqual(d);
      if (jacobi.stats.iterations === d) exact++;
      expect(jacobi.solution.convergence!.at(-1)!.residuals.at(-1)).toBe(0);
      // Each multiplier sums the same terms in the same order as back-substitution does.
      expect(Array.from(jacobi.lambda)).toEqual(Array.from(backprop.lambda));
    }
    expect(exact).toBeGreaterThanOrEqual(0.98 * samples.length);
  });

  it('Jacobi on a chain of 50 takes 51 sweeps (50 constraints and the input), bit for bit backprop', () => {
    const b = new ProgramBuilder();
    let v = b.input('x', 0.4);
    for (let k = 0; k < 50; k++) v = b.apply(k % 2 ? 'sin' : 'tanh', v);
    const program = b.output(v).build();
    const jacobi = grad(program, {}, { schedule: 'iterative', method: 'jacobi' });
    expect(jacobi.stats.iterations).toBe(51);
    expect(jacobi.gradient.x).toBe(grad(program, {}, { schedule: 'reverse' }).gradient.x);
  });

  it('the lecture example: Jacobi takes 6 sweeps (z → exp → mul → add → sin → add), Gauss–Seidel 1', async () => {
    const expression = 'z + sin(x^2 + y*exp(z))';
    for (const [method, sweeps] of [
      ['jacobi', 6],
      ['gauss-seidel', 1],
    ] as const) {
      const r = await lagrad([
        'grad',
        expression,
        '--at',
        'x=2,y=-1,z=0',
        '--schedule',
        'iterative',
        '--method',
        method,
        '--json',
      ]);
      const out = JSON.parse(r.out);
      expect(out.stats.iterations).toBe(sweeps);
      expect(out.gradient.x).toBeCloseTo(4 * Math.cos(3), 14);
      expect(out.gradient.z).toBeCloseTo(1 - Math.cos(3), 14);
    }
  });

  it('fixed-point and GMRES have no component to iterate on: plain back-substitution', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    for (const method of ['fixed-point', 'gmres'] as const) {
      const r = grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'iterative', method });
      expect(r.stats.iterations ?? 0).toBe(0);
      expect(r.gradient.y).toBeCloseTo(Math.cos(3), 14);
    }
  });
});

describe('on cyclic programs', () => {
  it('every method reports its iterations, residual history and observed rate, all numbers', () => {
    const program = parse(readFileSync(new URL('../examples/fixed-point.lag', import.meta.url), 'utf8'));
    for (const method of METHODS) {
      const r = grad(program, {}, { schedule: 'iterative', method });
      for (const [key, value] of Object.entries(r.stats)) expect(typeof value, `${method}: ${key}`).toBe('number');
      const record = r.solution.convergence!.find((c) => c.quantity === 'multipliers')!;
      expect(record.method).toBe(method);
      expect(record.iterations).toBe(r.stats.iterations);
      expect(record.residuals).toHaveLength(record.iterations);
      expect(record.converged).toBe(true);
      expect(record.residuals.at(-1)!).toBeLessThan(1e-11);
      expect(r.stats.residual).toBe(record.residuals.at(-1));
    }
    // The component {c = cos v, v = c + t}: Gauss–Seidel contracts by |sin v*| per sweep, Jacobi
    // (two constraints around the cycle) by √|sin v*|; GMRES on a 2×2 block is exact in 2 steps
    // (the Gauss–Seidel sweep it accelerates already has rank 1 here).
    const rate = (method: IterativeMethod) => grad(program, {}, { schedule: 'iterative', method }).stats.rate;
    expect(rate('gauss-seidel')).toBeCloseTo(Math.sin(0.7390851332151607), 3);
    expect(rate('fixed-point')).toBeCloseTo(Math.sin(0.7390851332151607), 3);
    expect(rate('jacobi')).toBeCloseTo(Math.sqrt(Math.sin(0.7390851332151607)), 1);
    expect(grad(program, {}, { schedule: 'iterative', method: 'gmres' }).stats.iterations).toBeLessThanOrEqual(2);
  });

  it('whole-program and per-component Gauss–Seidel agree on random cyclic programs', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, inputs }) => {
        const whole = grad(program, inputs, { schedule: 'iterative', method: 'gauss-seidel' });
        const blocks = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point' });
        for (let i = 0; i < program.size; i++) expect(relative(whole.lambda[i], blocks.lambda[i])).toBeLessThan(1e-9);
      }),
      { numRuns: 40 },
    );
  });

  // A slowly contracting component: u_r = 0.495 (u_{r−1} + u_{r+1}) + x_{r mod 3} on a ring of 40,
  // a discrete Laplacian whose J has spectral radius 0.99, read out by y = Σ_r c_r u_r with uneven
  // weights: the fixed-point iteration crawls, GMRES (minimal residual over the Krylov space) does not.
  const M = 40;
  const COUPLING = 0.495;
  const c = Array.from({ length: M }, (_, r) => 1 + ((r * r) % 13) / 13);
  function slowRing(): Program {
    const b = new ProgramBuilder();
    const x = Array.from({ length: 3 }, (_, k) => b.input(`x${k}`, 0.3 * (k + 1)));
    const u: number[] = [];
    for (let r = 0; r < M; r++) {
      const neighbours = b.apply('add', b.placeholder((r + M - 1) % M), b.placeholder((r + 1) % M));
      u.push(b.apply('add', b.apply('scale', neighbours, undefined, COUPLING), x[r % 3]));
    }
    b.resolve((k) => u[k]);
    return b
      .output(
        b.applyMany(
          'sum',
          u.map((ur, r) => b.apply('scale', ur, undefined, c[r])),
        ),
      )
      .build();
  }

  it('GMRES needs far fewer products than the fixed-point iteration on a slowly contracting component', () => {
    const program = slowRing();
    // Closed form: (I − 0.495 (S + Sᵀ)) λ = c on the ring, ∂y/∂x_k = Σ_{r ≡ k mod 3} λ_r.
    const A = Matrix.eye(M);
    for (let r = 0; r < M; r++) {
      A.set(r, (r + 1) % M, -COUPLING);
      A.set(r, (r + M - 1) % M, -COUPLING);
    }
    const lambda = solve(A, Matrix.columnVector(c)).to1DArray();
    const expected = [0, 1, 2].map((k) => lambda.reduce((sum, l, r) => (r % 3 === k ? sum + l : sum), 0));
    const fixed = grad(program, {}, { schedule: 'iterative', method: 'fixed-point', maxIterations: 20000 });
    const krylov = grad(program, {}, { schedule: 'iterative', method: 'gmres', maxIterations: 20000 });
    for (const r of [grad(program, {}, { schedule: 'reverse' }), fixed, krylov]) {
      expected.forEach((g, k) => expect(relative(r.gradient[`x${k}`] as number, g)).toBeLessThan(1e-9));
    }
    expect(fixed.stats.rate).toBeGreaterThan(0.95);
    // Each GMRES product is two sweeps (a product with (I − J_CC)ᵀ and a Gauss–Seidel sweep).
    expect(krylov.stats.matvecs * 2 * 5).toBeLessThan(fixed.stats.iterations);
  });

  it('the same ring at the default limit: the fixed-point iteration says it is too slow, in one line', () => {
    expect(() => grad(slowRing(), {}, { schedule: 'iterative', method: 'fixed-point' })).toThrow(
      /^variable #\d+ \(\w+\): cyclic component \{#\d+…#\d+\}: the fixed-point iteration on the multipliers contracts too slowly to reach the tolerance within 1000 sweeps \(residual .* rate 0\.9\d+\)$/,
    );
  });
});

describe('gmres over typed arrays', () => {
  it('solves a nonsymmetric system to the tolerance, with a non-increasing residual, restarted or not', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 2, max: 40 }),
        (n, seed, restart) => {
          let s = seed;
          const random = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
          // A = I − 0.8 R / ‖R‖∞: eigenvalues in the disc around 1 of radius 0.8.
          const R = Matrix.from1DArray(n, n, Array.from({ length: n * n }, random));
          const norm = Math.max(...R.to2DArray().map((row) => row.reduce((t, x) => t + Math.abs(x), 0)));
          const A = Matrix.eye(n).sub(R.mul(0.8 / norm));
          const b = Float64Array.from({ length: n }, random);
          const operator: LinearOperator = {
            size: n,
            apply: (x, y) => y.set(A.mmul(Matrix.columnVector(Array.from(x))).to1DArray()),
          };
          const x = new Float64Array(n);
          const monitor = new Monitor(1e-13, 2000);
          const { verdict } = gmres(operator, b, x, monitor, restart);
          expect(verdict).toBe(Verdict.Converged);
          const expected = solve(A, Matrix.columnVector(Array.from(b))).to1DArray();
          for (let k = 0; k < n; k++) expect(Math.abs(x[k] - expected[k])).toBeLessThan(1e-10);
          for (let k = 1; k < monitor.residuals.length; k++)
            expect(monitor.residuals[k]).toBeLessThanOrEqual(monitor.residuals[k - 1] * (1 + 1e-12));
          if (restart >= n) expect(monitor.iterations).toBeLessThanOrEqual(n);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stops on a singular operator instead of dividing by zero', () => {
    const operator: LinearOperator = { size: 2, apply: (x, y) => y.set([x[0], 0]) };
    const x = new Float64Array(2);
    const { verdict } = gmres(operator, Float64Array.of(1, 1), x, new Monitor(1e-12, 100));
    expect(verdict).toBe(Verdict.Slow);
    expect(Array.from(x).every(Number.isFinite)).toBe(true);
  });
});

describe('the command line', () => {
  it('lists the iterative schedule and its methods', async () => {
    const r = await lagrad(['grad', '--help']);
    expect(r.out).toMatch(
      /iterative\s+multipliers by iteration, --method gauss-seidel \(default\) \| jacobi \| fixed-point \| gmres/,
    );
  });

  it('prints each residual history under --json', async () => {
    const file = { 'p.lag': 'input t = 0\ninit v = 1\nv = cos(v) + t\noutput v' };
    const r = await lagrad(
      ['grad', 'p.lag', '--schedule', 'iterative', '--method', 'jacobi', '--json', '--tolerance', '1e-8'],
      file,
    );
    const out = JSON.parse(r.out);
    const multipliers = out.convergence.find((c: { quantity: string }) => c.quantity === 'multipliers');
    expect(multipliers.residuals).toHaveLength(out.stats.iterations);
    expect(multipliers.residuals.at(-1)).toBeLessThan(1e-8);
    expect(multipliers.rate).toBeGreaterThan(0.7);
  });
});
