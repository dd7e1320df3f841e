import { execute } from '../../solvers/checkpoint/execute.ts';
import { configure, type CheckpointSettings } from '../../solvers/checkpoint/strategies.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { requireAcyclic, requireScalars } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';

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
  requireScalars(program, 'checkpoint');
  requireAcyclic(program, 'checkpoint');
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { stages, plan } = configure(program, options);
  const run = execute(program, stages, plan, inputs, weights);
  run.stats.peakBytes = 8 * run.stats.peakValues;
  run.stats.timeMs = performance.now() - start;
  const gradient = Object.fromEntries(program.inputNames.map((name, k) => [name, run.gradient[k]]));
  return { value: run.value, gradient, stats: run.stats };
}
