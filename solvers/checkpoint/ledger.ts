import type { CheckpointCosts } from './planner.ts';
import type { Plan } from './actions.ts';
import { Counts, Holding, inBytes, type Sizes } from './costs.ts';
import { replay } from './replay.ts';
import type { Stages, StageShape } from './stages.ts';

// The time–space ledger of a plan over stages, replayed without numerics: the counts and the
// memory the executor (execute.ts) will count, action for action, by the same observers (costs.ts)
// over the state sizes that liveness predicts. The tests hold the executor's counted stats equal to
// this replay, which is what makes the tradeoff curves exact without running the numerics. O(1) per
// action: a plan of few actions is priced quickly however many constraints its advances sweep.

/** The sizes, in values, that liveness predicts for the stages of `shape` (per-stage sizes kept). */
export function predictedSizes(stages: Stages, shape: StageShape): Sizes {
  const live = shape.live;
  if (live === null) throw new Error('ledger: the stage shape must keep the per-stage state sizes');
  return {
    state: (s) => (s < stages.count ? live[s] : 0),
    stage: (s) => stages.start(s + 1) - stages.start(s),
    working: shape.working,
  };
}

/** Replays `plan` over `stages` charging the state sizes of `shape`; O(actions) time, O(slots) memory. */
export function ledger(plan: Plan, stages: Stages, shape: StageShape): CheckpointCosts {
  const sizes = predictedSizes(stages, shape);
  const counts = new Counts(stages);
  const values = new Holding(sizes, plan.slots);
  const bytes = new Holding(inBytes(sizes), plan.slots);
  replay(plan, [counts, values, bytes]);
  return {
    strategy: plan.strategy,
    stages: stages.count,
    slots: plan.slots,
    advances: counts.advances,
    evaluations: counts.evaluations,
    writes: counts.writes,
    peakSnapshots: counts.peakSnapshots,
    peakSnapshotValues: values.peakSnapshots,
    peakValues: values.peak,
    peakBytes: bytes.peak,
  };
}

/** Above this many stages the slot count stays at the bound c·M + W ≤ budget (replays cost O(l·r) each). */
export const EXACT_STAGES = 4096;

/**
 * The most slots c ≥ `least` for which `plan(c)` over `stages` holds at most `budget` values by the
 * exact replay, searched by bisection up to count − 1 (beyond which slots are useless). `least` must
 * already fit; with more than EXACT_STAGES stages it is returned as is.
 */
export function mostSlotsWithin(stages: Stages, shape: StageShape, budget: number, least: number, plan: (slots: number) => Plan): number {
  let lo = least;
  let hi = stages.count - 1;
  if (stages.count > EXACT_STAGES || lo >= hi) return lo;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (ledger(plan(mid), stages, shape).peakValues <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
