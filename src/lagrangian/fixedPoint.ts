import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import type { Stats } from '../schedule.ts';
import { Monitor, short, Verdict } from './convergence.ts';
import { show } from './finite.ts';

/**
 * The fixed-point iteration of one cyclic component [start, end): Gauss–Seidel sweeps v_i ← p_i(v)
 * for i in order, each reading the members already updated in the same sweep — the forward kernel
 * over the component's range, repeated. Starts from the values already in `values[start..end)`.
 *
 * The residual after a sweep is its step max_i |v_i⁺ − v_i|, i.e. |Φ(v) − v|∞ for the sweep map Φ,
 * judged against tolerance · max(1, |v|∞). A sweep costs m primitive evaluations and no allocation
 * (`previous` holds the m values before it).
 */
export function fixedPointSweeps(program: Program, values: Float64Array, start: number, end: number, monitor: Monitor, stats: Stats, previous: Float64Array): Verdict {
  const { ops, parentStart, parents, constants } = program;
  const forward = primitives.kernels().forward;
  const m = end - start;
  for (;;) {
    for (let k = 0; k < m; k++) previous[k] = values[start + k];
    forward(values, ops, parentStart, parents, constants, start, end);
    stats.primitiveEvaluations += m;
    let step = 0;
    let scale = 1;
    for (let k = 0; k < m; k++) {
      const v = values[start + k];
      const d = Math.abs(v - previous[k]);
      // NaN compares false: let it through to the monitor rather than hide it in a max.
      if (!(d <= step)) step = d;
      if (Math.abs(v) > scale) scale = Math.abs(v);
    }
    const verdict = monitor.check(step, scale);
    if (verdict !== Verdict.Continue) return verdict;
  }
}

/** Why a fixed-point iteration stopped short, for messages: `the iteration diverges (residual …)`. */
export function fixedPointFailure(program: Program, values: Float64Array, start: number, end: number, verdict: Verdict, monitor: Monitor, maxIterations: number): string {
  switch (verdict) {
    case Verdict.NonFinite: {
      let i = start;
      while (i < end && values[i] - values[i] === 0) i++;
      const name = program.nameOf(i);
      const before = monitor.residuals.length > 1 ? ` (residual ${short(monitor.residuals[monitor.residuals.length - 2])} before it)` : '';
      return `a non-finite value at sweep ${monitor.iterations}: ${name !== undefined ? `'${name}' = ` : ''}${i < end ? `${show(program, i, values)} = ${values[i]}` : 'NaN'}${before}`;
    }
    case Verdict.Diverged:
      return `the fixed-point iteration diverges (${monitor.describe('sweep')})`;
    case Verdict.Slow: {
      const rate = monitor.rate();
      return rate >= 1 || rate === 0
        ? `the fixed-point iteration makes no progress (${monitor.describe('sweep')})`
        : `the fixed-point iteration contracts too slowly to reach the tolerance within ${maxIterations} sweeps (${monitor.describe('sweep')})`;
    }
    default:
      return `the fixed-point iteration did not converge within ${monitor.iterations} sweeps (${monitor.describe('sweep')})`;
  }
}
