import { iterationSettings, maxAbs, Monitor, Verdict } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';
import { sweepsOf } from '../../src/primitives/sweeps.ts';
import type { Stats } from '../../src/lagrangian/stats.ts';
import { globalFailure } from './failure.ts';
import { pushSweep } from '../../src/lagrangian/adjointFixedPoint.ts';

/**
 * Gauss–Seidel on (I − J)ᵀλ = w over the whole program, sweeping in reverse evaluation order from
 * λ = 0 with residual w. Acyclic stretches take their residual in one in-place reverse sweep (no
 * member there receives anything after its turn), cyclic components member by member
 * (`pushSweep`). On an acyclic program the first sweep is backprop, operation for operation, and
 * leaves residual 0: one sweep. Residual: |D|∞ after each sweep (nonzero only on the components'
 * members), scale max(|w|∞, |λ_C|∞) over the members.
 */
export function gaussSeidel(program: Program, values: Float64Array, w: Float64Array, lambda: Float64Array, options: { readonly [setting: string]: unknown }, stats: Stats): Monitor {
  const { inputCount, size, cycles } = program;
  const { tolerance, maxIterations } = iterationSettings(options);
  const { reverse } = sweepsOf(program);
  const D = Float64Array.from(w);
  const X = lambda;
  X.fill(0);
  const wScale = maxAbs(w, 0, size);
  const monitor = new Monitor(tolerance, maxIterations);
  for (;;) {
    let high = size;
    for (let k = cycles.length; k >= 0; k -= 2) {
      const start = k > 0 ? cycles[k - 2] : inputCount;
      const end = k > 0 ? cycles[k - 1] : inputCount;
      stats.partialEvaluations += reverse(values, D, D, end, high);
      for (let i = end; i < high; i++) {
        X[i] += D[i];
        D[i] = 0;
      }
      if (k > 0) pushSweep(program, values, X, 0, D, start, end, stats);
      high = start;
    }
    for (let i = 0; i < inputCount; i++) {
      X[i] += D[i];
      D[i] = 0;
    }
    stats.sweeps++;
    // Only the components' members keep a residual after a sweep; it is judged against their own
    // multipliers (a hub outside, summing thousands of them, would make the test lax).
    let residual = 0;
    let scale = wScale;
    for (let k = 0; k < cycles.length; k += 2) {
      residual = Math.max(residual, maxAbs(D, cycles[k], cycles[k + 1]));
      scale = Math.max(scale, maxAbs(X, cycles[k], cycles[k + 1]));
    }
    const verdict = monitor.check(residual, scale);
    if (verdict === Verdict.Converged) return monitor;
    if (verdict !== Verdict.Continue) throw globalFailure(program, D, 'Gauss–Seidel', verdict, monitor, maxIterations);
  }
}
