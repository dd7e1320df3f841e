import { advance, free, restore, reverse, store, type Action, type Plan } from './actions.ts';
import { Counts } from './costs.ts';
import { unitStages } from './stages.ts';
import { PlanError, replay, type PlanObserver } from './replay.ts';

export { PlanError } from './replay.ts';

/** What replaying a plan costs, counted action by action (see the counting convention in actions.ts). */
export interface PlanCounts {
  /** l, the steps of the chain. */
  steps: number;
  /** Σ (to − from) over advances: steps run forward without keeping their values. */
  advances: number;
  /** advances + l: every primitive step evaluation, the re-evaluation inside each reverse step included. */
  evaluations: number;
  /** Snapshots written: the `store` actions. */
  writes: number;
  restores: number;
  /** The most slots holding a snapshot at once (the working state not counted). */
  peakSnapshots: number;
  /** The number of actions in the plan. */
  actions: number;
}

/**
 * Replay a plan without numerics, asserting after each action the state model of actions.ts:
 * a reverse step has its input state current and comes in order l−1, l−2, …, 0, each step once; an
 * advance starts at the current state and stops at or before the next step to reverse; a restore
 * reads a slot holding that very state; a store writes the current state to an empty slot; slots stay
 * within 0 … plan.slots − 1. At the end every step is reversed and every slot freed.
 * Streams the plan in O(plan.slots) memory; throws {@link PlanError}.
 */
export function simulate(plan: Plan): PlanCounts {
  const counts = new Counts(unitStages(plan.steps));
  replay(plan, [new Invariants(plan.steps, plan.slots), counts]);
  return planCounts(plan, counts);
}

/** The counts of {@link simulate} without its checks: streams the plan in O(1) memory. */
export function countPlan(plan: Plan): PlanCounts {
  const counts = new Counts(unitStages(plan.steps));
  replay(plan, [counts]);
  return planCounts(plan, counts);
}

function planCounts(plan: Plan, c: Counts): PlanCounts {
  return { steps: plan.steps, advances: c.advances, evaluations: c.evaluations, writes: c.writes, restores: c.restores, peakSnapshots: c.peakSnapshots, actions: c.actions };
}

const NONE = -1;

/**
 * The simulator's checks as an observer of the replay: the executor's bookkeeping with no values —
 * which state is current, what each slot holds, which step is reversed next — failing with a
 * {@link PlanError} on the first action that breaks the state model. Place it first among observers.
 */
export class Invariants implements PlanObserver {
  private readonly held: Float64Array; // held[slot] = the step whose input state the slot holds, or NONE
  private current = 0; // x₀, the point, is current before the first action
  private next: number; // the step still to be reversed
  private occupied = 0;
  private index = 0;
  private action: Action | undefined;

  constructor(private readonly l: number, private readonly slots: number) {
    this.held = new Float64Array(slots).fill(NONE);
    this.next = l - 1;
  }

  advance(from: number, to: number): void {
    if (!(this.stepIn(from, this.l) && this.stepIn(to, this.l) && this.current !== NONE && from === this.current && to > from && to <= this.next)) this.badAdvance(from, to);
    this.current = to;
    this.index++;
  }

  store(slot: number, step: number): void {
    if (!(this.slotIn(slot) && this.stepIn(step, this.l) && this.held[slot] === NONE && this.current !== NONE && step === this.current)) this.badStore(slot, step);
    this.held[slot] = step;
    this.occupied++;
    this.index++;
  }

  restore(slot: number, step: number): void {
    if (!(this.slotIn(slot) && this.held[slot] !== NONE && this.held[slot] === step)) this.badRestore(slot, step);
    this.current = step;
    this.index++;
  }

  free(slot: number): void {
    if (!(this.slotIn(slot) && this.held[slot] !== NONE)) this.badFree(slot);
    this.held[slot] = NONE;
    this.occupied--;
    this.index++;
  }

  reverse(step: number): void {
    if (!(this.stepIn(step, this.l - 1) && this.next >= 0 && step === this.next && step === this.current)) this.badReverse(step);
    this.next--;
    this.current = NONE;
    this.index++;
  }

  end(): void {
    this.action = undefined;
    if (this.next >= 0) this.fail(`steps ${this.next}..0 were never reversed`);
    if (this.occupied > 0) {
      const left: number[] = [];
      this.held.forEach((step, slot) => { if (step !== NONE) left.push(slot); });
      this.fail(`slots ${left.join(', ')} still hold snapshots`);
    }
  }

  // Each action tests all its invariants in one condition; only a failure re-tests them one by one,
  // here, to name the one broken.

  private badAdvance(from: number, to: number): never {
    this.action = advance(from, to);
    this.stepInRange(from, this.l);
    this.stepInRange(to, this.l);
    if (this.current === NONE) this.fail('no state is current (the last reverse consumed it)');
    if (from !== this.current) this.fail(`advance from ${from} but the current state is ${this.current}`);
    if (to <= from) this.fail('advance must move forward');
    this.fail(`advance past step ${this.next}, the next to reverse`);
  }

  private badStore(slot: number, step: number): never {
    this.action = store(slot, step);
    this.slotInRange(slot);
    this.stepInRange(step, this.l);
    if (this.held[slot] !== NONE) this.fail(`slot ${slot} already holds state ${this.held[slot]}`);
    if (this.current === NONE) this.fail('no state is current to store');
    this.fail(`store ${step} but the current state is ${this.current}`);
  }

  private badRestore(slot: number, step: number): never {
    this.action = restore(slot, step);
    this.slotInRange(slot);
    if (this.held[slot] === NONE) this.fail(`slot ${slot} is empty`);
    this.fail(`slot ${slot} holds state ${this.held[slot]}, not ${step}`);
  }

  private badFree(slot: number): never {
    this.action = free(slot);
    this.slotInRange(slot);
    this.fail(`slot ${slot} is already empty`);
  }

  private badReverse(step: number): never {
    this.action = reverse(step);
    this.stepInRange(step, this.l - 1);
    if (this.next < 0) this.fail('every step is already reversed');
    if (step !== this.next) this.fail(`out of order: the next step to reverse is ${this.next}`);
    const at = this.current === NONE ? 'no state is current' : `the current state is ${this.current}`;
    this.fail(`its input state ${step} is not at hand (${at})`);
  }

  private fail(what: string): never {
    throw new PlanError(this.index, this.action, what);
  }

  private slotIn(slot: number): boolean {
    return Number.isInteger(slot) && slot >= 0 && slot < this.slots;
  }

  private stepIn(step: number, last: number): boolean {
    return Number.isInteger(step) && step >= 0 && step <= last;
  }

  private slotInRange(slot: number): void {
    if (!this.slotIn(slot)) this.fail(`slot ${slot} is beyond the slot limit (slots 0..${this.slots - 1})`);
  }

  private stepInRange(step: number, last: number): void {
    if (!this.stepIn(step, last)) this.fail(`step ${step} is not in 0..${last}`);
  }
}
