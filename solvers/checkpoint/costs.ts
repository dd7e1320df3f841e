import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch } from './actions.ts';
import { InternalError } from '../../src/error.ts';
import type { PlanObserver } from './replay.ts';
import type { Stages } from './stages.ts';

// The costs of a plan, as an observer of the one replay (replay.ts). The same observer counts for
// the simulator (counts only), the ledger (sizes predicted from liveness, no numerics) and the
// executor (sizes of the states it actually holds), so the rules are written once and the tests
// compare what was predicted with what was held. Memory is counted in two units, values and
// bytes, each fed its own sizes: the replay's handler writes them into the batch's `values` and
// `bytes` columns (a unit of its own would be one more column and one more set of registers).
//
// Speed: replaying a long chain passes ~4 actions per step through every observer, and what an
// observer costs per action is mostly its `switch` on the action kind, which the branch predictor
// often misses. So the counts and both units are one loop — one switch per action, no call, the
// running totals in locals — measured at half the time of a loop per unit.

/**
 * The sizes of a plan's working memory that the replay's handler does not write into each batch
 * (it writes the state each advance reaches and the values of the stage each reverse step holds),
 * in values and in bytes: predicted from liveness by the ledger, read off what it holds by the
 * executor.
 */
export interface Sizes {
  /** The size of x₀, the state before the first action. */
  readonly initial: number;
  readonly initialBytes: number;
  /** The most an advance holds at once: its working frame. */
  readonly working: number;
  readonly workingBytes: number;
}

/** Float64 scalars: a value is 8 bytes (block variables will have sizes of their own). */
export const BYTES_PER_VALUE = 8;

/** Sizes of scalar values: x₀ of `initial` values, a frame of `working`. */
export function scalarSizes(initial: number, working: number): Sizes {
  return { initial, initialBytes: BYTES_PER_VALUE * initial, working, workingBytes: BYTES_PER_VALUE * working };
}

/** The memory a plan held, in values and in bytes. */
export interface Held {
  /** The most held in snapshots at once. */
  readonly peakSnapshotValues: number;
  /** The most held at once: snapshots + working values. */
  readonly peakValues: number;
  /** The same in bytes. */
  readonly peakBytes: number;
}

/**
 * The costs of a plan in one pass. Counts of the actions: advances and evaluations in the units of
 * `stages` (constraints, or steps for unit stages), snapshots written and restored, the most
 * snapshots held at once. And, given sizes, what is held at each instant and its peak, in values
 * and in bytes: the snapshots in slots plus the working values — the current state; while a stage
 * is reversed, its state and its values; while an advance runs, the whole working frame (an advance
 * evaluates as many whole stages as fit in it, so it never holds more, and it is charged that). A
 * snapshot is charged the size of the state it copies.
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
  private occupied = 0;
  // Each unit (values v, bytes b): held in snapshots, the current state, the peaks; the size of
  // what each slot holds; an advance's frame.
  private vHeld = 0;
  private vCurrent = 0;
  private vPeak = 0;
  private vPeakSnapshots = 0;
  private bHeld = 0;
  private bCurrent = 0;
  private bPeak = 0;
  private bPeakSnapshots = 0;
  private readonly vSlot: Float64Array;
  private readonly bSlot: Float64Array;
  private readonly vWorking: number;
  private readonly bWorking: number;

  /** Counts over `stages`; memory too when `sizes` are given (null: the simulator's counts only). */
  constructor(
    private readonly stages: Stages,
    private readonly sizes: Sizes | null,
    slots: number,
  ) {
    this.vSlot = new Float64Array(slots);
    this.bSlot = new Float64Array(slots);
    this.vCurrent = this.vPeak = sizes?.initial ?? 0;
    this.bCurrent = this.bPeak = sizes?.initialBytes ?? 0;
    this.vWorking = sizes?.working ?? 0;
    this.bWorking = sizes?.workingBytes ?? 0;
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, values, bytes, length } = batch;
    const { stages, vSlot, bSlot, vWorking, bWorking } = this;
    let { advances, writes, restores, occupied, peakSnapshots } = this;
    let { vHeld, vCurrent, vPeak, vPeakSnapshots, bHeld, bCurrent, bPeak, bPeakSnapshots } = this;
    let reversed = 0;
    for (let k = 0; k < length; k++) {
      const a = x[k];
      switch (kind[k]) {
        case ADVANCE:
          advances += stages.span(a, y[k]);
          if (vHeld + vWorking > vPeak) vPeak = vHeld + vWorking;
          if (bHeld + bWorking > bPeak) bPeak = bHeld + bWorking;
          vCurrent = values[k];
          bCurrent = bytes[k];
          break;
        case STORE:
          writes++;
          if (++occupied > peakSnapshots) peakSnapshots = occupied;
          vSlot[a] = vCurrent;
          vHeld += vCurrent;
          if (vHeld > vPeakSnapshots) vPeakSnapshots = vHeld;
          if (vHeld + vCurrent > vPeak) vPeak = vHeld + vCurrent;
          bSlot[a] = bCurrent;
          bHeld += bCurrent;
          if (bHeld > bPeakSnapshots) bPeakSnapshots = bHeld;
          if (bHeld + bCurrent > bPeak) bPeak = bHeld + bCurrent;
          break;
        case RESTORE:
          restores++;
          vCurrent = vSlot[a];
          if (vHeld + vCurrent > vPeak) vPeak = vHeld + vCurrent;
          bCurrent = bSlot[a];
          if (bHeld + bCurrent > bPeak) bPeak = bHeld + bCurrent;
          break;
        case FREE:
          occupied--;
          vHeld -= vSlot[a];
          bHeld -= bSlot[a];
          break;
        case REVERSE:
          // The stage's state and its values; the step consumes the state.
          reversed += stages.span(a, a + 1);
          if (vHeld + vCurrent + values[k] > vPeak) vPeak = vHeld + vCurrent + values[k];
          if (bHeld + bCurrent + bytes[k] > bPeak) bPeak = bHeld + bCurrent + bytes[k];
          vCurrent = 0;
          bCurrent = 0;
          break;
      }
    }
    this.evaluations += advances - this.advances + reversed;
    this.advances = advances;
    this.writes = writes;
    this.restores = restores;
    this.occupied = occupied;
    this.peakSnapshots = peakSnapshots;
    this.actions += length;
    this.vHeld = vHeld;
    this.vCurrent = vCurrent;
    this.vPeak = vPeak;
    this.vPeakSnapshots = vPeakSnapshots;
    this.bHeld = bHeld;
    this.bCurrent = bCurrent;
    this.bPeak = bPeak;
    this.bPeakSnapshots = bPeakSnapshots;
  }

  end(): void {}

  /** The memory held, for stats: only when the costs were given sizes. */
  memory(): Held {
    if (this.sizes === null) throw new InternalError('checkpoint costs', 'no memory is counted without sizes');
    return { peakSnapshotValues: this.vPeakSnapshots, peakValues: this.vPeak, peakBytes: this.bPeak };
  }
}
