import {
  ADVANCE,
  advance,
  FREE,
  free,
  PlanError,
  RESTORE,
  restore,
  REVERSE,
  reverse,
  STORE,
  store,
  type Action,
  type ActionBatch,
  type Plan,
} from './actions.ts';
import { Costs } from './costs.ts';
import { unitStages } from './stages.ts';
import { replay, type PlanObserver } from './replay.ts';

export { PlanError } from './actions.ts';

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
  const costs = stepCosts(plan);
  replay(plan, [new Invariants(plan.steps, plan.slots), costs]);
  return planCounts(plan, costs);
}

/** The counts of {@link simulate} without its checks (for plans already checked): streams the plan in O(plan.slots) memory. */
export function countPlan(plan: Plan): PlanCounts {
  const costs = stepCosts(plan);
  replay(plan, [costs]);
  return planCounts(plan, costs);
}

/** The counts in steps, each step a stage of one unit (no memory is counted). */
function stepCosts(plan: Plan): Costs {
  return new Costs(unitStages(plan.steps), null, plan.slots);
}

function planCounts(plan: Plan, c: Costs): PlanCounts {
  return {
    steps: plan.steps,
    advances: c.advances,
    evaluations: c.evaluations,
    writes: c.writes,
    restores: c.restores,
    peakSnapshots: c.peakSnapshots,
    actions: c.actions,
  };
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

  constructor(
    private readonly l: number,
    private readonly slots: number,
  ) {
    this.held = new Float64Array(slots).fill(NONE);
    this.next = l - 1;
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, length } = batch;
    const { held, l, slots } = this;
    for (let k = 0; k < length; k++) {
      const a = x[k];
      const b = y[k];
      this.index = batch.first + k;
      // Each action tests all its invariants in one condition (a and b are 32-bit integers); only a
      // failure re-tests them one by one, to name the one broken.
      switch (kind[k]) {
        case ADVANCE:
          if (!(a === this.current && this.current >= 0 && b > a && b <= this.next)) this.badAdvance(a, b);
          this.current = b;
          break;
        case STORE:
          if (!(a >= 0 && a < slots && held[a] === NONE && b === this.current && b >= 0)) this.badStore(a, b);
          held[a] = b;
          this.occupied++;
          break;
        case RESTORE:
          if (!(a >= 0 && a < slots && held[a] === b && b >= 0)) this.badRestore(a, b);
          this.current = b;
          break;
        case FREE:
          if (!(a >= 0 && a < slots && held[a] !== NONE)) this.badFree(a);
          held[a] = NONE;
          this.occupied--;
          break;
        case REVERSE:
          if (!(a === this.next && a === this.current && a >= 0 && a < l)) this.badReverse(a);
          this.next--;
          this.current = NONE;
          break;
      }
    }
    this.index = batch.first + length;
  }

  end(): void {
    this.action = undefined;
    if (this.next >= 0) this.fail(`steps ${this.next}..0 were never reversed`);
    if (this.occupied > 0) {
      const left: number[] = [];
      this.held.forEach((step, slot) => {
        if (step !== NONE) left.push(slot);
      });
      this.fail(`slots ${left.join(', ')} still hold snapshots`);
    }
  }

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
