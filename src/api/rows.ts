import type { Convergence } from '../lagrangian/convergence.ts';
import { emptyStats, type Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import type { Schedule, ScheduleOptions } from '../schedule/schedule.ts';

/**
 * The Jacobian's rows by reverse mode under any schedule: one solve of (I − J)ᵀλ = e_o per output
 * o, whose gradient is row o, ∂v_o/∂x. Counts add up over the solves; the rest (peakValues,
 * residuals, rates) are the largest any solve had.
 */
const ADDED = new Set([
  'primitiveEvaluations',
  'partialEvaluations',
  'sweeps',
  'timeMs',
  'iterations',
  'primalIterations',
  'newtonSteps',
  'matvecs',
  'directSolves',
  'advances',
  'stores',
  'restores',
  'paths',
  'pathEdges',
]);

export function outputRows(
  schedule: Schedule,
  program: Program,
  inputs: Float64Array,
  options: ScheduleOptions,
): { rows: Float64Array[]; values: Float64Array; stats: Stats; convergence: Convergence[] } {
  const outputs = program.outputs;
  const rows: Float64Array[] = [];
  const values = new Float64Array(outputs.length);
  const stats = emptyStats();
  const convergence: Convergence[] = [];
  const weights = new Float64Array(outputs.length);
  for (let o = 0; o < outputs.length; o++) {
    weights.fill(0);
    weights[o] = 1;
    const solution = schedule.solve({ program, inputs, weights }, options);
    rows.push(solution.gradient.slice(0, program.inputCount));
    if (o === 0) for (let k = 0; k < outputs.length; k++) values[k] = solution.values[outputs[k]];
    for (const [key, count] of Object.entries(solution.stats))
      stats[key] = ADDED.has(key) ? (stats[key] ?? 0) + count : Math.max(stats[key] ?? 0, count);
    if (solution.convergence) convergence.push(...solution.convergence);
  }
  return { rows, values, stats, convergence };
}
