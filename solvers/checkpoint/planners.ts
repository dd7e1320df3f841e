import { PlannerTable, type CheckpointCosts, type CheckpointPlanner } from './planner.ts';
import type { Program } from '../../src/program/program.ts';
import { ledger } from './ledger.ts';
import { revolveAdvances, revolveWrites } from './revolve.ts';
import { stageShape, type MemoryUnit } from './stages.ts';
import { fit, type StrategyName } from './strategies.ts';

// The strategies as `lagrad tradeoff` reads them (planner.ts). On a program, the ledger of
// the very plan the checkpoint schedule would run. On a chain — l steps x_{i+1} = f(x_i), one
// constraint and one value of state each — closed forms, which the tests hold equal to that ledger
// (and to the executor's counts) on small chains, so a chain of 10⁷ steps is priced in microseconds.

/** The ledger of the plan `checkpoint --strategy NAME --budget B` runs on a program, or null. */
function within(strategy: StrategyName) {
  return (program: Program, budget: number, unit: MemoryUnit = 'values'): CheckpointCosts | null => {
    const c = fit(program, strategy, budget, unit);
    return c && ledger(c.plan, c.stages, stageShape(program, c.stages));
  };
}

/** A value of the chain's state is one Float64. */
const BYTES = 8;

/**
 * store-all on a chain: one stage, the whole tape. x₀ and the l values are held at once;
 * no advance, no snapshot, l evaluations.
 */
export function chainStoreAll(steps: number): CheckpointCosts {
  const peakValues = steps > 0 ? steps + 1 : 0;
  return {
    strategy: 'store-all',
    stages: steps > 0 ? 1 : 0,
    slots: 0,
    advances: 0,
    evaluations: steps,
    writes: 0,
    peakSnapshots: 0,
    peakSnapshotValues: 0,
    peakValues,
    peakBytes: BYTES * peakValues,
  };
}

/**
 * revolve on a chain with c slots: t(l, c) advances and w(l, c) writes (the closed forms), and
 * min(c, l − 1) snapshots at the peak — at most that many by the slot limit, and at least, because the first descent of the
 * plan stores at every level while two or more slots remain (its second halves are then ≥ 2 steps
 * long). The peak then meets a working frame of two values (a state and the step evaluated).
 */
export function chainRevolve(steps: number, snapshots: number): CheckpointCosts {
  const slots = Math.min(snapshots, Math.max(steps - 1, 0));
  const advances = revolveAdvances(steps, snapshots);
  const peakValues = steps === 0 ? 0 : slots + 2;
  return {
    strategy: 'revolve',
    stages: steps,
    slots,
    advances,
    evaluations: advances + steps,
    writes: revolveWrites(steps, snapshots),
    peakSnapshots: slots,
    peakSnapshotValues: slots,
    peakValues,
    peakBytes: BYTES * peakValues,
  };
}

/**
 * sqrt on a chain with segments of k steps: m = ⌈l/k⌉ segments, the first m − 1 advanced once and
 * their starts stored (m − 1 writes); every segment re-evaluated with its values while it is reversed. Peak: m − 1
 * snapshots, the state and a whole segment, m + k values (l + 1 when one segment is the whole chain).
 */
export function chainSqrt(steps: number, k: number): CheckpointCosts {
  const segments = Math.ceil(steps / k);
  const advances = Math.max(segments - 1, 0) * k;
  const peakValues = segments >= 2 ? segments + k : steps > 0 ? steps + 1 : 0;
  const stored = Math.max(segments - 1, 0);
  return {
    strategy: 'sqrt',
    stages: segments,
    slots: stored,
    advances,
    evaluations: advances + steps,
    writes: stored,
    peakSnapshots: stored,
    peakSnapshotValues: stored,
    peakValues,
    peakBytes: BYTES * peakValues,
  };
}

/** The longest sqrt segments with ⌈l/k⌉ + k ≤ budget (that sum is non-decreasing for k ≥ √l), or null. */
function chainSqrtWithin(steps: number, budget: number): CheckpointCosts | null {
  if (steps + 1 <= budget || steps <= 1) return steps + 1 <= budget ? chainSqrt(steps, Math.max(steps, 1)) : null;
  const peak = (k: number) => Math.ceil(steps / k) + k;
  let lo = Math.ceil(Math.sqrt(steps));
  if (peak(lo) > budget) lo = Math.floor(Math.sqrt(steps));
  if (lo < 1 || peak(lo) > budget) return null;
  let hi = steps - 1; // the largest k with two segments or more
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (peak(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return chainSqrt(steps, lo);
}

export const storeAllPlanner: CheckpointPlanner = {
  name: 'store-all',
  summary: 'one forward sweep keeping every value (plain reverse): no recomputation, every value held',
  chain: (steps) => chainStoreAll(steps),
  chainWithin: (steps, budget) => (chainStoreAll(steps).peakValues <= budget ? chainStoreAll(steps) : null),
  within: within('store-all'),
};

export const sqrtPlanner: CheckpointPlanner = {
  name: 'sqrt',
  summary: 'segments of ~√N stored at their starts, each recomputed once (Chen et al. 2016): ~2N evaluations',
  chain: (steps, snapshots) => chainSqrt(steps, Math.max(1, Math.ceil(steps / (snapshots + 1)))),
  chainWithin: chainSqrtWithin,
  within: within('sqrt'),
};

export const revolvePlanner: CheckpointPlanner = {
  name: 'revolve',
  summary: 'binomial checkpointing (Griewank & Walther 2000): the fewest advances for C snapshots',
  chain: chainRevolve,
  chainWithin: (steps, budget) => {
    if (steps <= 1) return budget >= chainRevolve(steps, 1).peakValues ? chainRevolve(steps, 1) : null;
    return budget >= 3 ? chainRevolve(steps, budget - 2) : null;
  },
  within: within('revolve'),
};

export const budgetPlanner: CheckpointPlanner = {
  name: 'budget',
  summary: 'stages cut at narrow points and revolve over them, within a budget of values (budget.ts)',
  within: within('budget'),
};

/** Every built-in planner, in the order `lagrad tradeoff` lists them. */
export const builtinPlanners: readonly CheckpointPlanner[] = [
  storeAllPlanner,
  sqrtPlanner,
  revolvePlanner,
  budgetPlanner,
];

/** The built-in strategies by name: the table `lagrad tradeoff` and the checkpoint schedule read. */
export const checkpointPlanners = new PlannerTable(builtinPlanners);
