import { maxAbs, Monitor, Verdict, type IterationSettings } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';
import { sweepsOf } from '../../src/primitives/sweeps.ts';
import type { Stats } from '../../src/lagrangian/stats.ts';
import { globalFailure } from './failure.ts';
import { seededProvenance } from '../../src/lagrangian/provenance.ts';
import { pushSweep } from '../../src/lagrangian/adjointFixedPoint.ts';

/**
 * Gauss–Seidel on (I − J)ᵀλ = w over the whole program, sweeping in reverse evaluation order from
 * λ = 0 with residual w. Acyclic stretches take their residual in one in-place reverse sweep (no
 * member there receives anything after its turn), cyclic components member by member
 * (`pushSweep`), every entry of a block at once. On an acyclic program the first sweep is backprop, operation for operation, and
 * leaves residual 0: one sweep. Residual: |D|∞ after each sweep (nonzero only on the components'
 * members), scale max(|w|∞, |λ_C|∞) over the members.
 */
export function gaussSeidel(
  program: Program,
  values: Float64Array,
  w: Float64Array,
  lambda: Float64Array,
  settings: IterationSettings,
  stats: Stats,
  progress?: (done: number, total: number) => void,
): Monitor {
  const { inputCount, size, slots } = program;
  const components = program.components();
  const { tolerance, maxIterations } = settings;
  const { reverse } = sweepsOf(program);
  const D = Float64Array.from(w);
  const X = lambda;
  X.fill(0);
  const wScale = maxAbs(w, 0, slots);
  const monitor = new Monitor(tolerance, maxIterations);
  for (;;) {
    // From the last component back: the acyclic stretch after component c, then c itself; c = −1
    // stands for the stretch before the first component.
    let high = size;
    for (let c = components.length - 1; c >= -1; c--) {
      const [start, end] = c >= 0 ? components[c] : [inputCount, inputCount];
      stats.partialEvaluations += reverse(values, D, D, end, high);
      for (let s = program.slotOf(end); s < program.slotOf(high); s++) {
        X[s] += D[s];
        D[s] = 0;
      }
      if (c >= 0) pushSweep(program, values, X, 0, D, start, end, stats);
      high = start;
    }
    for (let s = 0; s < program.inputSlots; s++) {
      X[s] += D[s];
      D[s] = 0;
    }
    stats.sweeps++;
    progress?.(monitor.iterations + 1, maxIterations);
    // Only the components' members keep a residual after a sweep; it is judged against their own
    // multipliers (a hub outside, summing thousands of them, would make the test lax).
    let residual = 0;
    let scale = wScale;
    for (const [start, end] of components) {
      residual = Math.max(residual, maxAbs(D, program.slotOf(start), program.slotOf(end)));
      scale = Math.max(scale, maxAbs(X, program.slotOf(start), program.slotOf(end)));
    }
    const verdict = monitor.check(residual, scale);
    if (verdict === Verdict.Converged) return monitor;
    if (verdict === Verdict.NonFinite) seededProvenance(program, values, w);
    if (verdict !== Verdict.Continue) throw globalFailure(program, D, 'Gauss–Seidel', verdict, monitor, maxIterations);
  }
}
