/**
 * Checkpointing plans for a chain of `l` steps, as data: a stream of small printable actions that
 * never touches a value (after firedrakeproject/checkpoint_schedules and Griewank & Walther's revolve).
 *
 * ## State model
 *
 * The chain maps states x₀ → x₁ → … → x_l; step i takes its input x_i to x_{i+1}. Reversing the
 * chain means reversing steps l−1, l−2, …, 0 in that order. The reverse step i re-evaluates step i
 * from x_i keeping its intermediate values, then propagates the multipliers of x_{i+1} back to x_i.
 *
 * An executor holds one working state, **the current state** x_cur (`cur` is a step index: the input
 * of step `cur`; initially cur = 0, the point), and `slots` snapshot slots numbered 0 … slots−1, each
 * empty or holding one state. `next` is the step still to be reversed (initially l−1).
 *
 * | action              | requires                          | effect                          |
 * |---------------------|-----------------------------------|---------------------------------|
 * | `advance from→to`   | cur = from < to ≤ next            | cur = to; costs to − from steps |
 * | `store slot ← step` | cur = step, slot empty            | slot holds x_step               |
 * | `restore slot→step` | slot holds x_step                 | cur = step (slot keeps x_step)  |
 * | `free slot`         | slot holds a state                | slot empty                      |
 * | `reverse step`      | step = next, cur = step           | next = step − 1, no state is current |
 *
 * The reverse step consumes the working state (its buffers are reused for the step's values), so the
 * next reverse always starts from a restore. A plan is complete when all l steps are reversed and
 * every slot is empty. One replay (replay.ts) walks plans through this model; the simulator's
 * checks, the costs and the executor's numerics observe it.
 *
 * ## Counting (revolve's convention)
 *
 * The working state is not a slot: `slots` counts snapshots only, and the slot holding x₀ is one of
 * them. Advances are Σ (to − from) over `advance` actions: they include the first forward sweep
 * x₀ → x_{l−1} and exclude the l re-evaluations inside the reverse steps, so the total number of
 * primitive step evaluations is advances + l. Writes are the `store` actions: snapshots written.
 */

/** Run steps from … to−1 forward, keeping only the resulting state x_to. */
export interface Advance { readonly kind: 'advance'; readonly from: number; readonly to: number }
/** Copy the current state x_step into an empty slot. */
export interface Store { readonly kind: 'store'; readonly slot: number; readonly step: number }
/** Make the snapshot x_step held in `slot` the current state; the slot keeps its copy. */
export interface Restore { readonly kind: 'restore'; readonly slot: number; readonly step: number }
/** Empty a slot. */
export interface Free { readonly kind: 'free'; readonly slot: number }
/** Re-evaluate step `step` from the current state x_step keeping its values, then propagate multipliers back through it. */
export interface Reverse { readonly kind: 'reverse'; readonly step: number }

export type Action = Advance | Store | Restore | Free | Reverse;
export type ActionKind = Action['kind'];

export const advance = (from: number, to: number): Advance => ({ kind: 'advance', from, to });
export const store = (slot: number, step: number): Store => ({ kind: 'store', slot, step });
export const restore = (slot: number, step: number): Restore => ({ kind: 'restore', slot, step });
export const free = (slot: number): Free => ({ kind: 'free', slot });
export const reverse = (step: number): Reverse => ({ kind: 'reverse', step });

/** One line per action: `advance 0 -> 286`, `store 286 -> slot 1`, `restore slot 1 -> 286`, `free slot 1`, `reverse 999`. */
export function formatAction(action: Action): string {
  switch (action.kind) {
    case 'advance': return `advance ${action.from} -> ${action.to}`;
    case 'store': return `store ${action.step} -> slot ${action.slot}`;
    case 'restore': return `restore slot ${action.slot} -> ${action.step}`;
    case 'free': return `free slot ${action.slot}`;
    case 'reverse': return `reverse ${action.step}`;
    default: return `unknown action ${JSON.stringify(action)}`;
  }
}

// Action kinds as small integers: what a cursor reports, so that replaying 10⁷ actions allocates nothing.
export const END = -1;
export const ADVANCE = 0;
export const STORE = 1;
export const RESTORE = 2;
export const FREE = 3;
export const REVERSE = 4;
/** A kind no plan should produce (a hand-written action with a misspelled kind). */
export const UNKNOWN = 5;

/**
 * A pull cursor over a plan's actions that rewrites one record in place: `next()` moves to the next
 * action and returns its kind (END after the last); the fields hold its arguments (advance: from,
 * to; store and restore: slot, step; free: slot; reverse: step).
 */
export interface ActionCursor {
  next(): number;
  from: number;
  to: number;
  slot: number;
  step: number;
}

/**
 * A plan for reversing a chain of `steps` steps within `slots` snapshot slots. Each cursor (and each
 * iteration) generates the actions afresh: plans stream, a long chain's plan is never a stored list.
 */
export interface Plan extends Iterable<Action> {
  readonly strategy: string;
  /** l, the number of steps of the chain. */
  readonly steps: number;
  /** The slot limit: the plan only uses slots 0 … slots−1. */
  readonly slots: number;
  cursor(): ActionCursor;
}

/** The action a cursor stands on, as a record (for printing and tests; replays read the cursor). */
export function actionAt(kind: number, c: ActionCursor): Action {
  switch (kind) {
    case ADVANCE: return advance(c.from, c.to);
    case STORE: return store(c.slot, c.step);
    case RESTORE: return restore(c.slot, c.step);
    case FREE: return free(c.slot);
    case REVERSE: return reverse(c.step);
    default: throw new RangeError(`actionAt: no action of kind ${kind}`);
  }
}

/** A plan whose actions come from a cursor factory. */
export function cursorPlan(strategy: string, steps: number, slots: number, cursor: () => ActionCursor): Plan {
  return {
    strategy,
    steps,
    slots,
    cursor,
    *[Symbol.iterator]() {
      const c = cursor();
      for (let kind = c.next(); kind !== END; kind = c.next()) yield kind === UNKNOWN ? (c as IteratorCursor).action! : actionAt(kind, c);
    },
  };
}

/** Wrap a generator function (or any source of action records) as a re-iterable plan. */
export function makePlan(strategy: string, steps: number, slots: number, actions: () => Iterator<Action>): Plan {
  return cursorPlan(strategy, steps, slots, () => new IteratorCursor(actions()));
}

/** The same plan under another strategy name (sqrt and budget run the plans of other strategies). */
export function renamed(plan: Plan, strategy: string): Plan {
  return cursorPlan(strategy, plan.steps, plan.slots, () => plan.cursor());
}

const KINDS: Readonly<Record<string, number>> = { advance: ADVANCE, store: STORE, restore: RESTORE, free: FREE, reverse: REVERSE };

/** A cursor over action records. */
class IteratorCursor implements ActionCursor {
  from = 0;
  to = 0;
  slot = 0;
  step = 0;
  /** The record last read, kept for the message about an unknown kind. */
  action: Action | undefined;
  constructor(private readonly actions: Iterator<Action>) {}

  next(): number {
    const r = this.actions.next();
    if (r.done) return END;
    const a = (this.action = r.value) as { from?: number; to?: number; slot?: number; step?: number };
    this.from = a.from ?? 0;
    this.to = a.to ?? 0;
    this.slot = a.slot ?? 0;
    this.step = a.step ?? 0;
    return Object.hasOwn(KINDS, r.value.kind) ? KINDS[r.value.kind] : UNKNOWN;
  }
}

/** Throws unless l is a chain length: an integer ≥ 0. */
export function checkSteps(where: string, l: number): void {
  if (!Number.isSafeInteger(l) || l < 0) throw new RangeError(`${where}: the number of steps must be an integer ≥ 0, got ${l}`);
}

/**
 * Free slots handed out last-in first-out, so a plan's slot numbers stay below its peak occupancy.
 * Memory O(slots).
 */
export class SlotPool {
  private readonly free: Int32Array;
  private count = 0;
  constructor(slots: number) {
    this.free = new Int32Array(slots);
    for (let s = slots - 1; s >= 0; s--) this.free[this.count++] = s;
  }
  take(): number {
    if (this.count === 0) throw new Error('SlotPool: no free slot (planner bug)');
    return this.free[--this.count];
  }
  release(slot: number): void {
    this.free[this.count++] = slot;
  }
}
