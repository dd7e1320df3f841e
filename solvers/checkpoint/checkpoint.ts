import { requireAcyclic } from '../../src/program/acyclic.ts';
import { buffer, type Problem, type Schedule, type Solution, type SolveOptions } from '../../src/schedule/schedule.ts';
import { execute } from './execute.ts';
import { configure } from './strategies.ts';

/**
 * Reverse mode in bounded memory: the program cut into stages, a checkpointing plan over them
 * (options `strategy`, `snapshots`, `budget`; see strategies.ts), run by the executor. Values and
 * multipliers equal plain reverse's. Stats add `advances` (constraints recomputed outside the
 * reverse steps), `writes` (snapshots stored), `peakSnapshots`, `peakSnapshotValues`, `peakValues` =
 * the most primal values the sweeps held at once (snapshots + working) and `peakBytes`, the same in
 * bytes.
 *
 * A plan is priced before it runs: above `maxEvaluations` primitive evaluations (default 10⁹) it is
 * refused with one line naming the strategy, the count and how to raise the limit. A `progress`
 * option, `(done, total) => void`, is told the evaluations done now and then.
 *
 * The Solution interface returns every value (and, with `multipliers`, every λ): those N-long
 * arrays are written once as each stage is reversed and never read back, so they are the result,
 * not working memory, and peakValues does not count them. For memory bounded end to end use
 * `checkpointGrad` (src/api/checkpointGrad.ts), which writes neither.
 */
export const checkpoint: Schedule = {
  name: 'checkpoint',
  summary: 'reverse in bounded memory: --strategy store-all | sqrt | revolve --snapshots C | budget --budget N [--max-evaluations N]',
  solve({ program, inputs, weights }: Problem, options: SolveOptions = {}): Solution {
    const start = performance.now();
    requireAcyclic(program, 'checkpoint');
    const configuration = configure(program, { strategy: options.strategy, snapshots: options.snapshots, budget: options.budget, maxEvaluations: options.maxEvaluations });
    const values = buffer(options.workspace?.values, program.size);
    const progress = progressOf(options.progress, configuration.evaluations);
    const run = execute(program, configuration.stages, configuration.plan, inputs, weights, { multipliers: Boolean(options.multipliers), values, lambda: options.workspace?.lambda, progress });
    run.stats.timeMs = performance.now() - start;
    return { values, lambda: run.lambda, gradient: run.gradient, stats: run.stats };
  },
};

/** A `(done, total)` progress option as the executor's `(done)` callback, or undefined. */
export function progressOf(progress: unknown, total: number): ((done: number) => void) | undefined {
  if (typeof progress !== 'function') return undefined;
  return (done) => (progress as (done: number, total: number) => void)(done, total);
}
