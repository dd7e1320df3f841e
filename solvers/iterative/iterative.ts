import type { Convergence } from '../../src/lagrangian/convergence.ts';
import { seed } from '../../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../../src/lagrangian/primal.ts';
import { emptyStats } from '../../src/lagrangian/stats.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../../src/schedule/schedule.ts';
import { readSettings } from '../../src/schedule/settings.ts';
import { ITERATIVE_METHODS, method, methodFor, type IterativeMethod } from '../method.ts';
import { BLOCK_SETTINGS, solveByBlocks } from '../reverse.ts';
import { gaussSeidel } from './gaussSeidel.ts';
import { jacobi, longestChain } from './jacobi.ts';
import { maxWork, requireWork, sweepWork } from '../../src/schedule/work.ts';

/** The methods of the iterative schedule (`--method`, shared with dual: see ../method.ts). */
export { ITERATIVE_METHODS, type IterativeMethod };

const SETTINGS = [method, maxWork, ...BLOCK_SETTINGS] as const;

/**
 * The multipliers by iteration, on any program (cyclic or not, scalars or blocks: every entry of a
 * block is one unknown), `--method`:
 * - `gauss-seidel` (default): (I − J)ᵀλ = w swept in reverse evaluation order over the whole
 *   program, each multiplier using the newest; on an acyclic program one sweep, which is backprop.
 * - `jacobi`: λ ← w + Jᵀλ over the whole program; on an acyclic program exactly depth sweeps.
 * - `fixed-point`: block-reverse with each component's multipliers by Christianson's adjoint of the
 *   forward fixed-point iteration (same rate as the forward iteration).
 * - `gmres`: block-reverse with each component's multipliers by restarted GMRES (option `restart`).
 * Jacobi's sweeps (at least the longest chain of constraints) are counted first and refused above
 * `maxWork`. Stats: `iterations` (the multiplier iterations), `residual` (the largest left), `rate` (the largest
 * observed contraction per iteration); `convergence` holds every residual history, values' included.
 */
export const iterative: Schedule<typeof SETTINGS> = checked({
  name: 'iterative',
  summary:
    'multipliers by iteration, --method gauss-seidel (default) | jacobi | fixed-point | gmres; residual histories',
  settings: SETTINGS,
  solve(problem: Problem, options: ScheduleOptions = {}): Solution {
    const { method: given, ...settings } = readSettings(SETTINGS, options);
    const method = methodFor('iterative', given, ITERATIVE_METHODS);
    if (method === 'fixed-point' || method === 'gmres') return solveByBlocks(problem, options, settings, method);
    const start = performance.now();
    const { program, inputs, weights } = problem;
    const { size, slots, inputCount } = program;
    // Jacobi carries λ one constraint back per sweep: at least as many sweeps as the longest chain.
    if (method === 'jacobi')
      requireWork(
        'iterative',
        longestChain(program) * sweepWork(program, inputCount),
        settings.maxWork,
        `Jacobi's sweeps, at least the ${longestChain(program)} of its longest chain,`,
        'use gauss-seidel or reverse',
      );
    const stats = emptyStats();
    const history: Convergence[] = [];
    const values = buffer(options.workspace?.values, slots);
    solvePrimal(program, inputs, values, stats, { ...settings, history });
    const w = new Float64Array(slots);
    seed(program, weights, w);
    const lambda = buffer(options.workspace?.lambda, slots);
    const monitor = (method === 'jacobi' ? jacobi : gaussSeidel)(
      program,
      values,
      w,
      lambda,
      settings,
      stats,
      options.progress,
    );
    monitor.tally(stats);
    history.push(monitor.record(program, 'multipliers', method, 0, size, true));
    stats.peakValues = size;
    stats.peakBytes = 8 * slots;
    stats.timeMs = performance.now() - start;
    return { values, lambda, gradient: lambda.slice(0, program.inputSlots), stats, convergence: history };
  },
});
