import { requireAcyclic } from '../../src/program/acyclic.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../../src/schedule/schedule.ts';
import { enumSetting, integerSetting, numberSetting, readSettings } from '../../src/schedule/settings.ts';
import { execute } from './execute.ts';
import { configure, MAX_EVALUATIONS, STRATEGIES } from './strategies.ts';

/** Setting `strategy`. */
export const strategy = enumSetting({
  name: 'strategy',
  values: STRATEGIES,
  default: undefined,
  defaultText: 'budget when a budget is given, else revolve',
  help: 'checkpoint: store-all (plain reverse), sqrt (√N segments), revolve (binomial: fewest recomputations for its snapshots) or budget',
});
/** Setting `snapshots`. */
export const snapshots = integerSetting({
  name: 'snapshots',
  min: 1,
  default: undefined,
  defaultText: '⌈log₂(N + 1)⌉ for revolve, ⌈√N⌉ segments for sqrt',
  help: 'checkpoint: the snapshots a plan may keep (not with a budget)',
});
/** Setting `budget`. */
export const budget = integerSetting({
  name: 'budget',
  min: 1,
  default: undefined,
  help: 'checkpoint: the most values held at once; the strategy picks its setting to fit, or says it cannot',
});
/** Setting `budgetBytes`. */
export const budgetBytes = integerSetting({
  name: 'budgetBytes',
  min: 1,
  default: undefined,
  defaultText: 'none (no budget: --snapshots or the strategy decides)',
  help: 'checkpoint: the most bytes held at once (a snapshot costs the bytes of its state); the strategy picks its setting to fit, or says it cannot',
});

/** Setting `maxEvaluations`. */
export const maxEvaluations = numberSetting({
  name: 'maxEvaluations',
  min: 1,
  max: Infinity,
  default: MAX_EVALUATIONS,
  help: 'checkpoint: refuse a plan of more primitive evaluations than this, priced before it runs (Infinity: no limit)',
});

/** The settings of the checkpoint schedule (and of checkpointGrad). */
export const CHECKPOINT_SETTINGS = [strategy, snapshots, budget, budgetBytes, maxEvaluations] as const;
const SETTINGS = CHECKPOINT_SETTINGS;

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
export const checkpoint: Schedule<typeof SETTINGS> = checked({
  name: 'checkpoint',
  summary:
    'reverse in bounded memory: --strategy store-all | sqrt | revolve --snapshots C | budget --budget N | --budget-bytes N [--max-evaluations N]',
  settings: SETTINGS,
  solve({ program, inputs, weights }: Problem, options: ScheduleOptions = {}): Solution {
    const start = performance.now();
    const settings = readSettings(SETTINGS, options);
    requireAcyclic(program, 'checkpoint');
    const configuration = configure(program, settings);
    const values = buffer(options.workspace?.values, program.slots);
    const progress = progressOf(options.progress, configuration.evaluations);
    const run = execute(program, configuration.stages, configuration.plan, inputs, weights, {
      multipliers: Boolean(options.multipliers),
      values,
      lambda: options.workspace?.lambda,
      progress,
    });
    run.stats.timeMs = performance.now() - start;
    return { values, lambda: run.lambda, gradient: run.gradient, stats: run.stats };
  },
});

/** A `(done, total)` progress option as the executor's `(done)` callback, or undefined. */
export function progressOf(progress: unknown, total: number): ((done: number) => void) | undefined {
  if (typeof progress !== 'function') return undefined;
  return (done) => (progress as (done: number, total: number) => void)(done, total);
}
