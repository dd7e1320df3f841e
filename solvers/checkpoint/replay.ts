import { ActionBatch, type Plan } from './actions.ts';

export { PlanError } from './actions.ts';

// The one replay of plans. Everything that walks a plan — the simulator's checks (simulate.ts), the
// counts and the memory held (costs.ts), the predicted state sizes (ledger.ts), the executor's
// numerics (execute.ts) — is an observer of this loop, so the state machine of actions.ts is
// written once. Actions travel in batches of columns (ActionBatch): each observer takes a batch
// in its own loop, in the order given, so a check placed first stops a broken plan before a later
// observer sees the batch, and the handler placed before the costs writes the sizes they read.
// Replaying the 10⁷ actions of a long chain allocates nothing, and no action costs a call per
// observer.

/** What a replay tells each observer: every batch of actions in plan order, then the end. */
export interface PlanObserver {
  /** Actions batch.first … batch.first + batch.length − 1. */
  observe(batch: ActionBatch): void;
  /** After the last action. */
  end(): void;
}

/** Replays `plan` through the observers in order; O(actions) time, O(1) memory. */
export function replay(plan: Plan, observers: readonly PlanObserver[]): void {
  const source = plan.source();
  const batch = new ActionBatch();
  const n = observers.length;
  while (source.fill(batch) > 0) for (let o = 0; o < n; o++) observers[o].observe(batch);
  for (let o = 0; o < n; o++) observers[o].end();
}
