import type { PlanObserver } from './replay.ts';
import type { Stages } from './stages.ts';

// The costs of a plan, as observers of the one replay (replay.ts). The same observers count for the
// simulator and the ledger (sizes predicted from liveness, no numerics) and for the executor (sizes
// of the states it actually holds), so the rules are written once and the tests compare what was
// predicted with what was held. A new cost is one more observer; memory in bytes is the Holding
// cost over sizes in bytes.

/**
 * Counts of the actions: advances and evaluations in the units of `stages` (constraints, or steps
 * for unit stages), snapshots written and restored, and the most snapshots held at once.
 */
export class Counts implements PlanObserver {
  /** Σ over advances of the constraints (steps) they evaluate. */
  advances = 0;
  /** Advances + every stage once more inside its reverse step. */
  evaluations = 0;
  /** Snapshots written: `store` actions. */
  writes = 0;
  restores = 0;
  peakSnapshots = 0;
  actions = 0;
  private occupied = 0;

  constructor(private readonly stages: Stages) {}

  advance(from: number, to: number): void {
    const n = this.stages.start(to) - this.stages.start(from);
    this.advances += n;
    this.evaluations += n;
    this.actions++;
  }

  store(): void {
    this.writes++;
    if (++this.occupied > this.peakSnapshots) this.peakSnapshots = this.occupied;
    this.actions++;
  }

  restore(): void {
    this.restores++;
    this.actions++;
  }

  free(): void {
    this.occupied--;
    this.actions++;
  }

  reverse(step: number): void {
    this.evaluations += this.stages.start(step + 1) - this.stages.start(step);
    this.actions++;
  }

  end(): void {}
}

/**
 * The sizes a plan's states and stages occupy, in one unit (values, bytes): predicted from liveness
 * by the ledger, read off the held states by the executor.
 */
export interface Sizes {
  /** The size of x_s, the state at the start of stage s, when a replay has just reached it. */
  state(s: number): number;
  /** The size of the values of stage s's own constraints, held while it is reversed. */
  stage(s: number): number;
  /** The most an advance holds at once: its working frame. */
  readonly working: number;
}

/** The same sizes in bytes, at `bytes` per value (8 for Float64 scalars). */
export function inBytes(sizes: Sizes, bytes = 8): Sizes {
  return { state: (s) => bytes * sizes.state(s), stage: (s) => bytes * sizes.stage(s), working: bytes * sizes.working };
}

/**
 * What is held at each instant, and its peak: the snapshots in slots plus the working values —
 * the current state; while a stage is reversed, its state and its values; while an advance runs,
 * the whole working frame (an advance evaluates as many whole stages as fit in it, so it never holds
 * more, and it is charged that). A snapshot is charged the size of the state it copies.
 */
export class Holding implements PlanObserver {
  /** The most held at once: snapshots + working. */
  peak = 0;
  /** The most held in snapshots at once. */
  peakSnapshots = 0;
  private held = 0;
  private current: number;
  private readonly slotSize: Float64Array;

  constructor(private readonly sizes: Sizes, slots: number) {
    this.slotSize = new Float64Array(slots);
    this.current = sizes.state(0);
    this.charge(this.current);
  }

  advance(_from: number, to: number): void {
    this.charge(this.sizes.working);
    this.current = this.sizes.state(to);
  }

  store(slot: number): void {
    const size = this.current;
    this.slotSize[slot] = size;
    this.held += size;
    if (this.held > this.peakSnapshots) this.peakSnapshots = this.held;
    this.charge(size);
  }

  restore(slot: number): void {
    this.current = this.slotSize[slot];
    this.charge(this.current);
  }

  free(slot: number): void {
    this.held -= this.slotSize[slot];
  }

  reverse(step: number): void {
    this.charge(this.current + this.sizes.stage(step));
    this.current = 0;
  }

  end(): void {}

  private charge(working: number): void {
    if (this.held + working > this.peak) this.peak = this.held + working;
  }
}
