import type { CheckpointCosts } from './planner.ts';
import { ADVANCE, type ActionBatch, type Plan } from './actions.ts';
import { BYTES_PER_VALUE, Costs, scalarSizes, type Sizes } from './costs.ts';
import { replay, type PlanObserver } from './replay.ts';
import type { Stages, StageShape } from './stages.ts';

// The time–space ledger of a plan over stages, replayed without numerics: the counts and the
// memory the executor (execute.ts) will count, action for action, by the same observer (costs.ts)
// over the state sizes that liveness predicts. The tests hold the executor's counted stats equal to
// this replay, which is what makes the tradeoff curves exact without running the numerics. O(1) per
// action: a plan of few actions is priced quickly however many constraints its advances sweep.

/** The sizes that liveness predicts for the stages of `shape` (per-stage sizes kept). */
export function predictedSizes(stages: Stages, shape: StageShape): Sizes {
  const live = liveOf(shape);
  return scalarSizes(stages, live.length > 0 ? live[0] : 0, shape.working);
}

/** The ledger's handler: writes into each batch the size of the state each advance reaches, |L(start(to))|. */
class Predicted implements PlanObserver {
  constructor(private readonly live: Int32Array) {}

  observe(batch: ActionBatch): void {
    const { kind, y, values, bytes, length } = batch;
    const live = this.live;
    for (let k = 0; k < length; k++) {
      if (kind[k] !== ADVANCE) continue;
      const size = y[k] < live.length ? live[y[k]] : 0;
      values[k] = size;
      bytes[k] = BYTES_PER_VALUE * size;
    }
  }

  end(): void {}
}

/** Replays `plan` over `stages` charging the state sizes of `shape`; O(actions) time, O(slots) memory. */
export function ledger(plan: Plan, stages: Stages, shape: StageShape): CheckpointCosts {
  const costs = new Costs(stages, predictedSizes(stages, shape), plan.slots);
  replay(plan, [new Predicted(liveOf(shape)), costs]);
  return {
    strategy: plan.strategy,
    stages: stages.count,
    slots: plan.slots,
    advances: costs.advances,
    evaluations: costs.evaluations,
    writes: costs.writes,
    peakSnapshots: costs.peakSnapshots,
    peakSnapshotValues: costs.values.peakSnapshots,
    peakValues: costs.values.peak,
    peakBytes: costs.bytes.peak,
  };
}

function liveOf(shape: StageShape): Int32Array {
  if (shape.live === null) throw new Error('ledger: the stage shape must keep the per-stage state sizes');
  return shape.live;
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
