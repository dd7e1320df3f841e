import type { CheckpointCosts } from './planner.ts';
import { ADVANCE, REVERSE, type ActionBatch, type Plan } from './actions.ts';
import { Costs, type Sizes } from './costs.ts';
import { replay, type PlanObserver } from './replay.ts';
import { bytesBetween, type MemoryUnit, type Stages, type StageShape } from './stages.ts';

// The time–space ledger of a plan over stages, replayed without numerics: the counts and the
// memory the executor (execute.ts) will count, action for action, by the same observer (costs.ts)
// over the state sizes that liveness predicts. The tests hold the executor's counted stats equal to
// this replay, which is what makes the tradeoff curves exact without running the numerics. O(1) per
// action: a plan of few actions is priced quickly however many constraints its advances sweep.

/** The sizes that liveness predicts for the stages of `shape` (per-stage sizes kept). */
export function predictedSizes(shape: StageShape): Sizes {
  return {
    initial: shape.initial,
    initialBytes: shape.initialBytes,
    working: shape.working,
    workingBytes: shape.workingBytes,
  };
}

/**
 * The ledger's handler: writes into each batch the size of the state each advance reaches,
 * |L(start(to))|, and the values of the stage each reverse step holds, start(s + 1) − start(s).
 */
class Predicted implements PlanObserver {
  private readonly live: Int32Array;
  private readonly liveBytes: Float64Array;
  private readonly offset: Int32Array | null;

  constructor(
    shape: StageShape,
    private readonly stages: Stages,
  ) {
    this.live = liveOf(shape);
    this.liveBytes = shape.liveBytes!;
    this.offset = shape.offset;
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, values, bytes, length } = batch;
    const { live, liveBytes, stages, offset } = this;
    for (let k = 0; k < length; k++) {
      const kd = kind[k];
      if (kd === REVERSE) {
        const a = stages.start(x[k]);
        const b = stages.start(x[k] + 1);
        values[k] = b - a;
        bytes[k] = bytesBetween(offset, a, b);
      } else if (kd === ADVANCE) {
        const s = y[k];
        values[k] = s < live.length ? live[s] : 0;
        bytes[k] = s < live.length ? liveBytes[s] : 0;
      }
    }
  }

  end(): void {}
}

/** Replays `plan` over `stages` charging the state sizes of `shape`; O(actions) time, O(slots) memory. */
export function ledger(plan: Plan, stages: Stages, shape: StageShape): CheckpointCosts {
  const costs = new Costs(stages, predictedSizes(shape), plan.slots);
  replay(plan, [new Predicted(shape, stages), costs]);
  return {
    strategy: plan.strategy,
    stages: stages.count,
    slots: plan.slots,
    advances: costs.advances,
    evaluations: costs.evaluations,
    writes: costs.writes,
    peakSnapshots: costs.peakSnapshots,
    ...costs.memory(),
  };
}

function liveOf(shape: StageShape): Int32Array {
  if (shape.live === null) throw new Error('ledger: the stage shape must keep the per-stage state sizes');
  return shape.live;
}

/** Above this many stages the slot count stays at the bound c·M + W ≤ budget (replays cost O(l·r) each). */
export const EXACT_STAGES = 4096;

/** A ledger's peak in values or in bytes. */
export function peakIn(costs: CheckpointCosts, unit: MemoryUnit): number {
  return unit === 'bytes' ? costs.peakBytes : costs.peakValues;
}

/**
 * The most slots c ≥ `least` for which `plan(c)` over `stages` holds at most `budget` values (or
 * bytes) by the exact replay, searched by bisection up to count − 1 (beyond which slots are
 * useless). `least` must already fit; with more than EXACT_STAGES stages it is returned as is.
 */
export function mostSlotsWithin(
  stages: Stages,
  shape: StageShape,
  budget: number,
  least: number,
  plan: (slots: number) => Plan,
  unit: MemoryUnit = 'values',
): number {
  let lo = least;
  let hi = stages.count - 1;
  if (stages.count > EXACT_STAGES || lo >= hi) return lo;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (peakIn(ledger(plan(mid), stages, shape), unit) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
