import { componentError, failure, maxAbs, Monitor, Verdict } from '../../src/lagrangian/convergence.ts';
import type { BlockSolve } from '../blockReverse.ts';
import { pushSweep } from './gaussSeidel.ts';

/**
 * Christianson's adjoint fixed-point iteration for one component's multipliers: the forward solve
 * iterates v_C ← Φ(v_C) with Φ one Gauss–Seidel sweep over the members, and its adjoint iterates
 * x ← Φ'ᵀx + b — one reverse sweep through that forward sweep (`pushSweep`), restricted to the
 * component. For one member Φ' = J and this is literally λ ← Jᵀλ + w. It converges exactly when the
 * forward iteration does, at the same asymptotic rate (Φ' and the adjoint sweep's iteration matrix
 * are transposes up to similarity), to the solution of (I − J_CC)ᵀx = b.
 * Residual: the exact |b + J_CCᵀx − x|∞ after each sweep, scale max(|b|∞, |x|∞).
 */
export const adjointFixedPoint: BlockSolve = ({ program, values, settings, stats, history, scratch }, start, end, b, x) => {
  const m = end - start;
  // The residual lives in `scratch` at the members' indices; what the sweeps send to parents
  // outside the component lands there too and is dropped (block-reverse sends λ_C on once, at the end).
  scratch.set(b, start);
  x.fill(0);
  const bScale = maxAbs(b, 0, m);
  const monitor = new Monitor(settings.tolerance, settings.maxIterations);
  let verdict: Verdict;
  do {
    const residual = pushSweep(program, values, x, start, scratch, start, end, stats);
    verdict = monitor.check(residual, Math.max(bScale, maxAbs(x, 0, m)));
  } while (verdict === Verdict.Continue);
  monitor.tally(stats);
  history?.push(monitor.record(program, 'multipliers', 'fixed-point', start, end, verdict === Verdict.Converged));
  if (verdict !== Verdict.Converged) throw componentError(program, start, end, failure(verdict, monitor, 'the fixed-point iteration on the multipliers', 'sweep', settings.maxIterations));
};
