import { componentError, failure, maxAbs, Monitor, Verdict } from './convergence.ts';
import type { BlockSolve } from './blockSolve.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { BlockSweeps } from '../primitives/blockSweeps.ts';
import { hasSelfLoop } from '../program/order.ts';
import { holdBytes, type Stats } from './stats.ts';

/**
 * Christianson's adjoint fixed-point iteration for one component's multipliers: the forward solve
 * iterates v_C ← Φ(v_C) with Φ one Gauss–Seidel sweep over the members, and its adjoint iterates
 * x ← Φ'ᵀx + b — one reverse sweep through that forward sweep (`pushSweep`), restricted to the
 * component. For one member Φ' = J and this is literally λ ← Jᵀλ + w. It converges exactly when the
 * forward iteration does, at the same asymptotic rate (Φ' and the adjoint sweep's iteration matrix
 * are transposes up to similarity), to the solution of (I − J_CC)ᵀx = b.
 * Residual: the exact |b + J_CCᵀx − x|∞ after each sweep, scale max(|b|∞, |x|∞).
 */
export const adjointFixedPoint: BlockSolve = (
  { program, values, settings, stats, history, scratch, heldBytes },
  start,
  end,
  b,
  x,
) => {
  const from = program.slotOf(start);
  const m = b.length;
  holdBytes(stats, (heldBytes ?? 0) + (program.layout === null ? 0 : 8 * largestMember(program, start, end)));
  // The residual lives in `scratch` at the members' slots; what the sweeps send to parents
  // outside the component lands there too and is dropped (block-reverse sends λ_C on once, at the end).
  scratch.set(b, from);
  x.fill(0);
  const bScale = maxAbs(b, 0, m);
  const monitor = new Monitor(settings.tolerance, settings.maxIterations);
  let verdict: Verdict;
  do {
    const residual = pushSweep(program, values, x, from, scratch, start, end, stats, true);
    verdict = monitor.check(residual, Math.max(bScale, maxAbs(x, 0, m)));
  } while (verdict === Verdict.Continue);
  monitor.tally(stats);
  history?.push(monitor.record(program, 'multipliers', 'fixed-point', start, end, verdict === Verdict.Converged));
  if (verdict !== Verdict.Converged)
    throw componentError(
      program,
      start,
      end,
      failure(verdict, monitor, 'the fixed-point iteration on the multipliers', 'sweep', settings.maxIterations),
    );
};

/**
 * One Gauss–Seidel sweep of (I − J)ᵀλ = w over the members of [start, end), in reverse order and in
 * push form: D holds the residual r = w + JᵀX − X of the estimate X (slot s of X at X[s − offset]).
 * Each member i in turn takes its residual d = D_i into X_i and sends J_iᵀd on to the residual of
 * every parent (one reverse sweep over [i, i + 1): d·∂p_i/∂v_j for scalars, the VJP for blocks),
 * so later members in the sweep see it at once. This is the reverse sweep through one forward
 * Gauss–Seidel sweep v_i ← p_i(v) of the same members, so it contracts at the forward iteration's
 * rate. Returns max |D| over the members' slots after the sweep: the exact residual left. Counts
 * its partial evaluations into stats. With `inside`, blocks send only to members (the inner solves
 * of one component, which never read the rest; a weight W of z @ W then costs no product).
 */
export function pushSweep(
  program: Program,
  values: Float64Array,
  X: Float64Array,
  offset: number,
  D: Float64Array,
  start: number,
  end: number,
  stats: Stats,
  inside = false,
): number {
  const { reverse } = sweepsOf(program);
  let evaluated = 0;
  const layout = program.layout;
  if (layout === null) {
    for (let i = end - 1; i >= start; i--) {
      const d = D[i];
      X[i - offset] += d;
      evaluated += reverse(values, D, D, i, i + 1);
      D[i] -= d;
    }
  } else {
    // A member that is not its own parent does not receive its own d, so its residual becomes 0;
    // one that is keeps what the VJP added to it (its d is copied first).
    const blocks = BlockSweeps.of(program);
    const { parentStart, parents } = program;
    let d: Float64Array | null = null;
    for (let i = end - 1; i >= start; i--) {
      const first = layout.offset[i];
      const size = layout.offset[i + 1] - first;
      const x = first - offset;
      if (!hasSelfLoop(i, parentStart, parents)) {
        for (let e = 0; e < size; e++) X[x + e] += D[first + e];
        evaluated += inside
          ? blocks.reverseInside(values, D, D, i, i + 1, start, end)
          : blocks.reverse(values, D, D, i, i + 1);
        D.fill(0, first, first + size);
        continue;
      }
      d ??= new Float64Array(largestMember(program, start, end));
      for (let e = 0; e < size; e++) {
        d[e] = D[first + e];
        X[x + e] += d[e];
      }
      evaluated += inside
        ? blocks.reverseInside(values, D, D, i, i + 1, start, end)
        : blocks.reverse(values, D, D, i, i + 1);
      for (let e = 0; e < size; e++) D[first + e] -= d[e];
    }
  }
  stats.partialEvaluations += evaluated;
  return maxAbs(D, program.slotOf(start), program.slotOf(end));
}

/** The most entries of one member of [start, end). */
function largestMember(program: Program, start: number, end: number): number {
  let most = 1;
  for (let i = start; i < end; i++) most = Math.max(most, program.slotOf(i + 1) - program.slotOf(i));
  return most;
}
