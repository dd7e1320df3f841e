import { InternalError } from '../../src/error.ts';
import { Frame } from '../../src/program/frame.ts';
import type { Program } from '../../src/program/program.ts';
import { SparseState } from '../../src/program/sparseState.ts';
import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch } from './actions.ts';
import { BYTES_PER_VALUE } from './costs.ts';
import { Executor, type ExecuteOptions } from './executor.ts';
import { chunkEnd, stageShape, type Stages } from './stages.ts';

// The executor for any stages of any acyclic program. A state is the live set L(b) at a stage start
// (liveness.ts) with its values. The current state sits in the state slots of one Frame (a window
// of the program: the state, then the constraints of a sweep, renumbered so the kernels run
// unchanged on it); a snapshot is a copy of it, a SparseState. An advance moves the frame on over
// as many whole stages at a time as fit, so it never holds more than `working` = max over stages of
// state + stage, and is charged that.
//
// Multipliers. Reversing stage s leaves λ final for its constraints and partial sums for its state
// L(start(s)), which are carried into the reverse of stage s − 1: the carry is again a state-shaped
// list, so in gradient mode λ is held for one frame and one state only. Contributions reach each
// λ_j in the order plain back-substitution adds them (decreasing constraint index, the seed w_j
// first), so λ agrees with `reverse` to the last bit.

export class WindowExecutor extends Executor {
  readonly working: number;
  private readonly frame: Frame;
  /** Snapshot slots, allocated at their first store. (The current state x_s is in the frame's state slots.) */
  private readonly snapshots: (SparseState | null)[];
  /** λ partial sums of the state of the stage reversed last, L(start(s)). */
  private readonly carry: SparseState;
  /** The most values a state holds: a snapshot's capacity. */
  private readonly stateCapacity: number;

  constructor(
    program: Program,
    private readonly stages: Stages,
    slots: number,
    inputs: Float64Array,
    weights: Float64Array,
    options: ExecuteOptions,
  ) {
    super(program, inputs, weights, options);
    const shape = stageShape(program, stages, false);
    this.working = shape.working;
    this.frame = new Frame(program, this.working);
    const state = (this.stateCapacity = Math.max(shape.maxLive, 1));
    this.carry = new SparseState(state);
    this.snapshots = new Array<SparseState | null>(slots).fill(null);
    // x_0: the inputs some constraint reads.
    const x0 = new SparseState(state);
    for (let j = 0; j < program.inputCount; j++) if (this.last[j] >= 0) x0.push(j, inputs[j]);
    this.frame.load(x0, stages.start(0));
  }

  get stateSize(): number {
    return this.frame.stateSize;
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, values, bytes, length } = batch;
    for (let k = 0; k < length; k++) {
      switch (kind[k]) {
        case ADVANCE: {
          this.advance(x[k], y[k]);
          const size = this.frame.stateSize;
          values[k] = size;
          bytes[k] = BYTES_PER_VALUE * size;
          break;
        }
        case STORE:
          this.frame.saveState((this.snapshots[x[k]] ??= new SparseState(this.stateCapacity)));
          break;
        case RESTORE:
          this.frame.load(this.snapshots[x[k]]!, this.stages.start(y[k]));
          break;
        case FREE:
          break;
        case REVERSE: {
          const size = this.reverse(x[k]);
          values[k] = size;
          bytes[k] = BYTES_PER_VALUE * size;
          break;
        }
      }
    }
    this.report();
  }

  /** Evaluates stages from … to−1 in one frame, as many whole stages at a time as fit in it. */
  private advance(from: number, to: number): void {
    const { stages, frame, working, last } = this;
    if (stages.unit) {
      // Stages of one constraint: the frame steps through them, as many per window as fit.
      if (!frame.steps(stages.start(to), last)) this.failValues();
    } else {
      for (let s = from; s < to;) {
        const t = chunkEnd(stages, frame.stateSize, s, to, working);
        frame.open(stages.start(t));
        if (!frame.forward()) this.failValues();
        frame.retain(last);
        s = t;
      }
    }
    this.evaluations += stages.span(from, to);
    this.sweeps++;
  }

  /** Re-evaluates stage `step` keeping its values, then propagates the multipliers back through it; returns the stage's values. */
  private reverse(step: number): number {
    const a = this.stages.start(step);
    const b = this.stages.start(step + 1);
    const { frame, seed, carry } = this;
    frame.open(b);
    if (!frame.forward()) this.failValues();
    this.evaluations += b - a;
    const S = frame.stateSize;
    const end = S + b - a;
    const { values: v, lambda: mu, variable: index } = frame;
    this.reached(a, b, v, S);

    // λ on the frame: the seed w where nothing has reached it yet, the carried partial sums elsewhere.
    for (let k = 0; k < end; k++) mu[k] = 0;
    if (seed.length === 1) {
      // One output (the usual objective): its weight, where it stands in this frame.
      const j = seed.index[0];
      if (j >= a && j < b) mu[S + j - a] = seed.value[0];
      else if (j < a) for (let k = 0; k < S; k++) if (index[k] === j) mu[k] = seed.value[0];
    } else {
      for (let k = 0; k < S; k++) mu[k] = seed.get(index[k]);
      for (let q = seed.lowerBound(a); q < seed.length && seed.index[q] < b; q++)
        mu[S + seed.index[q] - a] = seed.value[q];
    }
    let k = 0;
    for (let c = 0; c < carry.length; c++) {
      const j = carry.index[c];
      if (j >= a) {
        mu[S + j - a] = carry.value[c];
        continue;
      }
      while (k < S && index[k] !== j) k++;
      if (k >= S)
        throw new InternalError('checkpoint', `the multiplier of #${j} has no place in the state of stage ${step}`);
      mu[k] = carry.value[c];
    }

    this.partials += frame.reverse();
    this.sweeps += 2;
    for (let q = 0; q < end; q++) if (mu[q] - mu[q] !== 0) this.failMultipliers();

    const lambda = this.lambda;
    if (lambda) for (let i = a; i < b; i++) lambda[i] = mu[S + i - a];
    for (let q = 0; q < S; q++) {
      carry.index[q] = index[q];
      carry.value[q] = mu[q];
    }
    carry.length = S;
    frame.clear();
    return b - a;
  }

  protected inputMultiplier(j: number): number {
    return this.carry.get(j);
  }
}
