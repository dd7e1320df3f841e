import { ADVANCE, END, FREE, formatAction, RESTORE, REVERSE, STORE, type Action, type Plan } from './actions.ts';

// The one replay of plans. Everything that walks a plan — the simulator's checks (simulate.ts), the
// counts and the memory ledger (costs.ts), the executor's numerics (execute.ts) — is an observer of
// this loop, told each action in order, so the state machine of actions.ts is written once. The
// loop reads a cursor, which rewrites one record in place: replaying the 10⁷ actions of a long
// chain allocates nothing.

/**
 * What a replay tells each observer, action by action, in the order the observers were given (so a
 * check placed first stops a broken plan before any later observer sees the action).
 */
export interface PlanObserver {
  advance(from: number, to: number): void;
  store(slot: number, step: number): void;
  restore(slot: number, step: number): void;
  free(slot: number): void;
  reverse(step: number): void;
  /** After the last action. */
  end(): void;
}

/** A plan that breaks an invariant: names the action's index and the invariant, on one line. */
export class PlanError extends Error {
  constructor(readonly index: number, readonly action: Action | undefined, what: string) {
    super(action === undefined ? `plan end: ${what}` : `action ${index} (${formatAction(action)}): ${what}`);
    this.name = 'PlanError';
  }
}

/** Replays `plan`, telling every observer each action in turn, then `end()`. O(actions) time, O(1) memory. */
export function replay(plan: Plan, observers: readonly PlanObserver[]): void {
  const cursor = plan.cursor();
  const n = observers.length;
  let index = 0;
  for (let kind = cursor.next(); kind !== END; kind = cursor.next(), index++) {
    switch (kind) {
      case ADVANCE: {
        const { from, to } = cursor;
        for (let o = 0; o < n; o++) observers[o].advance(from, to);
        break;
      }
      case STORE: {
        const { slot, step } = cursor;
        for (let o = 0; o < n; o++) observers[o].store(slot, step);
        break;
      }
      case RESTORE: {
        const { slot, step } = cursor;
        for (let o = 0; o < n; o++) observers[o].restore(slot, step);
        break;
      }
      case FREE: {
        const slot = cursor.slot;
        for (let o = 0; o < n; o++) observers[o].free(slot);
        break;
      }
      case REVERSE: {
        const step = cursor.step;
        for (let o = 0; o < n; o++) observers[o].reverse(step);
        break;
      }
      default: {
        const action = (cursor as { action?: { kind?: unknown } }).action;
        throw new PlanError(index, action as Action, `unknown action kind ${JSON.stringify(action?.kind)}`);
      }
    }
  }
  for (let o = 0; o < n; o++) observers[o].end();
}
