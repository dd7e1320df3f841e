import { iterationSettings, maxAbs, Monitor, Verdict } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';
import { primitives } from '../../src/primitives/registry.ts';
import type { Stats } from '../../src/schedule.ts';
import { globalFailure } from './failure.ts';

/**
 * One Gauss–Seidel sweep of (I − J)ᵀλ = w over the members of [start, end), in reverse order and in
 * push form: D holds the residual r = w + JᵀX − X of the estimate X (X_i at X[i − offset]). Each
 * member i in turn takes its residual d = D_i into X_i and sends d·∂p_i/∂v_j on to the residual of
 * every parent j (one reverse sweep over [i, i + 1)), so later members in the sweep see it at once.
 * This is the reverse sweep through one forward Gauss–Seidel sweep v_i ← p_i(v) of the same
 * members, so it contracts at the forward iteration's rate. Returns max |D| over the members after
 * the sweep: the exact residual left. Counts its partial evaluations into stats.
 */
export function pushSweep(program: Program, values: Float64Array, X: Float64Array, offset: number, D: Float64Array, start: number, end: number, stats: Stats): number {
  const { ops, parentStart, parents, constants } = program;
  const reverse = primitives.kernels().reverse;
  let evaluated = 0;
  for (let i = end - 1; i >= start; i--) {
    const d = D[i];
    X[i - offset] += d;
    evaluated += reverse(values, D, D, ops, parentStart, parents, constants, i, i + 1);
    D[i] -= d;
  }
  stats.partialEvaluations += evaluated;
  let residual = 0;
  for (let i = start; i < end; i++) {
    const r = Math.abs(D[i]);
    if (!(r <= residual)) residual = r;
  }
  return residual;
}

/**
 * Gauss–Seidel on (I − J)ᵀλ = w over the whole program, sweeping in reverse evaluation order from
 * λ = 0 with residual w. Acyclic stretches take their residual in one in-place reverse sweep (no
 * member there receives anything after its turn), cyclic components member by member
 * (`pushSweep`). On an acyclic program the first sweep is backprop, operation for operation, and
 * leaves residual 0: one sweep. Residual: |D|∞ after each sweep (nonzero only on the components'
 * members), scale max(|w|∞, |λ_C|∞) over the members.
 */
export function gaussSeidel(program: Program, values: Float64Array, w: Float64Array, lambda: Float64Array, options: { readonly [setting: string]: unknown }, stats: Stats): Monitor {
  const { ops, parentStart, parents, constants, inputCount, size, cycles } = program;
  const { tolerance, maxIterations } = iterationSettings(options);
  const reverse = primitives.kernels().reverse;
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
      stats.partialEvaluations += reverse(values, D, D, ops, parentStart, parents, constants, end, high);
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
