import { objective } from '../lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS, solvePrimal, type PrimalMethod } from '../lagrangian/primal.ts';
import type { Program } from '../program/program.ts';
import { buffer } from '../schedule/schedule.ts';
import { checkOptions, requireOptions } from '../schedule/settings.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';

export interface EvaluateOptions {
  /** Which output, when the program has several. */
  readonly output?: string;
  /** Reused buffer for the values (length ≥ N; the result is its first N entries). */
  readonly values?: Float64Array;
  /** Cyclic programs: how components are solved (default 'auto'), tolerance (1e-12; 0: to rounding), iteration limit (1000). */
  readonly primal?: PrimalMethod;
  readonly tolerance?: number;
  readonly maxIterations?: number;
}

/** The value of every variable at a point: the constraints solved forward. */
export function evaluateAll(program: Program, at?: Point, options: EvaluateOptions = {}): Float64Array {
  checkOptions(options, ['output', 'values'], PRIMAL_SETTINGS, { schedule: 'evaluate' });
  const values = buffer(options.values, program.slots);
  const { output: _output, values: _values, ...primal } = options;
  solvePrimal(program, resolvePoint(program, at), values, undefined, primal);
  return values;
}

/** The program's output at a point (the objective Σ_o w_o v_o for the chosen output). */
export function evaluate(program: Program, at?: Point, options: EvaluateOptions = {}): number {
  requireOptions(options);
  const weights = resolveWeights(program, options.output);
  return objective(program, weights, evaluateAll(program, at, options));
}
