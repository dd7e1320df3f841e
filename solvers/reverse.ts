import { blockReverse, type BlockMethod } from '../src/lagrangian/blockReverse.ts';
import { KRYLOV_SETTINGS } from '../src/lagrangian/blockSolve.ts';
import type { Convergence } from '../src/lagrangian/convergence.ts';
import { checkBackSubstitution, checkMultipliers, checkValues } from '../src/lagrangian/finite.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../src/lagrangian/primal.ts';
import { emptyStats, now, type Stats } from '../src/lagrangian/stats.ts';
import { BlockSweeps } from '../src/primitives/blockSweeps.ts';
import { dependents } from '../src/program/dependents.ts';
import type { Program } from '../src/program/program.ts';
import { sweepsOf } from '../src/primitives/sweeps.ts';
import {
  buffer,
  checked,
  head,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { inPlace, type InPlaceSolve } from '../src/schedule/inPlace.ts';
import { readSettings, type SettingValues } from '../src/schedule/settings.ts';

/** What block-reverse reads, all for cyclic programs: the primal solve's and the Krylov solves' settings. */
export const BLOCK_SETTINGS = [...PRIMAL_SETTINGS, ...KRYLOV_SETTINGS] as const;

/**
 * Backprop: solve the constraints forward, then (I − J)ᵀλ = w by back-substitution in reverse
 * evaluation order, λ_j = w_j + Σ_{i: j ∈ Pa(i)} λ_i ∂p_i/∂v_j. One forward and one reverse sweep
 * over typed arrays: O(N + E) time, N values and N multipliers held.
 *
 * On a cyclic program, block-reverse (src/lagrangian/blockReverse.ts): the same back-substitution over the acyclic
 * stretches, and each cyclic component's multipliers by one inner solve — a dense LU up to 300
 * slots (members, or their entries when some are blocks), GMRES beyond.
 */
export const reverse: Schedule<typeof BLOCK_SETTINGS> = inPlace(
  checked({
    name: 'reverse',
    summary:
      'back-substitution in reverse order (backprop): O(N + E), every multiplier; cyclic components by block solves',
    settings: BLOCK_SETTINGS,
    solve(problem: Problem, options: ScheduleOptions = {}): Solution {
      const settings = readSettings(BLOCK_SETTINGS, options);
      if (problem.program.cyclic) return solveByBlocks(problem, options, settings, 'auto');
      if (problem.program.layout !== null) return reverseOverBlocks(problem, options);
      const start = now();
      const { program, inputs, weights } = problem;
      const { inputCount, size } = program;
      const values = buffer(options.workspace?.values, size);
      for (let k = 0; k < inputCount; k++) values[k] = inputs[k]; // no subarray view per call
      const reused = options.workspace?.lambda;
      const lambda = buffer(reused, size);
      const stats = backSubstitute(program, values, lambda, weights, lambda.buffer !== reused?.buffer); // a fresh array is zeros already
      stats.timeMs = now() - start;
      // Values checked by the forward sweep (checkValues when its sum is not finite), λ and so the gradient by checkBackSubstitution.
      return { values, lambda, gradient: head(lambda, inputCount), stats, finite: true };
    },
  }),
  reverseInPlace,
);

const backprop: InPlaceSolve = {
  name: 'reverse',
  solve: (program, values, lambda, weights) => backSubstitute(program, values, lambda, weights, true),
};

/** reverse's in-place solve (schedule/inPlace.ts): on acyclic programs of scalars, backSubstitute. */
export function reverseInPlace(program: Program): InPlaceSolve | null {
  return program.layout === null && !program.cyclic ? backprop : null;
}

/**
 * reverse on an acyclic program of scalars, in the caller's buffers: values[0 … inputCount) hold the
 * point, λ is filled (`zeroed`: it holds zeros already). The forward sweep, the seed λ = w and
 * back-substitution, with the checks of a finite answer folded into them (a non-finite value or
 * multiplier is an error naming where it appeared). Returns the counts; timeMs is the caller's.
 */
export function backSubstitute(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  zeroed: boolean,
): Stats {
  const { inputCount, size } = program;
  const sweeps = sweepsOf(program);
  // solvePrimal's acyclic scalar case, without its copy of the inputs (they are in place).
  if (sweeps.forward(values, inputCount, size) !== 0) checkValues(program, values, inputCount, size);
  seed(program, weights, lambda, zeroed);
  const partials = sweeps.reverse(values, lambda, lambda, inputCount, size);
  checkBackSubstitution(program, values, lambda);
  return sweepStats(program, partials);
}

/** The counts of one forward and one reverse sweep over an acyclic scalar program (timeMs is the caller's). */
export function sweepStats(program: Program, partials: number): Stats {
  const { inputCount, size } = program;
  return {
    primitiveEvaluations: size - inputCount,
    partialEvaluations: partials,
    peakValues: size,
    peakBytes: 8 * size,
    sweeps: 2,
    timeMs: 0,
  };
}

/**
 * Backprop over vector and matrix variables: the same two sweeps over the slabs, one VJP
 * λ_Pa(i) += J_iᵀ λ_i per constraint (BlockSweeps). With `wrt`, VJPs into variables that lead
 * to no wanted input are skipped (the gradient of a data batch X is never formed).
 */
function reverseOverBlocks({ program, inputs, weights, wrt }: Problem, options: ScheduleOptions): Solution {
  const start = performance.now();
  const { inputCount, size, slots } = program;
  const sweeps = BlockSweeps.of(program);
  const stats = emptyStats();
  const values = buffer(options.workspace?.values, slots);
  solvePrimal(program, inputs, values, stats);
  const lambda = buffer(options.workspace?.lambda, slots);
  seed(program, weights, lambda);
  const needed = wrt === undefined ? null : dependents(program, wrt);
  stats.partialEvaluations += sweeps.reverse(values, lambda, lambda, inputCount, size, needed);
  stats.sweeps++;
  stats.peakValues = size;
  stats.peakBytes = 8 * slots;
  checkMultipliers(program, values, lambda);
  stats.timeMs = performance.now() - start;
  return { values, lambda, gradient: lambda.slice(0, program.inputSlots), stats };
}

/**
 * A whole solve by block-reverse: values by `solvePrimal` (fixed points for the components), then
 * the multipliers by `blockReverse`. Every multiplier is returned, with the residual histories of
 * the iterative solves in `convergence`.
 */
export function solveByBlocks(
  { program, inputs, weights }: Problem,
  options: ScheduleOptions,
  settings: SettingValues<typeof BLOCK_SETTINGS>,
  method: BlockMethod,
): Solution {
  const start = performance.now();
  const { size, slots } = program;
  const stats = emptyStats();
  const history: Convergence[] = [];
  const values = buffer(options.workspace?.values, slots);
  const rates = new Float64Array(program.components().length);
  solvePrimal(program, inputs, values, stats, { ...settings, history, rates });
  const lambda = buffer(options.workspace?.lambda, slots);
  seed(program, weights, lambda);
  blockReverse(program, values, lambda, method, settings, stats, history, {
    restart: settings.restart,
    preconditioner: settings.preconditioner,
    rates,
  });
  stats.peakValues = size;
  stats.peakBytes = 8 * slots;
  checkMultipliers(program, values, lambda);
  stats.timeMs = performance.now() - start;
  return { values, lambda, gradient: lambda.slice(0, program.inputSlots), stats, convergence: history, finite: true };
}
