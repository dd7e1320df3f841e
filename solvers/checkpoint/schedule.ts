import { resolvePoint, resolveWeights, type Point } from '../../src/api/point.ts';
import { requireAcyclic } from '../../src/program/acyclic.ts';
import type { Program } from '../../src/program/program.ts';
import { buffer, type Problem, type Schedule, type Solution, type SolveOptions, type Stats } from '../../src/schedule.ts';
import { execute } from './execute.ts';
import { configure, type CheckpointSettings } from './strategies.ts';

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
 * {@link checkpointGrad}, which writes neither.
 */
export const checkpoint: Schedule = {
  name: 'checkpoint',
  summary: 'reverse in bounded memory: --strategy store-all | sqrt | revolve --snapshots C | budget --budget N',
  solve({ program, inputs, weights }: Problem, options: SolveOptions = {}): Solution {
    const start = performance.now();
    requireAcyclic(program, 'checkpoint');
    const { stages, plan } = configure(program, { strategy: options.strategy, snapshots: options.snapshots, budget: options.budget });
    const values = buffer(options.workspace?.values, program.size);
    const run = execute(program, stages, plan, inputs, weights, { multipliers: Boolean(options.multipliers), values, lambda: options.workspace?.lambda });
    run.stats.timeMs = performance.now() - start;
    return { values, lambda: run.lambda, gradient: run.gradient, stats: run.stats };
  },
};

export interface CheckpointGradOptions extends CheckpointSettings {
  /** Which output, when the program has several. */
  readonly output?: string;
  /** Objective weights by output name. */
  readonly weights?: Readonly<Record<string, number>>;
}

/**
 * The value and gradient of the objective under a checkpointing plan, holding no N-long array of
 * values or multipliers: memory is the program plus what the plan holds (stats.peakValues).
 * `checkpointGrad(program, { x: 1 }, { strategy: 'revolve', snapshots: 100 })`.
 */
export function checkpointGrad(program: Program, at?: Point, options: CheckpointGradOptions = {}): { value: number; gradient: Record<string, number>; stats: Stats } {
  const start = performance.now();
  requireAcyclic(program, 'checkpoint');
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { stages, plan } = configure(program, options);
  const run = execute(program, stages, plan, inputs, weights);
  run.stats.timeMs = performance.now() - start;
  const gradient = Object.fromEntries(program.inputNames.map((name, k) => [name, run.gradient[k]]));
  return { value: run.value, gradient, stats: run.stats };
}
