import { componentError, iterationSettings, short, type Convergence, type IterationSettings } from '../src/lagrangian/convergence.ts';
import { ComponentLu, componentMatrix, DIRECT_LIMIT } from '../src/lagrangian/direct.ts';
import { checkMultipliers } from '../src/lagrangian/finite.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { primalOptions, solvePrimal } from '../src/lagrangian/primal.ts';
import type { Program } from '../src/program/program.ts';
import { primitives } from '../src/primitives/registry.ts';
import { buffer, emptyStats, type Problem, type Solution, type SolveOptions, type Stats } from '../src/schedule.ts';
import { adjointFixedPoint } from './iterative/fixedPoint.ts';
import { adjointGmres } from './iterative/krylov.ts';

/** What an inner solve of one component's multipliers needs besides the component. */
export interface BlockContext {
  readonly program: Program;
  readonly values: Float64Array;
  readonly settings: IterationSettings;
  readonly stats: Stats;
  readonly history?: Convergence[];
  /** Scratch indexed like `values` (length N), for sweeps that read or write by variable index. */
  readonly scratch: Float64Array;
  /** GMRES restart length (default 40). */
  readonly restart?: number;
  /** GMRES on the Gauss–Seidel sweep (default) or on the bare system ('none'). */
  readonly preconditioner?: string;
}

/**
 * Solves (I − J_CC)ᵀ x = b for the multipliers x of the members of component [start, end), where
 * b holds w and everything the rest of the program already sends back to the members.
 */
export type BlockSolve = (context: BlockContext, start: number, end: number, b: Float64Array, x: Float64Array) => void;

/** How block-reverse solves each component: by size (default), LU, GMRES or Christianson's iteration. */
export type BlockMethod = 'auto' | 'direct' | 'gmres' | 'fixed-point';

/**
 * Block-reverse: (I − J)ᵀλ = w solved in reverse order over the condensation. λ arrives seeded
 * with w. Each acyclic stretch is back-substitution (the reverse sweep in place, as backprop); each
 * cyclic component C is one block: its multipliers solve (I − J_CC)ᵀλ_C = b_C, where b_C is w_C
 * plus what the later constraints have already sent back, and are then sent on to the parents
 * outside C — block Gauss–Seidel in the literal sense, exact after one pass because the
 * condensation is acyclic. Stats: `components`, `directSolves`, and the inner solves' own counts.
 */
export function blockReverse(program: Program, values: Float64Array, lambda: Float64Array, method: BlockMethod, settings: IterationSettings, stats: Stats, history?: Convergence[], krylov: { restart?: number; preconditioner?: string } = {}): void {
  const { ops, parentStart, parents, constants, inputCount, size, cycles } = program;
  const reverse = primitives.kernels().reverse;
  const context: BlockContext = { program, values, settings, stats, history, scratch: new Float64Array(size), ...krylov };
  const carry = new Float64Array(size);
  const largest = program.largestCycle;
  const b = new Float64Array(largest);
  const x = new Float64Array(largest);
  let high = size;
  for (let k = cycles.length - 2; k >= 0; k -= 2) {
    const start = cycles[k];
    const end = cycles[k + 1];
    const m = end - start;
    stats.partialEvaluations += reverse(values, lambda, lambda, ops, parentStart, parents, constants, end, high);
    const bC = b.subarray(0, m);
    const xC = x.subarray(0, m);
    bC.set(lambda.subarray(start, end));
    pick(method, m)(context, start, end, bC, xC);
    // Send λ_C on to the parents outside C; the sweep also adds J_CCᵀλ_C onto λ_C, which the
    // solve has already accounted for, so λ_C is set afterwards.
    carry.set(xC, start);
    stats.partialEvaluations += reverse(values, carry, lambda, ops, parentStart, parents, constants, start, end);
    lambda.set(xC, start);
    high = start;
  }
  stats.partialEvaluations += reverse(values, lambda, lambda, ops, parentStart, parents, constants, inputCount, high);
  stats.sweeps++;
  stats.components = cycles.length / 2;
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

/** (I − J_CC)ᵀ x = b by a dense LU (ml-matrix): O(m³), exact to rounding; a singular block is an error. */
export const directSolve: BlockSolve = ({ program, values, stats }, start, end, b, x) => {
  const { lu, singular } = ComponentLu.factor(componentMatrix(program, values, start, end, true));
  stats.partialEvaluations += end - start;
  stats.directSolves = (stats.directSolves ?? 0) + 1;
  let size = 0;
  for (let k = 0; k < b.length; k++) size = Math.max(size, Math.abs(b[k]));
  if (singular) {
    throw componentError(program, start, end, `I − J is singular here (pivot ratio ${short(lu.pivotRatio)}), so its multipliers are not determined; residual |(I − J)ᵀλ − b|∞ = ${short(size)} left at λ = 0`);
  }
  lu.solve(b, x);
};

/**
 * A whole solve by block-reverse: values by `solvePrimal` (fixed points for the components), then
 * the multipliers by `blockReverse`. Every multiplier is returned, with the residual histories of
 * the iterative solves in `convergence`.
 */
export function solveByBlocks({ program, inputs, weights }: Problem, options: SolveOptions, method: BlockMethod): Solution {
  const start = performance.now();
  const { size, inputCount } = program;
  const settings = iterationSettings(options);
  const stats = emptyStats();
  const history: Convergence[] = [];
  const values = buffer(options.workspace?.values, size);
  solvePrimal(program, inputs, values, stats, primalOptions(options, history));
  const lambda = buffer(options.workspace?.lambda, size);
  seed(program, weights, lambda);
  const krylov = { restart: options.restart === undefined ? undefined : Number(options.restart), preconditioner: options.preconditioner as string | undefined };
  blockReverse(program, values, lambda, method, settings, stats, history, krylov);
  stats.peakValues = size;
  checkMultipliers(program, values, lambda);
  stats.timeMs = performance.now() - start;
  return { values, lambda, gradient: lambda.slice(0, inputCount), stats, convergence: history };
}
