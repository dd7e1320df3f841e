import type { CheckpointCosts } from './planner.ts';
import type { Plan } from './actions.ts';
import type { Stages, StageShape } from './stages.ts';

// The time–space ledger of a plan over stages, replayed without numerics: what the executor
// (execute.ts) will count, action for action, from the same rules:
//
// - values held at an instant = the values in snapshot slots + the working values: the current
//   state; while a stage is reversed, its state + its constraints; while an advance runs, the whole
//   working frame, W = the largest stage with its state (an advance evaluates whole stages, as many
//   as fit in the frame, so it never holds more than that, and it is charged that);
// - `reverse s` re-evaluates stage s keeping its values, then propagates back.
//
// The tests hold the executor's counted stats equal to this replay, which is what makes the
// tradeoff curves exact without running the numerics. O(1) per action: a plan of few actions is
// priced quickly however many constraints its advances sweep.

/** Replays `plan` over `stages` charging the state sizes of `shape`; O(actions) time, O(slots) memory. */
export function ledger(plan: Plan, stages: Stages, shape: StageShape): CheckpointCosts {
  const live = shape.live;
  if (live === null) throw new Error('ledger: the stage shape must keep the per-stage state sizes');
  const slotSize = new Float64Array(plan.slots);
  const stateOf = (s: number) => (s < stages.count ? live[s] : 0);
  let current = live.length > 0 ? live[0] : 0;
  let held = 0;
  let occupied = 0;
  const costs = { strategy: plan.strategy, stages: stages.count, slots: plan.slots, advances: 0, evaluations: 0, peakSnapshots: 0, peakSnapshotValues: 0, peakValues: 0 };
  const charge = (working: number) => {
    if (held + working > costs.peakValues) costs.peakValues = held + working;
  };
  charge(current);
  for (const action of plan) {
    switch (action.kind) {
      case 'advance':
        charge(shape.working);
        costs.advances += stages.start(action.to) - stages.start(action.from);
        current = stateOf(action.to);
        break;
      case 'store':
        slotSize[action.slot] = current;
        held += current;
        occupied++;
        costs.peakSnapshots = Math.max(costs.peakSnapshots, occupied);
        costs.peakSnapshotValues = Math.max(costs.peakSnapshotValues, held);
        charge(current);
        break;
      case 'restore':
        current = slotSize[action.slot];
        charge(current);
        break;
      case 'free':
        held -= slotSize[action.slot];
        occupied--;
        break;
      case 'reverse': {
        const length = stages.start(action.step + 1) - stages.start(action.step);
        charge(current + length);
        costs.evaluations += length;
        current = 0;
        break;
      }
    }
  }
  costs.evaluations += costs.advances;
  return costs;
}

/** Above this many stages the slot count stays at the bound c·M + W ≤ budget (replays cost O(l·r) each). */
export const EXACT_STAGES = 4096;

/**
 * The most slots c ≥ `least` for which `plan(c)` over `stages` holds at most `budget` values by the
 * exact replay, searched by bisection up to count − 1 (beyond which slots are useless). `least` must
 * already fit (the bound guarantees it); with more than EXACT_STAGES stages it is returned as is.
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
