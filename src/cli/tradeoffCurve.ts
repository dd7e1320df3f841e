import type { CheckpointCosts, CheckpointPlanner } from '../../solvers/checkpoint/planner.ts';
import { checkpointPlanners } from '../../solvers/checkpoint/planners.ts';
import { type MemoryUnit } from '../../solvers/checkpoint/stages.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import { LagradError } from '../error.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import type { Io } from './io.ts';
import type { CurvePoint } from './plot.ts';
import { progress } from './progress.ts';

// The rows of `lagrad tradeoff`'s curve: each strategy at each budget, priced by the planners'
// closed forms on a chain, run by the checkpoint schedule on a program (tradeoffCommand.ts prints them).

/** A row of the curve: a strategy at a budget of values, with its costs, or `fits: false`. */
export interface Row extends CurvePoint {
  readonly fits: boolean;
  readonly advances: number;
  readonly peakSnapshots: number;
  /** Snapshots written (store actions). */
  readonly writes: number;
  /** Largest |Δλ_x| / max |λ_x| against reverse (programs, when the plan was run). */
  readonly gradientError?: number;
}

/** Plans costing more primitive evaluations than this are replayed without numerics, not run. */
export const RUN_LIMIT = 20_000_000;

export function chainCurve(steps: number, strategy: string | undefined, points: number, io: Io): Row[] {
  const planners =
    strategy !== undefined ? [chainPlanner(strategy)] : checkpointPlanners.list().filter((p) => p.chainWithin);
  const budgets = grid(Math.min(3, steps + 1), steps + 1, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      rows.push(
        row(
          budget,
          planner.name,
          closedForm(() => planner.chainWithin!(steps, budget)),
          steps,
        ),
      );
      bar.tick();
    }
  }
  bar.stop();
  return rows;
}

export type Run = (strategy: string, settings: Record<string, number>) => { stats: Stats; error: number };

/** Runs the checkpoint schedule and measures its gradient against plain reverse's. */
export function runner(program: Program, inputs: Float64Array, weights: Float64Array): Run {
  const problem = { program, inputs, weights };
  const reference = schedules.get('reverse').solve(problem).gradient;
  let scale = 0;
  for (const g of reference) scale = Math.max(scale, Math.abs(g));
  return (strategy, settings) => {
    const solution = schedules.get('checkpoint').solve(problem, { strategy, ...settings });
    let error = 0;
    for (let k = 0; k < reference.length; k++) error = Math.max(error, Math.abs(solution.gradient[k] - reference[k]));
    return { stats: solution.stats, error: scale > 0 ? error / scale : error };
  };
}

export function programCurve(
  program: Program,
  run: Run,
  strategy: string | undefined,
  points: number,
  io: Io,
  unit: MemoryUnit,
): Row[] {
  const planners = strategy !== undefined ? [checkpointPlanners.get(strategy)] : checkpointPlanners.list();
  const m = program.constraintCount;
  const peak = (c: CheckpointCosts | null) => (c === null ? 1 : unit === 'bytes' ? c.peakBytes : c.peakValues);
  // From the least budget any strategy meets to the most any needs when unconstrained.
  let hi = 1;
  for (const p of planners) hi = Math.max(hi, peak(p.within(program, Number.MAX_SAFE_INTEGER, unit)));
  let lo = hi;
  for (const p of planners) lo = Math.min(lo, leastBudget(program, p, hi, unit));
  const budgets = grid(lo, hi, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      const planned = planner.within(program, budget, unit);
      if (planned === null || planned.evaluations > RUN_LIMIT) {
        // Too long to run: the replayed counts, which the executor's equal (test/checkpoint.test.ts).
        rows.push(row(budget, planner.name, planned, m));
      } else {
        const { stats, error } = run(planner.name, unit === 'bytes' ? { budgetBytes: budget } : { budget });
        rows.push({
          ...row(budget, planner.name, null, m),
          fits: true,
          ...costsOf(stats),
          recomputation: stats.primitiveEvaluations / Math.max(m, 1),
          gradientError: error,
        });
      }
      bar.tick();
    }
  }
  bar.stop();
  return rows;
}

export function row(budget: number, strategy: string, costs: CheckpointCosts | null, forward: number): Row {
  if (costs === null)
    return {
      budget,
      strategy,
      fits: false,
      advances: 0,
      evaluations: 0,
      recomputation: 0,
      peakSnapshots: 0,
      writes: 0,
      peakValues: 0,
    };
  return {
    budget,
    strategy,
    fits: true,
    ...costsOfPlan(costs),
    recomputation: costs.evaluations / Math.max(forward, 1),
  };
}

/** The counted costs of a run, under the names of the curve. */
export function costsOf(stats: Stats) {
  return {
    advances: stats.advances,
    evaluations: stats.primitiveEvaluations,
    peakSnapshots: stats.peakSnapshots,
    writes: stats.writes,
    peakValues: stats.peakValues,
    peakBytes: stats.peakBytes,
  };
}

/** The replayed costs of a plan, under the same names. */
export function costsOfPlan(costs: CheckpointCosts) {
  return {
    advances: costs.advances,
    evaluations: costs.evaluations,
    peakSnapshots: costs.peakSnapshots,
    writes: costs.writes,
    peakValues: costs.peakValues,
    peakBytes: costs.peakBytes,
  };
}

/** The least budget within [1, hi] a planner meets (fitting only gets easier with more budget). */
export function leastBudget(program: Program, planner: CheckpointPlanner, hi: number, unit: MemoryUnit): number {
  if (planner.within(program, hi, unit) === null) return hi;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (planner.within(program, mid, unit) === null) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function chainPlanner(name: string): CheckpointPlanner {
  const planner = checkpointPlanners.get(name);
  if (planner.chain && planner.chainWithin) return planner;
  const chained = checkpointPlanners
    .list()
    .filter((p) => p.chain)
    .map((p) => p.name);
  throw new LagradError(
    '--strategy',
    `'${name}' plans programs, not chains by a snapshot count; on a chain use ${chained.join(', ')}`,
  );
}

/** Closed forms refuse counts past 2⁵³ with a RangeError: one line naming the flag. */
export function closedForm<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new LagradError('--chain', e.message);
    throw e;
  }
}

/** About n integers from lo to hi, spaced evenly on a log scale, both ends included. */
export function grid(lo: number, hi: number, n: number): number[] {
  const budgets = new Set<number>([lo]);
  for (let i = 1; i < n; i++) budgets.add(Math.round(lo * Math.pow(hi / lo, i / (n - 1))));
  budgets.add(hi);
  return [...budgets].sort((x, y) => x - y);
}
