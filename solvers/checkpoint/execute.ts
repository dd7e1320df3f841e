import { Frame } from '../../src/program/frame.ts';
import type { Program } from '../../src/program/program.ts';
import { SparseState } from '../../src/program/sparseState.ts';
import { primitives } from '../../src/primitives/registry.ts';
import type { Kernels } from '../../src/primitives/kernels.ts';
import { type Stats, emptyStats } from '../../src/lagrangian/stats.ts';
import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch, type Plan } from './actions.ts';
import { BYTES_PER_VALUE, Costs, scalarSizes } from './costs.ts';
import { lastEdges } from './liveness.ts';
import { replay, type PlanObserver } from './replay.ts';
import { failMultipliers, failValues } from './diagnose.ts';
import { Invariants } from './simulate.ts';
import { chunkEnd, stageShape, type Stages } from './stages.ts';

// The executor: the numerics of a plan (actions.ts) over a program cut into stages (stages.ts),
// solving (I − J)ᵀλ = w with the generated kernels while holding only what the plan says to hold.
// It is one observer of the replay (replay.ts), after the simulator's checks (when asked for) and
// before the costs, which count what it holds (costs.ts): it writes the size of each state it
// reaches into the batch, and its frame and stages give the other sizes.
//
// Memory. No array of N values exists. A state is the live set L(b) at a stage start
// (liveness.ts) with its values. The current state sits in the state slots of one Frame (a window
// of the program: the state, then the constraints of a sweep, renumbered so the kernels run
// unchanged on it); a snapshot is a copy of it, a SparseState. An advance moves the frame on over as
// many whole stages at a time as fit, so it never holds more than `working` = max over stages of
// state + stage, and is charged that.
//
// Multipliers. Reversing stage s leaves λ final for its constraints and partial sums for its state
// L(start(s)), which are carried into the reverse of stage s − 1: the carry is again a state-shaped
// list, so in gradient mode λ is held for one frame and one state only. Contributions reach each
// λ_j in the order plain back-substitution adds them (decreasing constraint index, the seed w_j
// first), so λ agrees with `reverse` to the last bit.

export interface ExecuteOptions {
  /** Keep λ of every variable (an N-long array); else only the inputs' (the gradient), in bounded memory. */
  readonly multipliers?: boolean;
  /** If given (length ≥ N), every value is written here as its stage is reversed; the sweeps never read it. */
  readonly values?: Float64Array;
  /** A buffer (length ≥ N) to reuse for λ when `multipliers` is set. */
  readonly lambda?: Float64Array;
  /**
   * Check the plan against the state model as it runs (simulate.ts's Invariants, a PlanError naming
   * the action). The built-in planners' plans are checked by the simulator in the tests; a plan
   * from elsewhere should be run with this.
   */
  readonly check?: boolean;
  /** Told how many primitive evaluations are done, every PROGRESS_EVERY or so and once at the end. */
  readonly progress?: (evaluations: number) => void;
}

export interface Execution {
  /** The objective Σ_o w_o v_o. */
  readonly value: number;
  /** λ of the inputs: ∂objective/∂x. */
  readonly gradient: Float64Array;
  /** λ of every variable when asked for, else null. */
  readonly lambda: Float64Array | null;
  /**
   * Counted as the work is done: advances (constraints evaluated by advance actions),
   * primitiveEvaluations (advances + one per constraint in the reverse steps), partialEvaluations,
   * writes (snapshots stored), restores, peakSnapshots, peakSnapshotValues, peakValues (snapshots +
   * working values), peakBytes (the same in bytes), stages, slots, sweeps (one per advance action,
   * two per reverse step).
   */
  readonly stats: Stats;
}

/** How often, in primitive evaluations, the executor reports progress. */
export const PROGRESS_EVERY = 1 << 20;

/**
 * Runs `plan` over `stages` of an acyclic program at `inputs`, objective Σ_o w_o v_o: the values
 * and multipliers are those of plain reverse (same kernels, same order of additions), the memory
 * that of the plan. With `check`, a plan that breaks the state model of actions.ts is a PlanError
 * naming the action.
 */
export function execute(program: Program, stages: Stages, plan: Plan, inputs: Float64Array, weights: Float64Array, options: ExecuteOptions = {}): Execution {
  if (plan.steps !== stages.count) throw new Error(`checkpoint: a plan of ${plan.steps} steps cannot run over ${stages.count} stages`);
  const executor = new Executor(program, stages, plan.slots, inputs, weights, options);
  const costs = new Costs(stages, scalarSizes(stages, executor.stateSize, executor.working), plan.slots);
  replay(plan, options.check ? [new Invariants(plan.steps, plan.slots), executor, costs] : [executor, costs]);
  const stats = executor.stats;
  Object.assign(stats, {
    advances: costs.advances,
    writes: costs.writes,
    restores: costs.restores,
    peakSnapshots: costs.peakSnapshots,
    peakSnapshotValues: costs.values.peakSnapshots,
    peakValues: costs.values.peak,
    peakBytes: costs.bytes.peak,
    stages: stages.count,
    slots: plan.slots,
  });
  return executor.result();
}

class Executor implements PlanObserver {
  readonly stats: Stats = emptyStats();
  /** The frame's capacity: the most values an advance holds. */
  readonly working: number;
  private readonly kernels: Kernels;
  private readonly last: Int32Array;
  private readonly frame: Frame;
  /** Snapshot slots, allocated at their first store. (The current state x_s is in the frame's state slots.) */
  private readonly snapshots: (SparseState | null)[];
  /** λ partial sums of the state of the stage reversed last, L(start(s)). */
  private readonly carry: SparseState;
  /** The seed w by variable (summed over repeated outputs, as `seed` does). */
  private readonly seed: SparseState;
  private readonly outputValues: Float64Array;
  private readonly lambda: Float64Array | null;
  /** The most values a state holds: a snapshot's capacity. */
  private readonly stateCapacity: number;
  private nextReport = PROGRESS_EVERY;
  // Counted as the work is done, into stats at the end (the costs count the rest).
  private evaluations = 0;
  private partials = 0;
  private sweeps = 0;

  constructor(
    private readonly program: Program,
    private readonly stages: Stages,
    slots: number,
    private readonly inputs: Float64Array,
    private readonly weights: Float64Array,
    private readonly options: ExecuteOptions,
  ) {
    this.kernels = primitives.kernels();
    this.last = lastEdges(program);
    const shape = stageShape(program, stages, false);
    this.working = shape.working;
    this.frame = new Frame(program, this.working);
    const state = (this.stateCapacity = Math.max(shape.maxLive, 1));
    this.carry = new SparseState(state);
    this.snapshots = new Array<SparseState | null>(slots).fill(null);

    const { outputs, size } = program;
    const seeds = new Map<number, number>();
    for (let k = 0; k < outputs.length; k++) seeds.set(outputs[k], (seeds.get(outputs[k]) ?? 0) + weights[k]);
    this.seed = SparseState.from(seeds);
    this.outputValues = new Float64Array(outputs.length);
    for (let k = 0; k < outputs.length; k++) if (outputs[k] < program.inputCount) this.outputValues[k] = inputs[outputs[k]];
    if (options.values) options.values.set(inputs.subarray(0, program.inputCount));
    this.lambda = options.multipliers ? (options.lambda && options.lambda.length >= size ? options.lambda.subarray(0, size) : new Float64Array(size)) : null;

    // x_0: the inputs some constraint reads.
    const x0 = new SparseState(state);
    for (let j = 0; j < program.inputCount; j++) if (this.last[j] >= 0) x0.push(j, inputs[j]);
    this.frame.load(x0, stages.start(0));
  }

  /** The values of the state held now. */
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
          this.store(x[k]);
          break;
        case RESTORE:
          this.frame.load(this.snapshots[x[k]]!, this.stages.start(y[k]));
          break;
        case FREE:
          break;
        case REVERSE:
          this.reverse(x[k]);
          break;
      }
    }
    this.report();
  }

  /** Evaluates stages from … to−1 in one frame, as many whole stages at a time as fit in it. */
  private advance(from: number, to: number): void {
    const { stages, frame, working, last, kernels } = this;
    if (stages.unit) {
      // Stages of one constraint: the frame steps through them, as many per window as fit.
      if (!frame.steps(stages.start(to), kernels, last)) this.failValues();
    } else {
      for (let s = from; s < to; ) {
        const t = chunkEnd(stages, frame.stateSize, s, to, working);
        frame.open(stages.start(t));
        if (!frame.forward(kernels)) this.failValues();
        frame.retain(last);
        s = t;
      }
    }
    this.evaluations += stages.span(from, to);
    this.sweeps++;
  }

  private store(slot: number): void {
    this.frame.saveState((this.snapshots[slot] ??= new SparseState(this.stateCapacity)));
  }

  /** Re-evaluates stage `step` keeping its values, then propagates the multipliers back through it. */
  private reverse(step: number): void {
    const a = this.stages.start(step);
    const b = this.stages.start(step + 1);
    const { frame, seed, carry } = this;
    frame.open(b);
    this.evaluate();
    const S = frame.stateSize;
    const { values: v, lambda: mu } = frame;

    const values = this.options.values;
    if (values) for (let i = a; i < b; i++) values[i] = v[S + i - a];
    const outputs = this.program.outputs;
    for (let k = 0; k < outputs.length; k++) if (outputs[k] >= a && outputs[k] < b) this.outputValues[k] = v[S + outputs[k] - a];

    // λ on the frame: the seed w where nothing has reached it yet, the carried partial sums elsewhere.
    const index = frame.variable;
    for (let k = 0; k < S + b - a; k++) mu[k] = 0;
    if (seed.length === 1) {
      // One output (the usual objective): its weight, where it stands in this frame.
      const j = seed.index[0];
      if (j >= a && j < b) mu[S + j - a] = seed.value[0];
      else if (j < a) for (let k = 0; k < S; k++) if (index[k] === j) mu[k] = seed.value[0];
    } else {
      for (let k = 0; k < S; k++) mu[k] = seed.get(index[k]);
      for (let q = seed.lowerBound(a); q < seed.length && seed.index[q] < b; q++) mu[S + seed.index[q] - a] = seed.value[q];
    }
    let k = 0;
    for (let c = 0; c < carry.length; c++) {
      const j = carry.index[c];
      if (j >= a) {
        mu[S + j - a] = carry.value[c];
        continue;
      }
      while (k < S && index[k] !== j) k++;
      if (k >= S) throw new Error(`checkpoint: the multiplier of #${j} has no place in the state of stage ${step}`);
      mu[k] = carry.value[c];
    }

    this.partials += frame.reverse(this.kernels);
    this.sweeps += 2;
    for (let q = 0; q < S + b - a; q++) if (mu[q] - mu[q] !== 0) this.failMultipliers();

    const lambda = this.lambda;
    if (lambda) for (let i = a; i < b; i++) lambda[i] = mu[S + i - a];
    for (let q = 0; q < S; q++) {
      carry.index[q] = index[q];
      carry.value[q] = mu[q];
    }
    carry.length = S;
    frame.clear();
  }

  end(): void {}

  result(): Execution {
    const { inputCount } = this.program;
    const gradient = new Float64Array(inputCount);
    for (let j = 0; j < inputCount; j++) gradient[j] = this.seed.get(j);
    const carry = this.carry;
    for (let c = 0; c < carry.length; c++) if (carry.index[c] < inputCount) gradient[carry.index[c]] = carry.value[c];
    if (this.lambda) this.lambda.set(gradient, 0);
    Object.assign(this.stats, { primitiveEvaluations: this.evaluations, partialEvaluations: this.partials, sweeps: this.sweeps });
    this.options.progress?.(this.evaluations);
    let value = 0;
    for (let k = 0; k < this.outputValues.length; k++) value += this.weights[k] * this.outputValues[k];
    return { value, gradient, lambda: this.lambda, stats: this.stats };
  }

  /** The forward kernel over the frame's constraints; never a silent NaN. */
  private evaluate(): void {
    const frame = this.frame;
    if (!frame.forward(this.kernels)) this.failValues();
    this.evaluations += frame.to - frame.from;
  }

  private report(): void {
    if (this.evaluations < this.nextReport) return;
    this.nextReport = this.evaluations + PROGRESS_EVERY;
    this.options.progress?.(this.evaluations);
  }

  private failValues(): never {
    failValues(this.program, this.inputs);
  }

  private failMultipliers(): never {
    failMultipliers(this.program, this.inputs, this.weights);
  }
}
