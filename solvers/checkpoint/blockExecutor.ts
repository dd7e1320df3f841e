// Why one file of 340+ lines: The plan executor on block programs: the replay's handlers over one slab.
import type { Program } from '../../src/program/program.ts';
import { emptyStats, type Stats } from '../../src/lagrangian/stats.ts';
import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch } from './actions.ts';
import { AimedSites } from './aimedSites.ts';
import type { Sizes } from './costs.ts';
import { failMultipliers, failValues } from './diagnose.ts';
import { PROGRESS_EVERY, type ExecuteOptions, type Execution } from './executor.ts';
import { lastEdges } from './liveness.ts';
import type { PlanObserver } from './replay.ts';
import { BYTES_PER_ENTRY, stageShape, type Stages } from './stages.ts';

// The executor for programs with vector and matrix variables (program.layout ≠ null), any stages.
// It runs the block rules (one VJP per constraint, as `reverse` does) on a slab of its own:
//
//   [ inputs (the point, never overwritten) | the current state | the values of one stage ]
//
// Inputs keep the offsets of the program's layout (they come first), so the rules read them in
// place; every other variable is given an offset in the slab when it enters the frame (`at`, one
// Int32 per variable). The rules see each constraint through one site aimed before each call
// (aimedSites.ts), so no record is held per constraint and none is made per evaluation: besides
// the program, memory is O(N) Int32s and what the plan holds. A state is the live computed values L(b) (stages.ts: inputs
// are no part of it), packed in variable order; a snapshot is a copy of it. An advance evaluates one
// stage at a time after the state and keeps what is still live, so it holds at most the working
// frame the costs charge, in values and in bytes.
//
// Multipliers live in a slab of the same layout. The inputs' part accumulates the gradient over the
// whole run; the state's partial sums are carried from each reversed stage to the one before, and
// every λ_j starts from its seed and takes its contributions in decreasing constraint order, as in
// back-substitution: values, multipliers and gradient equal `reverse`'s bit for bit.

/** A snapshot: the variables of a state and their entries, packed. */
interface Snapshot {
  readonly variables: Int32Array;
  count: number;
  readonly entries: Float64Array;
  length: number;
}

export class BlockExecutor implements PlanObserver {
  readonly stats: Stats = emptyStats();
  /** The most values (variables) an advance holds, and its bytes: what the costs charge it. */
  readonly working: number;
  private readonly workingEntries: number;
  private readonly layout: Int32Array;
  private readonly last: Int32Array;
  /** Where each variable's entries begin in the slab (inputs: their layout offsets): sites.at. */
  private readonly at: Int32Array;
  /** The site the rules see, aimed at each constraint before its call. */
  private readonly sites: AimedSites;
  /** Values: the inputs, then the state, then a stage. */
  private readonly v: Float64Array;
  /** Multipliers, the same layout. */
  private readonly mu: Float64Array;
  /** Where the state begins: after the inputs' entries. */
  private readonly base: number;
  // The current state: its variables in order, their entries packed from `base`.
  private readonly state: Int32Array;
  private stateCount = 0;
  private stateEntries = 0;
  private readonly snapshots: (Snapshot | null)[];
  /** λ partial sums of the state of the stage reversed last. */
  private readonly carry: Snapshot;
  private readonly capacity: number;
  private readonly capacityEntries: number;
  private readonly outputValues: Float64Array;
  /** Output k's weights start at weightStart[k]. */
  private readonly weightStart: Int32Array;
  /** λ of every slot, when asked for. */
  private readonly lambda: Float64Array | null;
  private evaluations = 0;
  private partials = 0;
  private sweeps = 0;
  private nextReport = PROGRESS_EVERY;

  constructor(
    private readonly program: Program,
    private readonly stages: Stages,
    slots: number,
    private readonly inputs: Float64Array,
    private readonly weights: Float64Array,
    private readonly options: ExecuteOptions,
  ) {
    const shape = stageShape(program, stages, false);
    this.working = shape.working;
    this.workingEntries = shape.workingBytes / BYTES_PER_ENTRY;
    this.capacity = Math.max(shape.maxLive, 1);
    this.capacityEntries = Math.max(shape.maxLiveBytes / BYTES_PER_ENTRY, 1);
    this.layout = program.layout!.offset;
    this.last = lastEdges(program);
    this.sites = new AimedSites(program);
    this.at = this.sites.at;
    const inputSlots = program.inputSlots;
    this.base = inputSlots;
    this.v = new Float64Array(inputSlots + this.workingEntries);
    this.mu = new Float64Array(inputSlots + this.workingEntries);
    this.v.set(inputs.subarray(0, inputSlots));
    if (options.values) options.values.set(inputs.subarray(0, inputSlots));
    this.state = new Int32Array(this.capacity);
    const slab = program.slots;
    this.lambda = options.multipliers
      ? options.lambda && options.lambda.length >= slab
        ? options.lambda.subarray(0, slab)
        : new Float64Array(slab)
      : null;
    this.snapshots = new Array<Snapshot | null>(slots).fill(null);
    this.carry = this.snapshot();
    // Outputs: their weights' positions; an input's value and seed now (its λ accumulates in place).
    const { outputs } = program;
    this.weightStart = new Int32Array(outputs.length + 1);
    for (let k = 0; k < outputs.length; k++)
      this.weightStart[k + 1] = this.weightStart[k] + this.layout[outputs[k] + 1] - this.layout[outputs[k]];
    this.outputValues = new Float64Array(this.weightStart[outputs.length]);
    for (let k = 0; k < outputs.length; k++) {
      if (outputs[k] >= program.inputCount) continue;
      this.noteOutput(k, this.layout[outputs[k]]);
      this.seedOutput(k, this.layout[outputs[k]]);
    }
  }

  private snapshot(): Snapshot {
    return {
      variables: new Int32Array(this.capacity),
      count: 0,
      entries: new Float64Array(this.capacityEntries),
      length: 0,
    };
  }

  /** The sizes the costs charge: x₀ holds nothing (inputs are the point), an advance its working frame. */
  get sizes(): Sizes {
    return { initial: 0, initialBytes: 0, working: this.working, workingBytes: BYTES_PER_ENTRY * this.workingEntries };
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, values, bytes, length } = batch;
    for (let k = 0; k < length; k++) {
      switch (kind[k]) {
        case ADVANCE:
          this.advance(x[k], y[k]);
          values[k] = this.stateCount;
          bytes[k] = BYTES_PER_ENTRY * this.stateEntries;
          break;
        case STORE:
          this.save((this.snapshots[x[k]] ??= this.snapshot()));
          break;
        case RESTORE:
          this.load(this.snapshots[x[k]]!);
          break;
        case FREE:
          break;
        case REVERSE: {
          const entries = this.reverse(x[k]);
          values[k] = this.stages.span(x[k], x[k] + 1);
          bytes[k] = BYTES_PER_ENTRY * entries;
          break;
        }
      }
    }
    if (this.evaluations >= this.nextReport) {
      this.nextReport = this.evaluations + PROGRESS_EVERY;
      this.options.progress?.(this.evaluations);
    }
  }

  end(): void {}

  /** Gives constraints a … b−1 their places after the state; returns their entries. */
  private place(a: number, b: number): number {
    const { layout } = this;
    let at = this.base + this.stateEntries;
    for (let i = a; i < b; i++) {
      this.at[i] = at;
      at += layout[i + 1] - layout[i];
    }
    return at - this.base - this.stateEntries;
  }

  /** Evaluates constraints a … b−1 (placed), checking their values. */
  private evaluate(a: number, b: number): void {
    const v = this.v;
    for (let i = a; i < b; i++) this.sites.rules(i).value(v, this.sites.aim(i));
    const from = this.base + this.stateEntries;
    const to = this.at[b - 1] + this.layout[b] - this.layout[b - 1];
    for (let e = from; e < to; e++) if (v[e] - v[e] !== 0) failValues(this.program, this.inputs);
    this.evaluations += b - a;
  }

  /** Evaluates stages from … to−1, one at a time, keeping what is live after each. */
  private advance(from: number, to: number): void {
    const { stages } = this;
    for (let s = from; s < to; s++) {
      const a = stages.start(s);
      const b = stages.start(s + 1);
      this.place(a, b);
      this.evaluate(a, b);
      this.retain(a, b);
    }
    this.sweeps++;
  }

  /** The state at cut b from the state at a and the stage's values: the live ones, packed in order. */
  private retain(a: number, b: number): void {
    const { v, at: place, layout, last, state } = this;
    const keep = b < this.program.size ? this.program.parentStart[b] : Infinity;
    let count = 0;
    let at = this.base;
    // Old state then the stage, in variable order: each kept value moves left (or stays), so the
    // copies never overwrite one still to be moved.
    const held = this.stateCount;
    for (let q = 0, i = a; q < held || i < b;) {
      const j = q < held ? state[q++] : i++;
      if (last[j] < keep) continue;
      const n = layout[j + 1] - layout[j];
      const from = place[j];
      if (from !== at) v.copyWithin(at, from, from + n);
      place[j] = at;
      state[count++] = j;
      at += n;
    }
    this.stateCount = count;
    this.stateEntries = at - this.base;
  }

  private save(snapshot: Snapshot): void {
    snapshot.variables.set(this.state.subarray(0, this.stateCount));
    snapshot.count = this.stateCount;
    snapshot.entries.set(this.v.subarray(this.base, this.base + this.stateEntries));
    snapshot.length = this.stateEntries;
  }

  private load(snapshot: Snapshot): void {
    const { layout } = this;
    this.state.set(snapshot.variables.subarray(0, snapshot.count));
    this.v.set(snapshot.entries.subarray(0, snapshot.length), this.base);
    let at = this.base;
    for (let q = 0; q < snapshot.count; q++) {
      const j = snapshot.variables[q];
      this.at[j] = at;
      at += layout[j + 1] - layout[j];
    }
    this.stateCount = snapshot.count;
    this.stateEntries = snapshot.length;
  }

  /** Re-evaluates stage `step` keeping its values, then back-substitutes through it; returns its entries. */
  private reverse(step: number): number {
    const a = this.stages.start(step);
    const b = this.stages.start(step + 1);
    const entries = this.place(a, b);
    this.evaluate(a, b);
    const { v, mu, at, layout, base, carry, program } = this;
    const end = base + this.stateEntries + entries;
    const values = this.options.values;
    if (values) for (let i = a; i < b; i++) values.set(v.subarray(at[i], at[i] + layout[i + 1] - layout[i]), layout[i]);
    const { outputs } = program;
    // λ on the frame: zero, the seeds of the outputs in it, then the partial sums carried.
    mu.fill(0, base, end);
    for (let k = 0; k < outputs.length; k++) {
      const o = outputs[k];
      if (o < program.inputCount || o >= b) continue;
      if (o >= a) {
        this.noteOutput(k, at[o]);
        this.seedOutput(k, at[o]);
      } else if (this.inState(o) && !this.carried(o)) this.seedOutput(k, at[o]);
    }
    for (let c = 0, from = 0; c < carry.count; c++) {
      const j = carry.variables[c];
      const n = layout[j + 1] - layout[j];
      mu.set(carry.entries.subarray(from, from + n), at[j]);
      from += n;
    }
    // Back-substitution through the stage, as BlockSweeps.reverse does over the whole slab.
    let applied = 0;
    for (let i = b - 1; i >= a; i--) {
      const o = at[i];
      let zero = true;
      for (let e = o; e < o + layout[i + 1] - layout[i]; e++) {
        if (mu[e] !== 0) {
          zero = false;
          break;
        }
      }
      if (zero) continue;
      this.sites.rules(i).vjp(v, mu, mu, this.sites.aim(i), -1);
      applied++;
    }
    this.partials += applied;
    this.sweeps += 2;
    for (let e = base; e < end; e++) if (mu[e] - mu[e] !== 0) failMultipliers(program, this.inputs, this.weights);
    const lambda = this.lambda;
    if (lambda)
      for (let i = a; i < b; i++) lambda.set(mu.subarray(at[i], at[i] + layout[i + 1] - layout[i]), layout[i]);
    // The state's partial sums are carried to the stage before.
    carry.variables.set(this.state.subarray(0, this.stateCount));
    carry.count = this.stateCount;
    carry.entries.set(mu.subarray(base, base + this.stateEntries));
    carry.length = this.stateEntries;
    this.stateCount = 0;
    this.stateEntries = 0;
    return entries;
  }

  private inState(j: number): boolean {
    for (let q = 0; q < this.stateCount; q++) if (this.state[q] === j) return true;
    return false;
  }

  private carried(j: number): boolean {
    const carry = this.carry;
    for (let q = 0; q < carry.count; q++) if (carry.variables[q] === j) return true;
    return false;
  }

  /** Output k's value, whose entries begin at `at` in the slab. */
  private noteOutput(k: number, at: number): void {
    const from = this.weightStart[k];
    const n = this.weightStart[k + 1] - from;
    for (let e = 0; e < n; e++) this.outputValues[from + e] = this.v[at + e];
  }

  /** Adds output k's weights to the multipliers at `at`, as `seed` does. */
  private seedOutput(k: number, at: number): void {
    const from = this.weightStart[k];
    const n = this.weightStart[k + 1] - from;
    for (let e = 0; e < n; e++) this.mu[at + e] += this.weights[from + e];
  }

  result(): Execution {
    const gradient = this.mu.slice(0, this.base);
    if (this.lambda) this.lambda.set(gradient, 0);
    Object.assign(this.stats, {
      primitiveEvaluations: this.evaluations,
      partialEvaluations: this.partials,
      sweeps: this.sweeps,
    });
    this.options.progress?.(this.evaluations);
    // Σ_o ⟨w_o, v_o⟩ in the order `objective` adds it, the sign of a zero kept.
    let value = -0;
    for (let w = 0; w < this.outputValues.length; w++) value += this.weights[w] * this.outputValues[w];
    return { value, gradient, lambda: this.lambda, stats: this.stats };
  }
}
