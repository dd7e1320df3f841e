import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, parseProgram } from '../src/index.ts';
import { gemm } from '../src/primitives/blocks/gemm.ts';
import { LagradMlp, mlpProblem, mlpShape, mlpText } from '../bench/mlp.ts';
import { matmulIkj, MlpTape, type MlpShape } from '../bench/mlpTape.ts';
import { relativeError } from '../bench/systems.ts';
import { loadTf } from '../bench/tfjs.ts';
import { TfMlp } from '../bench/tfjsMlp.ts';
import { uniform } from '../examples/lib/seeded.ts';
import { centralDifference, dot } from './helpers/finiteDifferences.ts';

// The block benchmark's reference, the hand-written MLP pass, must compute what lagrad computes
// (the benchmark checks every system before timing; here on random shapes, without timing), and
// lagrad's MLP gradient must match finite differences, so the reference is itself checked.

/** A random network of this shape with synthetic data (the `mlp-784` recipe at other sizes). */
function problem(shape: MlpShape, seed: number) {
  return mlpProblem('mlp-784', shape, seed);
}

describe('the hand-written MLP (bench/mlpTape.ts)', () => {
  it('gives lagrad’s loss and gradient on random shapes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 2, max: 5 }),
        fc.nat(),
        (m, d, h, c, seed) => {
          const shape = { m, d, h, c };
          const { X, Y, theta } = problem(shape, seed);
          const lagrad = new LagradMlp(shape, X, Y, theta);
          const loss = lagrad.gradient();
          const tape = new MlpTape(shape);
          const out = new Float64Array(theta.length).fill(NaN);
          expect(Math.abs(tape.gradient(X, Y, theta, out) - loss)).toBeLessThanOrEqual(1e-14 * Math.max(1, loss));
          expect(relativeError(out, Float64Array.from(lagrad.out))).toBeLessThan(1e-12);
          expect(lagrad.value()).toBe(loss);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('on iris, agrees with lagrad, whose gradient agrees with central differences along random directions', () => {
    const shape = mlpShape('mlp-iris', false);
    const { X, Y, theta } = mlpProblem('mlp-iris', shape, 3);
    const lagrad = new LagradMlp(shape, X, Y, theta);
    lagrad.gradient();
    const gradient = Float64Array.from(lagrad.out);
    const out = new Float64Array(theta.length);
    new MlpTape(shape).gradient(X, Y, theta, out);
    expect(relativeError(out, gradient)).toBeLessThan(1e-13);
    const u = uniform(5);
    const loss = (t: Float64Array) => new MlpTape(shape).loss(X, Y, t);
    for (let k = 0; k < 3; k++) {
      const direction = Float64Array.from(theta, () => 2 * u() - 1);
      const fd = centralDifference(loss, theta, direction, 1e-5);
      expect(Math.abs(fd - dot(gradient, direction))).toBeLessThan(1e-8 * Math.max(1, Math.abs(fd)));
    }
  });

  it('the plain i-k-j product equals lagrad’s matrix kernel', () => {
    const [m, k, n] = [7, 13, 5];
    const u = uniform(9);
    const A = Float64Array.from({ length: m * k }, () => 2 * u() - 1);
    const B = Float64Array.from({ length: k * n }, () => 2 * u() - 1);
    const C = new Float64Array(m * n);
    const D = new Float64Array(m * n).fill(NaN);
    gemm(A, 0, B, 0, C, 0, m, k, n, false);
    matmulIkj(A, B, D, m, k, n);
    expect(relativeError(D, C)).toBeLessThan(1e-15);
    // entry (2, 3) by its definition
    let c23 = 0;
    for (let p = 0; p < k; p++) c23 += A[2 * k + p] * B[p * n + 3];
    expect(D[2 * n + 3]).toBeCloseTo(c23, 14);
  });
});

describe('the benchmark’s network', () => {
  it('is examples/iris.lag: the same program text at iris’s shapes gives the same loss', () => {
    const shape = mlpShape('mlp-iris', false);
    const { X, Y, theta } = mlpProblem('mlp-iris', shape, 3);
    const lagrad = new LagradMlp(shape, X, Y, theta);
    const example = parseProgram(readFileSync(new URL('../examples/iris.lag', import.meta.url), 'utf8'), {
      file: 'iris.lag',
    });
    expect(example.inputNames).toEqual(lagrad.program.inputNames);
    expect(example.slots).toBe(lagrad.program.slots);
    expect(evaluate(example, lagrad.point)).toBe(lagrad.value());
    expect(mlpText(shape)).toContain('input X[150, 4]');
  });

  it('in TF.js (float32) agrees with lagrad to float32 precision', { timeout: 60_000 }, async () => {
    const tf = await loadTf();
    const shape = { m: 20, d: 30, h: 8, c: 4 };
    const { X, Y, theta } = problem(shape, 4);
    const lagrad = new LagradMlp(shape, X, Y, theta);
    const loss = lagrad.gradient();
    const net = new TfMlp(tf, shape, X, Y, theta);
    expect(relativeError(net.gradient(), loss)).toBeLessThan(1e-5);
    expect(relativeError(net.out, Float64Array.from(lagrad.out))).toBeLessThan(1e-4);
    expect(relativeError(net.value(), loss)).toBeLessThan(1e-5);
  });
});
