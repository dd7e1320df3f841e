import { formatAction, type Action, type Plan } from './actions.ts';

/** What replaying a plan costs, counted action by action (see the counting convention in actions.ts). */
export interface PlanCounts {
  /** l, the steps of the chain. */
  steps: number;
  /** Σ (to − from) over advances: steps run forward without keeping their values. */
  advances: number;
  /** advances + l: every primitive step evaluation, the re-evaluation inside each reverse step included. */
  evaluations: number;
  stores: number;
  restores: number;
  /** The most slots holding a snapshot at once (the working state not counted). */
  peakSnapshots: number;
  /** The number of actions in the plan. */
  actions: number;
}

/** A plan that breaks an invariant: names the action's index and the invariant, on one line. */
export class PlanError extends Error {
  constructor(readonly index: number, readonly action: Action | undefined, what: string) {
    super(action === undefined ? `plan end: ${what}` : `action ${index} (${formatAction(action)}): ${what}`);
    this.name = 'PlanError';
  }
}

const NONE = -1;

/**
 * Replay a plan without numerics, asserting after each action the state model of actions.ts:
 * a reverse step has its input state current and comes in order l−1, l−2, …, 0, each step once; an
 * advance starts at the current state and stops at or before the next step to reverse; a restore
 * reads a slot holding that very state; a store writes the current state to an empty slot; slots stay
 * within 0 … plan.slots − 1. At the end every step is reversed and every slot freed.
 * Streams the plan in O(plan.slots) memory; throws {@link PlanError}.
 */
export function simulate(plan: Plan): PlanCounts {
  const replay = new Replay(plan.steps, plan.slots);
  for (const action of plan) replay.apply(action);
  return replay.finish();
}

/** The executor's bookkeeping with no values: which state is current, what each slot holds. */
class Replay {
  private readonly held: Float64Array; // held[slot] = the step whose input state the slot holds, or NONE
  private current = 0; // x₀, the point, is current before the first action
  private next: number; // the step still to be reversed
  private occupied = 0;
  private index = 0;
  private action: Action | undefined;
  readonly counts: PlanCounts;

  constructor(private readonly l: number, private readonly slots: number) {
    this.held = new Float64Array(slots).fill(NONE);
    this.next = l - 1;
    this.counts = { steps: l, advances: 0, evaluations: 0, stores: 0, restores: 0, peakSnapshots: 0, actions: 0 };
  }

  apply(action: Action): void {
    this.action = action;
    const { held, counts } = this;
    switch (action.kind) {
      case 'advance': {
        this.stepInRange(action.from, this.l);
        this.stepInRange(action.to, this.l);
        if (this.current === NONE) this.fail('no state is current (the last reverse consumed it)');
        if (action.from !== this.current) this.fail(`advance from ${action.from} but the current state is ${this.current}`);
        if (action.to <= action.from) this.fail('advance must move forward');
        if (action.to > this.next) this.fail(`advance past step ${this.next}, the next to reverse`);
        counts.advances += action.to - action.from;
        this.current = action.to;
        break;
      }
      case 'store': {
        this.slotInRange(action.slot);
        this.stepInRange(action.step, this.l);
        if (held[action.slot] !== NONE) this.fail(`slot ${action.slot} already holds state ${held[action.slot]}`);
        if (this.current === NONE) this.fail('no state is current to store');
        if (action.step !== this.current) this.fail(`store ${action.step} but the current state is ${this.current}`);
        held[action.slot] = action.step;
        counts.stores++;
        this.occupied++;
        if (this.occupied > counts.peakSnapshots) counts.peakSnapshots = this.occupied;
        break;
      }
      case 'restore': {
        this.slotInRange(action.slot);
        if (held[action.slot] === NONE) this.fail(`slot ${action.slot} is empty`);
        if (held[action.slot] !== action.step) this.fail(`slot ${action.slot} holds state ${held[action.slot]}, not ${action.step}`);
        this.current = action.step;
        counts.restores++;
        break;
      }
      case 'free': {
        this.slotInRange(action.slot);
        if (held[action.slot] === NONE) this.fail(`slot ${action.slot} is already empty`);
        held[action.slot] = NONE;
        this.occupied--;
        break;
      }
      case 'reverse': {
        this.stepInRange(action.step, this.l - 1);
        if (this.next < 0) this.fail('every step is already reversed');
        if (action.step !== this.next) this.fail(`out of order: the next step to reverse is ${this.next}`);
        if (action.step !== this.current) {
          const at = this.current === NONE ? 'no state is current' : `the current state is ${this.current}`;
          this.fail(`its input state ${action.step} is not at hand (${at})`);
        }
        this.next--;
        this.current = NONE;
        break;
      }
      default:
        this.fail(`unknown action kind ${JSON.stringify((action as { kind?: unknown }).kind)}`);
    }
    this.index++;
  }

  finish(): PlanCounts {
    this.action = undefined;
    this.counts.actions = this.index;
    if (this.next >= 0) this.fail(`steps ${this.next}..0 were never reversed`);
    if (this.occupied > 0) {
      const left: number[] = [];
      this.held.forEach((step, slot) => { if (step !== NONE) left.push(slot); });
      this.fail(`slots ${left.join(', ')} still hold snapshots`);
    }
    this.counts.evaluations = this.counts.advances + this.l;
    return this.counts;
  }

  private fail(what: string): never {
    throw new PlanError(this.index, this.action, what);
  }

  private slotInRange(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.slots) this.fail(`slot ${slot} is beyond the slot limit (slots 0..${this.slots - 1})`);
  }

  private stepInRange(step: number, last: number): void {
    if (!Number.isInteger(step) || step < 0 || step > last) this.fail(`step ${step} is not in 0..${last}`);
  }
}

/** The counts of {@link simulate} without its checks: streams the plan in O(1) memory. */
export function countPlan(plan: Plan): PlanCounts {
  const counts: PlanCounts = { steps: plan.steps, advances: 0, evaluations: 0, stores: 0, restores: 0, peakSnapshots: 0, actions: 0 };
  let occupied = 0;
  for (const action of plan) {
    counts.actions++;
    switch (action.kind) {
      case 'advance': counts.advances += action.to - action.from; break;
      case 'store':
        counts.stores++;
        occupied++;
        if (occupied > counts.peakSnapshots) counts.peakSnapshots = occupied;
        break;
      case 'restore': counts.restores++; break;
      case 'free': occupied--; break;
      case 'reverse': break;
    }
  }
  counts.evaluations = counts.advances + plan.steps;
  return counts;
}
