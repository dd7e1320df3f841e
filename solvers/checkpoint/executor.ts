import type { Program } from '../../src/program/program.ts';
import { SparseState } from '../../src/program/sparseState.ts';
import { type Stats, emptyStats } from '../../src/lagrangian/stats.ts';
import type { ActionBatch } from './actions.ts';
import { scalarSizes, type Sizes } from './costs.ts';
import { failMultipliers, failValues } from './diagnose.ts';
import { lastEdges } from './liveness.ts';
import type { PlanObserver } from './replay.ts';

// What the two executors (windowExecutor.ts, ringExecutor.ts; execute.ts picks one) share: the
// objective's seed and outputs, the multipliers kept, the counts, progress and the diagnosis of a
// value or multiplier that is not finite.

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
  /** False: never the ring executor (for tests, which compare the two). */
  readonly ring?: boolean;
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
 * An executor: one observer of the replay that does a plan's numerics. It writes into each batch
 * the sizes the costs read (the state each advance reaches, the values each reverse step holds).
 */
export abstract class Executor implements PlanObserver {
  readonly stats: Stats = emptyStats();
  /** The most values an advance holds: what the costs charge it. */
  abstract readonly working: number;
  /** lastEdge of liveness.ts: which values a cut keeps. */
  protected readonly last: Int32Array;
  /** The seed w by variable (summed over repeated outputs, as `seed` does). */
  protected readonly seed: SparseState;
  /** λ of every variable, when asked for. */
  protected readonly lambda: Float64Array | null;
  // Counted as the work is done, into stats at the end (the costs count the rest).
  protected evaluations = 0;
  protected partials = 0;
  protected sweeps = 0;
  private readonly outputValues: Float64Array;
  /** The outputs' positions sorted by variable, and their least and greatest variable. */
  private readonly outputOrder: Int32Array;
  private readonly outputFirst: number;
  private readonly outputLast: number;
  private nextReport = PROGRESS_EVERY;
  private readonly keepValues: boolean;

  constructor(
    protected readonly program: Program,
    protected readonly inputs: Float64Array,
    private readonly weights: Float64Array,
    protected readonly options: ExecuteOptions,
  ) {
    this.last = lastEdges(program);
    const { outputs, size } = program;
    const seeds = new Map<number, number>();
    for (let k = 0; k < outputs.length; k++) seeds.set(outputs[k], (seeds.get(outputs[k]) ?? 0) + weights[k]);
    this.seed = SparseState.from(seeds);
    this.outputValues = new Float64Array(outputs.length);
    for (let k = 0; k < outputs.length; k++)
      if (outputs[k] < program.inputCount) this.outputValues[k] = inputs[outputs[k]];
    this.outputOrder = Int32Array.from(outputs.keys()).sort((p, q) => outputs[p] - outputs[q]);
    this.outputFirst = outputs.length > 0 ? outputs[this.outputOrder[0]] : Infinity;
    this.outputLast = outputs.length > 0 ? outputs[this.outputOrder[outputs.length - 1]] : -Infinity;
    this.keepValues = options.values !== undefined;
    if (options.values) options.values.set(inputs.subarray(0, program.inputCount));
    this.lambda = options.multipliers
      ? options.lambda && options.lambda.length >= size
        ? options.lambda.subarray(0, size)
        : new Float64Array(size)
      : null;
  }

  /** The values of the state held now (x₀ before the first action). */
  abstract get stateSize(): number;

  /** What the costs charge before the first action: x₀ and the working frame, 8 bytes a value. */
  get sizes(): Sizes {
    return scalarSizes(this.stateSize, this.working);
  }

  abstract observe(batch: ActionBatch): void;

  end(): void {}

  /** λ of input j once every step is reversed (the gradient's entry j). */
  protected abstract inputMultiplier(j: number): number;

  /** The seed's weight of variable j (0 for most). */
  protected seedOf(j: number): number {
    const seed = this.seed;
    return seed.length === 0 || j < seed.index[0] || j > seed.index[seed.length - 1] ? 0 : seed.get(j);
  }

  /** True when `reached` has something to note of constraints a … b−1: every value, or an output's. */
  protected noting(a: number, b: number): boolean {
    return this.keepValues || (b > this.outputFirst && a <= this.outputLast);
  }

  /** Notes the values of constraints a … b−1, v_i = v[offset + i − a]: the outputs' and, when asked, every one. */
  protected reached(a: number, b: number, v: Float64Array, offset: number): void {
    const values = this.options.values;
    if (values) for (let i = a; i < b; i++) values[i] = v[offset + i - a];
    if (b <= this.outputFirst || a > this.outputLast) return;
    const { outputs } = this.program;
    const order = this.outputOrder;
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (outputs[order[mid]] < a) lo = mid + 1;
      else hi = mid;
    }
    for (let q = lo; q < order.length && outputs[order[q]] < b; q++)
      this.outputValues[order[q]] = v[offset + outputs[order[q]] - a];
  }

  result(): Execution {
    const { inputCount } = this.program;
    const gradient = new Float64Array(inputCount);
    for (let j = 0; j < inputCount; j++) gradient[j] = this.last[j] >= 0 ? this.inputMultiplier(j) : this.seedOf(j);
    if (this.lambda) this.lambda.set(gradient, 0);
    Object.assign(this.stats, {
      primitiveEvaluations: this.evaluations,
      partialEvaluations: this.partials,
      sweeps: this.sweeps,
    });
    this.options.progress?.(this.evaluations);
    let value = -0; // as `objective` adds it: the sign of a zero kept
    for (let k = 0; k < this.outputValues.length; k++) value += this.weights[k] * this.outputValues[k];
    return { value, gradient, lambda: this.lambda, stats: this.stats };
  }

  /** Tells progress now and then (after each batch). */
  protected report(): void {
    if (this.evaluations < this.nextReport) return;
    this.nextReport = this.evaluations + PROGRESS_EVERY;
    this.options.progress?.(this.evaluations);
  }

  /** Names the first value that is not finite, as reverse would. */
  protected failValues(): never {
    failValues(this.program, this.inputs);
  }

  /** Names the first multiplier that is not finite, as reverse would. */
  protected failMultipliers(): never {
    failMultipliers(this.program, this.inputs, this.weights);
  }
}
