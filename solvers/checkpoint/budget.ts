import type { Program } from '../../src/program/program.ts';
import { renamed, type Plan } from './actions.ts';
import { liveBytes, liveCounts } from './liveness.ts';
import { EXACT_STAGES, ledger, mostSlotsWithin } from './ledger.ts';
import { revolveAdvances, revolvePlan } from './revolve.ts';
import { cutStages, sizesIn, stageShape, type MemoryUnit, type Stages } from './stages.ts';

/**
 * A plan for a general acyclic program that holds at most `budget` primal values at once.
 *
 * What it optimises. It cuts the evaluation order into stages and runs revolve over them. For each
 * target stage length T in 1, 2, 4, … up to the whole program, it places every cut at the narrowest
 * point (fewest live values, liveness.ts) between T/2 and T constraints past the previous cut, so
 * snapshots fall between layers rather than through them. The stages fix
 * W = max_s (|state_s| + stage length), the most a stage holds while it is reversed, and
 * M = max_s |state_s|, the largest snapshot; c = ⌊(budget − W) / M⌋ slots then fit whatever states
 * revolve stores (c·M + W ≤ budget), and up to 4096 stages the exact replay (ledger.ts) raises c
 * while the plan still fits. Among the candidates it keeps the one with the fewest primitive
 * evaluations — replayed exactly, or beyond 4096 stages estimated as T̄·t(l, c) + N_c with t(l, c)
 * revolve's minimal advance count (exact for stages of equal length T̄; the last is never advanced).
 *
 * What it does not. It does not search all cut sets, only one per T; beyond 4096 stages it charges
 * every snapshot the largest state M, though most are smaller; it keeps or recomputes whole stages,
 * never single values; and revolve is optimal for stages of equal cost, which the cuts only
 * approximate. The general problem — which values of a DAG to keep and which to recompute under a
 * memory bound — is NP-complete (U. Naumann, "DAG reversal is NP-complete", J. Discrete Algorithms
 * 7 (2009)), so this is a heuristic with a guarantee on memory, not on time.
 *
 * Returns null when no candidate fits (the budget is below the smallest state + stage).
 */
export function budgetPlan(
  program: Program,
  budget: number,
  unit: MemoryUnit = 'values',
): { stages: Stages; plan: Plan; evaluations: number } | null {
  const constraints = program.size - program.inputCount;
  const live = unit === 'bytes' ? liveBytes(program) : liveCounts(program);
  let best: Candidate | null = null;
  for (let T = 1; ; T = Math.min(2 * T, constraints)) {
    const candidate = price(program, live, T, budget, unit);
    if (candidate && (best === null || candidate.evaluations < best.evaluations)) best = candidate;
    if (T >= constraints) break;
  }
  if (best === null) return null;
  return {
    stages: best.stages,
    plan: renamed(revolvePlan(best.stages.count, best.slots), 'budget'),
    evaluations: best.evaluations,
  };
}

interface Candidate {
  readonly stages: Stages;
  readonly slots: number;
  /** Primitive evaluations: by the exact replay up to EXACT_STAGES stages, else the estimate T̄·t(l, c) + N_c. */
  readonly evaluations: number;
}

/** The stages for target length T with the most slots that fit, priced; null when none fits. */
function price(
  program: Program,
  live: ArrayLike<number>,
  T: number,
  budget: number,
  unit: MemoryUnit,
): Candidate | null {
  const cuts = place(program, live, T);
  const stages = cutStages(cuts);
  const l = stages.count;
  const constraints = program.size - program.inputCount;
  const shape = stageShape(program, stages, l <= EXACT_STAGES);
  const { initial, working, maxLive } = sizesIn(shape, unit);
  if (working > budget) return null;
  if (l <= 1) return { stages, slots: 0, evaluations: constraints };
  // One slot holds exactly |x₀| + W (leastRevolvePeak); c·M + W ≤ budget bounds every instant with
  // c slots; the exact replay may admit more.
  if (initial + working > budget) return null;
  const bound = Math.max(1, maxLive === 0 ? l - 1 : Math.min(Math.floor((budget - working) / maxLive), l - 1));
  if (shape.live === null) {
    const meanLength = (constraints - (cuts[l] - cuts[l - 1])) / (l - 1);
    return { stages, slots: bound, evaluations: meanLength * revolveAdvances(l, bound) + constraints };
  }
  const slots = mostSlotsWithin(stages, shape, budget, bound, (c) => revolvePlan(l, c), unit);
  return { stages, slots, evaluations: ledger(revolvePlan(l, slots), stages, shape).evaluations };
}

/** The least budget the planner meets: the leanest of its candidates, each at one slot (or one stage). */
export function leastBudgetPeak(program: Program, unit: MemoryUnit = 'values'): number {
  const constraints = program.size - program.inputCount;
  const live = unit === 'bytes' ? liveBytes(program) : liveCounts(program);
  let least = Infinity;
  for (let T = 1; ; T = Math.min(2 * T, constraints)) {
    const stages = cutStages(place(program, live, T));
    const { working, initial } = sizesIn(stageShape(program, stages, false), unit);
    least = Math.min(least, stages.count <= 1 ? working : initial + working);
    if (T >= constraints) break;
  }
  return least;
}

/**
 * Cuts for target length T: from each cut, the next at the narrowest point (the least `live`, values
 * or bytes per cut, ties to the farthest) between T/2 and T constraints on. O(N) time.
 */
export function place(program: Program, live: ArrayLike<number>, T: number): Int32Array {
  const first = program.inputCount;
  const size = program.size;
  const cuts: number[] = [first];
  for (let b = first; b < size;) {
    let end = size;
    if (size - b > T) {
      end = b + T;
      for (let x = b + T - 1; x >= b + Math.ceil(T / 2); x--) if (live[x - first] < live[end - first]) end = x;
    }
    cuts.push(end);
    b = end;
  }
  return Int32Array.from(cuts);
}
