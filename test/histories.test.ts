import { describe, expect, it } from 'vitest';
import { grad, parseProgram } from '../src/index.ts';
import { contractionRate, Monitor } from '../src/lagrangian/convergence.ts';
import { ResidualHistory } from '../src/lagrangian/residualHistory.ts';
import { lagrad } from './helpers/cli.ts';

// Family 4 of issue 9: an iteration's residual history is bounded in memory whatever its limit, the
// observed rate still comes from exact residuals, and an exhausted limit is one line with the
// residual reached.

describe('the residual history of one loop', () => {
  it('keeps every residual up to 3000 iterations, then at most 3000 of them: the first and last thousand exactly', () => {
    const h = new ResidualHistory();
    const value = (k: number) => 1 / (k + 1);
    for (let k = 0; k < 2999; k++) h.push(value(k));
    expect(h.kept().residuals).toHaveLength(2999);
    for (let k = 2999; k < 1_000_000; k++) h.push(value(k));
    const { residuals, iterations } = h.kept();
    expect(h.length).toBe(1_000_000);
    expect(residuals.length).toBeLessThanOrEqual(3000);
    expect(iterations.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, k) => k + 1));
    expect(iterations.slice(-1000)).toEqual(Array.from({ length: 1000 }, (_, k) => 999_001 + k));
    // Each kept residual is the one of its iteration, in order, spread over the middle.
    residuals.forEach((r, q) => expect(r).toBe(value(iterations[q] - 1)));
    for (let q = 1; q < iterations.length; q++) expect(iterations[q]).toBeGreaterThan(iterations[q - 1]);
    const middle = iterations.slice(1000, -1000);
    expect(middle.length).toBeGreaterThan(400);
    expect(Math.max(...middle.slice(1).map((k, q) => k - middle[q]))).toBeLessThanOrEqual(
      2 * ((1_000_000 - 2000) / middle.length),
    );
  });

  it('gives the monitor the same observed rate as the whole history, from two exact residuals', () => {
    for (const n of [10, 2500, 20_000, 300_000]) {
      const monitor = new Monitor(0, 1_000_000, Infinity);
      const all: number[] = [];
      let r = 1;
      for (let k = 0; k < n; k++) {
        r *= 0.999 * (1 + 0.01 * Math.sin(k));
        all.push(r);
        monitor.check(r, 1);
      }
      expect(Math.abs(monitor.rate() - contractionRate(all))).toBeLessThan(1e-5);
      expect(monitor.residuals.length).toBeLessThanOrEqual(3000);
      expect(monitor.iterations).toBe(n);
    }
  });
});

describe('a slowly contracting fixed point', () => {
  it('records a long solve in at most 3000 residuals, with the iteration of each', () => {
    // v = 0.999·v + t + 1 contracts by 0.999 a sweep: about 28 000 sweeps to 1e-12.
    const program = parseProgram('input t = 0\nv = 0.999 * v + t + 1\noutput v');
    const r = grad(program, {}, { primal: 'fixed-point', maxIterations: 100_000 });
    const record = r.solution.convergence!.find((c) => c.quantity === 'values')!;
    expect(record.iterations).toBeGreaterThan(20_000);
    expect(record.residuals.length).toBeLessThanOrEqual(3000);
    expect(record.kept).toHaveLength(record.residuals.length);
    expect(record.kept!.at(-1)).toBe(record.iterations);
    expect(record.rate).toBeCloseTo(0.999, 4);
    expect(r.gradient.t).toBeCloseTo(1000, 6);
  });

  it('the issue’s 10⁹ iteration limit is refused, and an exhausted limit of 10⁶ is one line with the residual reached', async () => {
    const files = { 'p.lag': 'input t = 0\nv = 0.9999999*v + t + 1\noutput v' };
    const huge = await lagrad(['grad', 'p.lag', '--primal', 'fixed-point', '--max-iterations', '1000000000'], files);
    expect(huge.status).not.toBe(0);
    expect(huge.err).toBe('lagrad: --max-iterations: must be an integer ≥ 1 and ≤ 1000000, got 1000000000\n');
    const slow = await lagrad(['grad', 'p.lag', '--primal', 'fixed-point', '--max-iterations', '1000000'], files);
    expect(slow.status).toBe(1);
    expect(slow.err).toMatch(
      /^lagrad: p\.lag:2:\d+: cyclic component \{v( \(\+\d unnamed\))?\}: the fixed-point iteration contracts too slowly to reach the tolerance within 1000000 sweeps \(residual \S+ after \d+ sweeps, rate 1 − 1e-7\)\n$/,
    );
  });
});
