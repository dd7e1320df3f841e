import { advance, checkSteps, free, makePlan, restore, reverse, store, type Action, type Plan } from './actions.ts';

/**
 * The baseline: one forward sweep storing every state, then reverse l−1 … 0 restoring each in turn.
 *
 * Snapshots: x₀ … x_{l−2} go to slots 0 … l−2, and x_{l−1} is the current state when the sweep ends,
 * reversed at once; so the plan uses l−1 slots, and l states are held at the peak counting the
 * working state. Advances: l−1 (one sweep); evaluations: 2l−1: what revolve costs with c ≥ l−1 slots.
 */
export function storeAllPlan(l: number): Plan {
  checkSteps('store-all', l);
  return makePlan('store-all', l, Math.max(l - 1, 0), function* (): Generator<Action> {
    for (let i = 0; i < l - 1; i++) {
      yield store(i, i);
      yield advance(i, i + 1);
    }
    if (l === 0) return;
    yield reverse(l - 1);
    for (let i = l - 2; i >= 0; i--) {
      yield restore(i, i);
      yield reverse(i);
      yield free(i);
    }
  });
}
