import { type Convergence, type IterationSettings } from './convergence.ts';
import { DIRECT_LIMIT } from './direct.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { holdBytes, type Stats } from './stats.ts';
import { adjointFixedPoint } from './adjointFixedPoint.ts';
import { adjointGmres } from './adjointGmres.ts';
import { directSolve, type BlockContext, type BlockSolve } from './blockSolve.ts';

/** How block-reverse solves each component: by size in slots (default: LU up to 300, GMRES beyond), LU, GMRES or Christianson's iteration. */
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
export function blockReverse(program: Program, values: Float64Array, lambda: Float64Array, method: BlockMethod, settings: IterationSettings, stats: Stats, history?: Convergence[], krylov: { restart?: number; preconditioner?: 'sweep' | 'none' } = {}): void {
  const { inputCount, size, slots } = program;
  const components = program.components();
  const { reverse } = sweepsOf(program);
  const largest = program.largestCycleSlots;
  // scratch and carry (a slab each), b and x (the largest component each).
  const heldBytes = 8 * (2 * slots + 2 * largest);
  holdBytes(stats, heldBytes);
  const context: BlockContext = { program, values, settings, stats, history, scratch: new Float64Array(slots), heldBytes, ...krylov };
  const carry = new Float64Array(slots);
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
    pick(method, m)(context, start, end, bC, xC);
    // Send λ_C on to the parents outside C; the sweep also adds J_CCᵀλ_C onto λ_C, which the
    // solve has already accounted for, so λ_C is set afterwards.
    carry.set(xC, from);
    stats.partialEvaluations += reverse(values, carry, lambda, start, end);
    lambda.set(xC, from);
    high = start;
  }
  stats.partialEvaluations += reverse(values, lambda, lambda, inputCount, high);
  stats.sweeps++;
  stats.components = components.length;
}

function pick(method: BlockMethod, m: number): BlockSolve {
  switch (method) {
    case 'direct':
      return directSolve;
    case 'gmres':
      return adjointGmres;
    case 'fixed-point':
      return adjointFixedPoint;
    default:
      return m <= DIRECT_LIMIT ? directSolve : adjointGmres;
  }
}
