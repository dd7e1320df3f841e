import { CHECKPOINT_SETTINGS, progressOf } from '../../solvers/checkpoint/checkpoint.ts';
import { execute } from '../../solvers/checkpoint/execute.ts';
import { configure } from '../../solvers/checkpoint/strategies.ts';
import { allFinite, checkSolution } from '../lagrangian/finite.ts';
import { solvePrimal } from '../lagrangian/primal.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { requireAcyclic } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import { checkOptions, readSettings, type GivenSettings } from '../schedule/settings.ts';
import { valuesByName, type Values } from './grad.ts';
import { byName, resolvePoint, resolveWeights, type Point } from './point.ts';

/** The checkpoint schedule's settings (`strategy`, `snapshots`, `budget`), typed, and the objective. */
export interface CheckpointGradOptions extends GivenSettings<typeof CHECKPOINT_SETTINGS> {
  /** Which output, when the program has several. */
  readonly output?: string;
  /** Objective weights by output name. */
  readonly weights?: Readonly<Record<string, number>>;
  /** Told now and then how many of the plan's primitive evaluations are done. */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * The value and gradient of the objective under a checkpointing plan, holding no N-long array of
 * values or multipliers: memory is the program plus what the plan holds (stats.peakValues, and
 * stats.peakBytes in bytes). Stats also count `advances`, `writes` (snapshots stored) and
 * `peakSnapshots`. A plan of more than `maxEvaluations` primitive evaluations (default 10⁹) is
 * refused before it runs.
 * `checkpointGrad(program, { x: 1 }, { strategy: 'revolve', snapshots: 100 })`.
 */
export function checkpointGrad(
  program: Program,
  at?: Point,
  options: CheckpointGradOptions = {},
): { value: number; gradient: Values; stats: Stats } {
  const start = performance.now();
  checkOptions(options, ['output', 'weights', 'progress'], CHECKPOINT_SETTINGS, { schedule: 'checkpointGrad' });
  requireAcyclic(program, 'checkpoint');
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { output: _output, weights: _weights, progress: _progress, ...given } = options;
  const { stages, plan, evaluations } = configure(program, readSettings(CHECKPOINT_SETTINGS, given));
  const run = execute(program, stages, plan, inputs, weights, { progress: progressOf(options.progress, evaluations) });
  if (!(run.value - run.value === 0) || !allFinite(run.gradient, 0, run.gradient.length)) {
    // On failure only: the values again, in full, so the boundary's diagnosis can name the place.
    const values = new Float64Array(program.size);
    solvePrimal(program, inputs, values);
    checkSolution(program, weights, { values, lambda: null, gradient: run.gradient }, 'checkpoint');
  }
  run.stats.timeMs = performance.now() - start;
  const gradient =
    program.layout === null
      ? byName(program.inputNames, run.gradient)
      : valuesByName(program, run.gradient, Array.from(program.inputNames.keys()));
  return { value: run.value, gradient, stats: run.stats };
}
