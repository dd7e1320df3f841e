import { LagradError } from '../error.ts';
import { type Convergence, type IterationSettings } from './convergence.ts';
import { DIRECT_LIMIT } from './direct.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { holdBytes, type Stats } from './stats.ts';
import { adjointFixedPoint } from './adjointFixedPoint.ts';
import { adjointGmres } from './adjointGmres.ts';
import { directSolve, type BlockContext, type BlockSolve } from './blockSolve.ts';

/**
 * How block-reverse solves each component: by size and rate (default: LU up to 300 slots; beyond,
 * Christianson's iteration where the forward sweeps contracted at rate ≤ 1/2, GMRES elsewhere), LU,
 * GMRES or Christianson's iteration.
 */
export type BlockMethod = 'auto' | 'direct' | 'gmres' | 'fixed-point';

/**
 * Block-reverse: (I − J)ᵀλ = w solved in reverse order over the condensation. λ arrives seeded
 * with w. Each acyclic stretch is back-substitution (the reverse sweep in place, as backprop); each
 * cyclic component C is one block: its multipliers solve (I − J_CC)ᵀλ_C = b_C, where b_C is w_C
 * plus what the later constraints have already sent back, and are then sent on to the parents
 * outside C — block Gauss–Seidel in the literal sense, exact after one pass because the
 * condensation is acyclic. With vector and matrix variables λ_C is every entry of the members, and
 * the same solves run on the block rules' VJPs. Stats: `components`, `directSolves`, and the inner
 * solves' own counts.
 */
export function blockReverse(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  method: BlockMethod,
  settings: IterationSettings,
  stats: Stats,
  history?: Convergence[],
  inner: BlockReverseOptions = {},
): void {
  const { rates, ...krylov } = inner;
  const { inputCount, size, slots } = program;
  const components = program.components();
  const { reverse } = sweepsOf(program);
  const largest = program.largestCycleSlots;
  // A scratch slab, b and x (the largest component each).
  const heldBytes = 8 * (slots + 2 * largest);
  holdBytes(stats, heldBytes);
  const scratch = new Float64Array(slots);
  const context: BlockContext = { program, values, settings, stats, history, scratch, heldBytes, ...krylov };
  const b = new Float64Array(largest);
  const x = new Float64Array(largest);
  let high = size;
  for (let c = components.length - 1; c >= 0; c--) {
    const [start, end] = components[c];
    // The unknowns λ_C are the members' slots: every entry of a block member.
    const from = program.slotOf(start);
    const m = program.slotOf(end) - from;
    stats.partialEvaluations += reverse(values, lambda, lambda, end, high);
    const bC = b.subarray(0, m);
    const xC = x.subarray(0, m);
    bC.set(lambda.subarray(from, from + m));
    pick(method, m, rates?.[c] ?? Infinity)(context, start, end, bC, xC);
    // Send λ_C on to the parents outside C; the sweep also adds J_CCᵀλ_C onto λ_C, which the
    // solve has already accounted for, so λ_C is set afterwards. The sweep reads its source only
    // at the members' slots, so the scratch slab carries λ_C whatever the inner solve left there.
    scratch.set(xC, from);
    stats.partialEvaluations += reverse(values, scratch, lambda, start, end);
    lambda.set(xC, from);
    high = start;
  }
  stats.partialEvaluations += reverse(values, lambda, lambda, inputCount, high);
  stats.sweeps++;
  stats.components = components.length;
}

/** Under 'auto', a component too large for LU whose forward sweeps contracted at most this fast gets Christianson's iteration. */
export const CHRISTIANSON_RATE = 0.5;

/**
 * The inner solve of a component. Christianson's iteration contracts at the rate the forward sweeps
 * showed, one reverse sweep per iteration and no basis; GMRES (on the same sweep) costs two sweeps
 * and a growing basis per iteration but needs far fewer where that rate is near 1. So under 'auto' a
 * large component the sweeps solved at rate ≤ 1/2 gets Christianson's, one Newton solved (or that
 * contracted slowly) GMRES.
 */
function pick(method: BlockMethod, m: number, rate: number): BlockSolve {
  switch (method) {
    case 'direct':
      return directSolve;
    case 'gmres':
      return adjointGmres;
    case 'fixed-point':
      return adjointFixedPoint;
    default:
      if (m <= DIRECT_LIMIT) return directSolve;
      return rate <= CHRISTIANSON_RATE ? christiansonThenGmres : adjointGmres;
  }
}

/**
 * Christianson's iteration, and GMRES where it fails: a start that sat on a fixed point the sweeps
 * cannot contract to (rate 0 after one sweep) tells nothing about the multipliers' iteration.
 */
const christiansonThenGmres: BlockSolve = (context, start, end, b, x) => {
  try {
    adjointFixedPoint(context, start, end, b, x);
  } catch (error) {
    if (!(error instanceof LagradError)) throw error;
    adjointGmres(context, start, end, b, x);
  }
};

/** Options of block-reverse's inner solves. */
export interface BlockReverseOptions {
  readonly restart?: number;
  readonly preconditioner?: 'sweep' | 'none';
  /** Per component (condensation order), the forward sweeps' observed rate (Infinity: Newton solved it). */
  readonly rates?: Float64Array;
}
