import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch } from './actions.ts';
import type { PlanObserver } from './replay.ts';
import type { Stages } from './stages.ts';

// The costs of a plan, as an observer of the one replay (replay.ts). The same observer counts for
// the simulator and the ledger (sizes predicted from liveness, no numerics) and for the executor
// (sizes of the states it actually holds), so the rules are written once and the tests compare what
// was predicted with what was held. Memory is one Account per unit — values, bytes — fed the sizes
// of its unit: a new unit is one more account.

/**
 * The sizes a plan's working memory occupies besides the states (whose sizes the replay's handler
 * writes into each batch), in values and in bytes: predicted from liveness by the ledger, read off
 * what it holds by the executor.
 */
export interface Sizes {
  /** The size of x₀, the state before the first action. */
  readonly initial: number;
  readonly initialBytes: number;
  /** The most an advance holds at once: its working frame. */
  readonly working: number;
  readonly workingBytes: number;
  /** The values of stage s's own constraints, held while it is reversed. */
  stage(s: number): number;
  stageBytes(s: number): number;
}

/** Float64 scalars: a value is 8 bytes (block variables will have sizes of their own). */
export const BYTES_PER_VALUE = 8;

/** Sizes of scalar values over stages: x₀ of `initial` values, a frame of `working`, stage s of its constraints. */
export function scalarSizes(stages: Stages, initial: number, working: number): Sizes {
  const stage = (s: number) => stages.start(s + 1) - stages.start(s);
  return { initial, initialBytes: BYTES_PER_VALUE * initial, working, workingBytes: BYTES_PER_VALUE * working, stage, stageBytes: (s) => BYTES_PER_VALUE * stage(s) };
}

/**
 * What is held at each instant in one unit, and its peak: the snapshots in slots plus the working
 * values — the current state; while a stage is reversed, its state and its values; while an advance
 * runs, the whole working frame (an advance evaluates as many whole stages as fit in it, so it never
 * holds more, and it is charged that). A snapshot is charged the size of the state it copies.
 */
export class Account {
  /** The most held at once: snapshots + working. */
  peak = 0;
  /** The most held in snapshots at once. */
  peakSnapshots = 0;
  private held = 0;
  private current: number;
  private readonly slotSize: Float64Array;

  constructor(initial: number, slots: number) {
    this.slotSize = new Float64Array(slots);
    this.current = initial;
    this.charge(initial);
  }

  /** An advance in a frame of `working`, reaching a state of `state`. */
  advance(working: number, state: number): void {
    this.charge(working);
    this.current = state;
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

  /** The reverse of a stage of `stage`: its state and its values, then nothing current. */
  reverse(stage: number): void {
    this.charge(this.current + stage);
    this.current = 0;
  }

  private charge(working: number): void {
    if (this.held + working > this.peak) this.peak = this.held + working;
  }
}

/**
 * The costs of a plan in one pass: counts of the actions — advances and evaluations in the units of
 * `stages` (constraints, or steps for unit stages), snapshots written and restored, the most
 * snapshots held at once — and what is held, as two accounts, in values and in bytes (the state an
 * advance reached is read from the batch).
 */
export class Costs implements PlanObserver {
  /** Σ over advances of the constraints (steps) they evaluate. */
  advances = 0;
  /** Advances + every stage once more inside its reverse step. */
  evaluations = 0;
  /** Snapshots written: `store` actions. */
  writes = 0;
  restores = 0;
  peakSnapshots = 0;
  actions = 0;
  readonly values: Account;
  readonly bytes: Account;
  private occupied = 0;

  constructor(private readonly stages: Stages, private readonly sizes: Sizes, slots: number) {
    this.values = new Account(sizes.initial, slots);
    this.bytes = new Account(sizes.initialBytes, slots);
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, length } = batch;
    const { stages, sizes, values, bytes } = this;
    for (let k = 0; k < length; k++) {
      const a = x[k];
      switch (kind[k]) {
        case ADVANCE: {
          const n = stages.span(a, y[k]);
          this.advances += n;
          this.evaluations += n;
          values.advance(sizes.working, batch.values[k]);
          bytes.advance(sizes.workingBytes, batch.bytes[k]);
          break;
        }
        case STORE:
          this.writes++;
          if (++this.occupied > this.peakSnapshots) this.peakSnapshots = this.occupied;
          values.store(a);
          bytes.store(a);
          break;
        case RESTORE:
          this.restores++;
          values.restore(a);
          bytes.restore(a);
          break;
        case FREE:
          this.occupied--;
          values.free(a);
          bytes.free(a);
          break;
        case REVERSE:
          this.evaluations += stages.span(a, a + 1);
          values.reverse(sizes.stage(a));
          bytes.reverse(sizes.stageBytes(a));
          break;
      }
    }
    this.actions += length;
  }

  end(): void {}
}
