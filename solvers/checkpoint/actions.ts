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
export interface Advance {
  readonly kind: 'advance';
  readonly from: number;
  readonly to: number;
}
/** Copy the current state x_step into an empty slot. */
export interface Store {
  readonly kind: 'store';
  readonly slot: number;
  readonly step: number;
}
/** Make the snapshot x_step held in `slot` the current state; the slot keeps its copy. */
export interface Restore {
  readonly kind: 'restore';
  readonly slot: number;
  readonly step: number;
}
/** Empty a slot. */
export interface Free {
  readonly kind: 'free';
  readonly slot: number;
}
/** Re-evaluate step `step` from the current state x_step keeping its values, then propagate multipliers back through it. */
export interface Reverse {
  readonly kind: 'reverse';
  readonly step: number;
}

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
    case 'advance':
      return `advance ${action.from} -> ${action.to}`;
    case 'store':
      return `store ${action.step} -> slot ${action.slot}`;
    case 'restore':
      return `restore slot ${action.slot} -> ${action.step}`;
    case 'free':
      return `free slot ${action.slot}`;
    case 'reverse':
      return `reverse ${action.step}`;
    default:
      return `unknown action ${JSON.stringify(action)}`;
  }
}

// Action kinds as small integers, for replays that move actions in batches of columns.
export const ADVANCE = 0;
export const STORE = 1;
export const RESTORE = 2;
export const FREE = 3;
export const REVERSE = 4;

/**
 * A run of consecutive actions of a plan as columns, refilled in place, so replaying the 10⁷
 * actions of a long chain allocates nothing and each observer loops over them on its own:
 * `kind[k]` and its arguments `x[k]`, `y[k]` — advance: from, to; store and restore: slot, step;
 * free: slot; reverse: step. The handler of a replay (the executor, or a prediction) writes into
 * `values[k]` and `bytes[k]` the size of the state each advance produced, for the costs to read.
 */
export class ActionBatch {
  readonly kind: Uint8Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  readonly values: Float64Array;
  readonly bytes: Float64Array;
  /** Actions in the batch. */
  length = 0;
  /** The index in the plan of the batch's first action. */
  first = 0;

  constructor(readonly capacity = 1024) {
    this.kind = new Uint8Array(capacity);
    this.x = new Int32Array(capacity);
    this.y = new Int32Array(capacity);
    this.values = new Float64Array(capacity);
    this.bytes = new Float64Array(capacity);
  }

  /** The k-th action as a record (for printing and tests; replays read the columns). */
  action(k: number): Action {
    const x = this.x[k];
    const y = this.y[k];
    switch (this.kind[k]) {
      case ADVANCE:
        return advance(x, y);
      case STORE:
        return store(x, y);
      case RESTORE:
        return restore(x, y);
      case FREE:
        return free(x);
      default:
        return reverse(x);
    }
  }
}

/** Where a plan's actions come from: each `fill` writes the next ones into a batch (none at the end). */
export interface ActionSource {
  /** Refills `batch` with up to batch.capacity next actions; returns how many (0 when the plan is over). */
  fill(batch: ActionBatch): number;
}

/**
 * A plan for reversing a chain of `steps` steps within `slots` snapshot slots. Each source (and each
 * iteration) generates the actions afresh: plans stream, a long chain's plan is never a stored list.
 */
export interface Plan extends Iterable<Action> {
  readonly strategy: string;
  /** l, the number of steps of the chain. */
  readonly steps: number;
  /** The slot limit: the plan only uses slots 0 … slots−1. */
  readonly slots: number;
  source(): ActionSource;
}

/** A plan whose actions come from a source factory. */
export function sourcePlan(strategy: string, steps: number, slots: number, source: () => ActionSource): Plan {
  return {
    strategy,
    steps,
    slots,
    source,
    *[Symbol.iterator]() {
      const from = source();
      const batch = new ActionBatch(64);
      while (from.fill(batch) > 0) for (let k = 0; k < batch.length; k++) yield batch.action(k);
    },
  };
}

/** Wrap a generator function (or any source of action records) as a re-iterable plan. */
export function makePlan(strategy: string, steps: number, slots: number, actions: () => Iterator<Action>): Plan {
  return sourcePlan(strategy, steps, slots, () => new RecordSource(actions()));
}

/** The same plan under another strategy name (sqrt and budget run the plans of other strategies). */
export function renamed(plan: Plan, strategy: string): Plan {
  return sourcePlan(strategy, plan.steps, plan.slots, () => plan.source());
}

/** A plan that breaks an invariant: names the action's index and the invariant, on one line. */
export class PlanError extends Error {
  constructor(
    readonly index: number,
    readonly action: Action | undefined,
    what: string,
  ) {
    super(action === undefined ? `plan end: ${what}` : `action ${index} (${formatAction(action)}): ${what}`);
    this.name = 'PlanError';
  }
}

const KINDS: Readonly<Record<string, number>> = {
  advance: ADVANCE,
  store: STORE,
  restore: RESTORE,
  free: FREE,
  reverse: REVERSE,
};

/** Action records read into batches. */
class RecordSource implements ActionSource {
  private index = 0;
  constructor(private readonly actions: Iterator<Action>) {}

  fill(batch: ActionBatch): number {
    let n = 0;
    batch.first = this.index;
    while (n < batch.capacity) {
      const r = this.actions.next();
      if (r.done) break;
      const a = r.value as { kind?: unknown; from?: number; to?: number; slot?: number; step?: number };
      const kind = typeof a.kind === 'string' && Object.hasOwn(KINDS, a.kind) ? KINDS[a.kind] : -1;
      if (kind < 0) throw new PlanError(this.index, r.value, `unknown action kind ${JSON.stringify(a.kind)}`);
      batch.kind[n] = kind;
      batch.x[n] = this.integer(r.value, kind === ADVANCE ? 'from' : kind === REVERSE ? 'step' : 'slot');
      batch.y[n] =
        kind === ADVANCE
          ? this.integer(r.value, 'to')
          : kind === FREE || kind === REVERSE
            ? 0
            : this.integer(r.value, 'step');
      n++;
      this.index++;
    }
    return (batch.length = n);
  }

  /** A field of a record as a 32-bit integer, or a PlanError naming it. */
  private integer(action: Action, field: string): number {
    const x = (action as unknown as Record<string, unknown>)[field];
    if (typeof x !== 'number' || (x | 0) !== x)
      throw new PlanError(this.index, action, `${field} ${String(x)} is not a 32-bit integer`);
    return x;
  }
}

/** Throws unless l is a chain length: an integer ≥ 0. */
export function checkSteps(where: string, l: number): void {
  if (!Number.isSafeInteger(l) || l < 0)
    throw new RangeError(`${where}: the number of steps must be an integer ≥ 0, got ${l}`);
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
