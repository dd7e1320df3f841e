import { requireAcyclic, requireScalars } from '../../src/program/acyclic.ts';
import { buffer, type Problem, type Schedule, type Solution, type SolveOptions } from '../../src/schedule/schedule.ts';
import { execute } from './execute.ts';
import { configure } from './strategies.ts';

/**
 * Reverse mode in bounded memory: the program cut into stages, a checkpointing plan over them
 * (options `strategy`, `snapshots`, `budget`; see strategies.ts), run by the executor. Values and
 * multipliers equal plain reverse's. Stats add `advances` (constraints recomputed outside the
 * reverse steps), `peakSnapshots`, `peakSnapshotValues`, and `peakValues` = the most primal values
 * the sweeps held at once (snapshots + working).
 *
 * The Solution interface returns every value (and, with `multipliers`, every λ): those N-long
 * arrays are written once as each stage is reversed and never read back, so they are the result,
 * not working memory, and peakValues does not count them. For memory bounded end to end use
 * `checkpointGrad` (src/api/checkpointGrad.ts), which writes neither.
 */
export const checkpoint: Schedule = {
  name: 'checkpoint',
  summary: 'reverse in bounded memory: --strategy store-all | sqrt | revolve --snapshots C | budget --budget N',
  solve({ program, inputs, weights }: Problem, options: SolveOptions = {}): Solution {
    const start = performance.now();
    requireScalars(program, 'checkpoint');
    requireAcyclic(program, 'checkpoint');
    const { stages, plan } = configure(program, { strategy: options.strategy, snapshots: options.snapshots, budget: options.budget });
    const values = buffer(options.workspace?.values, program.size);
    const run = execute(program, stages, plan, inputs, weights, { multipliers: Boolean(options.multipliers), values, lambda: options.workspace?.lambda });
    run.stats.peakBytes = 8 * run.stats.peakValues;
    run.stats.timeMs = performance.now() - start;
    return { values, lambda: run.lambda, gradient: run.gradient, stats: run.stats };
  },
};
