import { LagradError } from '../../src/error.ts';
import { checkMultipliers } from '../../src/lagrangian/finite.ts';
import { seed } from '../../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../../src/lagrangian/primal.ts';
import type { Program } from '../../src/program/program.ts';
import { INPUT } from '../../src/primitives/primitive.ts';
import { primitives } from '../../src/primitives/registry.ts';
import { sweepsOf, type ProgramArrays, type Sweeps } from '../../src/primitives/sweeps.ts';
import { type Stats, emptyStats } from '../../src/lagrangian/stats.ts';
import type { Plan } from './actions.ts';
import { lastEdges } from './liveness.ts';
import { stageShape, type Stages } from './stages.ts';

// The executor: runs a plan (actions.ts) over a program cut into stages (stages.ts) and solves
// (I − J)ᵀλ = w with the generated kernels, holding only what the plan says to hold.
//
// Memory layout. No array of N values exists. A state is a list of (variable, value) pairs sorted
// by variable: the live set L(b) at a stage start (liveness.ts). A sweep over constraints [a, b)
// runs in a local frame: the state's values in slots 0 … S−1, the constraints' values in slots
// S … S+(b−a)−1, with the op codes, constants and parent lists of the range copied and renumbered
// into frame-sized arrays, so the kernels (which index values by variable) run unchanged on it.
// A snapshot is a copy of a state. The frame never exceeds `working` = max over stages of state +
// stage, so the values held are at most Σ snapshots + working; an advance is charged the whole frame.
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
   * peakSnapshots, peakSnapshotValues, peakValues (snapshots + working values), stages, slots,
   * stores, restores, sweeps (one per advance action, two per reverse step).
   */
  readonly stats: Stats;
}

/**
 * Runs `plan` over `stages` of an acyclic program at `inputs`, objective Σ_o w_o v_o: the values
 * and multipliers are those of plain reverse (same kernels, same order of additions), the memory
 * that of the plan. The plan must be valid (simulate.ts checks plans); an invalid one is a bug and
 * throws.
 */
export function execute(program: Program, stages: Stages, plan: Plan, inputs: Float64Array, weights: Float64Array, options: ExecuteOptions = {}): Execution {
  if (plan.steps !== stages.count) throw new Error(`checkpoint: a plan of ${plan.steps} steps cannot run over ${stages.count} stages`);
  const run = new Executor(program, stages, plan.slots, inputs, weights, options);
  for (const action of plan) {
    switch (action.kind) {
      case 'advance': run.advance(action.from, action.to); break;
      case 'store': run.store(action.slot, action.step); break;
      case 'restore': run.restore(action.slot, action.step); break;
      case 'free': run.free(action.slot); break;
      case 'reverse': run.reverse(action.step); break;
    }
  }
  return run.finish();
}

const NONE = -1;

class Executor {
  /** 1 for the op codes whose primitive reads θ: only their constants are copied (the rest are 0 by contract). */
  private readonly hasConstant: Uint8Array;
  private readonly last: Int32Array;
  private readonly working: number;
  // The current state x_{curStage}: curLen pairs (curIdx[k], curVal[k]); nextIdx/nextVal are the spare for advances.
  private curIdx: Int32Array;
  private curVal: Float64Array;
  private nextIdx: Int32Array;
  private nextVal: Float64Array;
  private curLen = 0;
  private curStage = NONE;
  // Snapshot slots, allocated at their first store.
  private readonly slotIdx: (Int32Array | null)[];
  private readonly slotVal: (Float64Array | null)[];
  private readonly slotLen: Int32Array;
  private readonly slotStage: Int32Array;
  // The frame: state + the constraints being swept, renumbered into opF/csF/psF/paF (allocated at
  // first use). A frame whose state is every variable before it needs no renumbering: the sweeps
  // then read the program's own arrays (`sweeps` is bound to whichever serves).
  private readonly v: Float64Array;
  private readonly mu: Float64Array;
  private opF: Int32Array | null = null;
  private csF: Float64Array | null = null;
  private psF: Int32Array | null = null;
  private paF: Int32Array | null = null;
  private frame: ProgramArrays | null = null;
  private sweeps: Sweeps;
  // λ partial sums of the state of the stage reversed last, L(start(s)).
  private readonly carryIdx: Int32Array;
  private readonly carryVal: Float64Array;
  private carryLen = 0;
  // The seed w by variable (sorted, summed over repeated outputs as `seed` does) and the output values.
  private readonly seedIdx: Int32Array;
  private readonly seedVal: Float64Array;
  private readonly outputValues: Float64Array;
  private readonly lambda: Float64Array | null;
  private readonly stats: Stats;
  private held = 0;
  private occupied = 0;

  constructor(
    private readonly program: Program,
    private readonly stages: Stages,
    slots: number,
    private readonly inputs: Float64Array,
    private readonly weights: Float64Array,
    private readonly options: ExecuteOptions,
  ) {
    this.hasConstant = Uint8Array.from(primitives.all(), (p) => (p?.constant ? 1 : 0));
    this.last = lastEdges(program);
    const shape = stageShape(program, stages, false);
    this.working = shape.working;
    const state = Math.max(shape.maxLive, 1);
    this.curIdx = new Int32Array(state);
    this.curVal = new Float64Array(state);
    this.nextIdx = new Int32Array(state);
    this.nextVal = new Float64Array(state);
    this.carryIdx = new Int32Array(state);
    this.carryVal = new Float64Array(state);
    this.slotIdx = new Array(slots).fill(null);
    this.slotVal = new Array(slots).fill(null);
    this.slotLen = new Int32Array(slots);
    this.slotStage = new Int32Array(slots).fill(NONE);
    const frame = Math.max(this.working, 1);
    this.v = new Float64Array(frame);
    this.mu = new Float64Array(frame);
    this.sweeps = sweepsOf(program);

    const { outputs, size } = program;
    const seeds = new Map<number, number>();
    for (let k = 0; k < outputs.length; k++) seeds.set(outputs[k], (seeds.get(outputs[k]) ?? 0) + weights[k]);
    const sorted = [...seeds.keys()].sort((x, y) => x - y);
    this.seedIdx = Int32Array.from(sorted);
    this.seedVal = Float64Array.from(sorted, (j) => seeds.get(j)!);
    this.outputValues = new Float64Array(outputs.length);
    for (let k = 0; k < outputs.length; k++) if (outputs[k] < program.inputCount) this.outputValues[k] = inputs[outputs[k]];
    if (options.values) options.values.set(inputs.subarray(0, program.inputCount));

    this.lambda = options.multipliers ? (options.lambda && options.lambda.length >= size ? options.lambda.subarray(0, size) : new Float64Array(size)) : null;
    this.stats = emptyStats();
    Object.assign(this.stats, { advances: 0, stages: stages.count, slots, peakSnapshots: 0, peakSnapshotValues: 0, stores: 0, restores: 0 });

    // x_0: the inputs some constraint reads.
    for (let j = 0; j < program.inputCount; j++) {
      if (this.last[j] < 0) continue;
      this.curIdx[this.curLen] = j;
      this.curVal[this.curLen++] = inputs[j];
    }
    this.curStage = 0;
    this.charge(this.curLen);
  }

  advance(from: number, to: number): void {
    if (this.curStage !== from) throw new Error(`checkpoint: advance from ${from} but the current state is ${this.curStage}`);
    const { stages, last } = this;
    const parentStart = this.program.parentStart;
    this.charge(this.working);
    for (let s = from; s < to; ) {
      const t = chunkEnd(stages, this.curLen, s, to, this.working);
      const a = stages.start(s);
      const b = stages.start(t);
      const S = this.load(a, b);
      this.evaluate(S, b - a);
      this.stats.advances += b - a;
      // The state at b: what the old state and the chunk hold that a constraint ≥ b still reads.
      const { curIdx, v, nextIdx, nextVal } = this;
      const keep = parentStart[b];
      let n = 0;
      for (let k = 0; k < S; k++) {
        if (last[curIdx[k]] < keep) continue;
        nextIdx[n] = curIdx[k];
        nextVal[n++] = v[k];
      }
      for (let i = a; i < b; i++) {
        if (last[i] < keep) continue;
        nextIdx[n] = i;
        nextVal[n++] = v[S + i - a];
      }
      this.nextIdx = this.curIdx;
      this.nextVal = this.curVal;
      this.curIdx = nextIdx;
      this.curVal = nextVal;
      this.curLen = n;
      s = t;
    }
    this.curStage = to;
    this.stats.sweeps++;
  }

  store(slot: number, step: number): void {
    if (this.curStage !== step) throw new Error(`checkpoint: store ${step} but the current state is ${this.curStage}`);
    if (this.slotStage[slot] !== NONE) throw new Error(`checkpoint: slot ${slot} is occupied`);
    let idx = this.slotIdx[slot];
    let val = this.slotVal[slot];
    if (idx === null || val === null) {
      idx = this.slotIdx[slot] = new Int32Array(this.curIdx.length);
      val = this.slotVal[slot] = new Float64Array(this.curVal.length);
    }
    const n = this.curLen;
    for (let k = 0; k < n; k++) {
      idx[k] = this.curIdx[k];
      val[k] = this.curVal[k];
    }
    this.slotLen[slot] = n;
    this.slotStage[slot] = step;
    this.held += n;
    this.occupied++;
    const stats = this.stats;
    stats.stores++;
    stats.peakSnapshots = Math.max(stats.peakSnapshots, this.occupied);
    stats.peakSnapshotValues = Math.max(stats.peakSnapshotValues, this.held);
    this.charge(n);
  }

  restore(slot: number, step: number): void {
    const idx = this.slotIdx[slot];
    const val = this.slotVal[slot];
    if (this.slotStage[slot] !== step || idx === null || val === null) throw new Error(`checkpoint: slot ${slot} does not hold state ${step}`);
    const n = this.slotLen[slot];
    for (let k = 0; k < n; k++) {
      this.curIdx[k] = idx[k];
      this.curVal[k] = val[k];
    }
    this.curLen = n;
    this.curStage = step;
    this.stats.restores++;
    this.charge(n);
  }

  free(slot: number): void {
    if (this.slotStage[slot] === NONE) throw new Error(`checkpoint: slot ${slot} is already empty`);
    this.held -= this.slotLen[slot];
    this.occupied--;
    this.slotStage[slot] = NONE;
  }

  /** Re-evaluates stage `step` keeping its values, then propagates the multipliers back through it. */
  reverse(step: number): void {
    if (this.curStage !== step) throw new Error(`checkpoint: reverse ${step} but the current state is ${this.curStage}`);
    const a = this.stages.start(step);
    const b = this.stages.start(step + 1);
    const length = b - a;
    const S = this.load(a, b);
    this.charge(S + length);
    this.evaluate(S, length);
    const { v, mu, curIdx } = this;

    const values = this.options.values;
    if (values) for (let i = a; i < b; i++) values[i] = v[S + i - a];
    const outputs = this.program.outputs;
    for (let k = 0; k < outputs.length; k++) if (outputs[k] >= a && outputs[k] < b) this.outputValues[k] = v[S + outputs[k] - a];

    // λ on the frame: the seed w where nothing has reached it yet, the carried partial sums elsewhere.
    for (let k = 0; k < S; k++) mu[k] = this.seedOf(curIdx[k]);
    for (let k = S; k < S + length; k++) mu[k] = 0;
    const { seedIdx, seedVal } = this;
    for (let q = lowerBound(seedIdx, seedIdx.length, a); q < seedIdx.length && seedIdx[q] < b; q++) mu[S + seedIdx[q] - a] = seedVal[q];
    const { carryIdx, carryVal, carryLen } = this;
    let k = 0;
    for (let c = 0; c < carryLen; c++) {
      const j = carryIdx[c];
      if (j >= a) {
        mu[S + j - a] = carryVal[c];
        continue;
      }
      while (k < S && curIdx[k] !== j) k++;
      if (k >= S) throw new Error(`checkpoint: the multiplier of #${j} has no place in the state of stage ${step}`);
      mu[k] = carryVal[c];
    }

    this.stats.partialEvaluations += this.sweeps.reverse(v, mu, mu, S, S + length);
    this.stats.sweeps += 2;
    for (let q = 0; q < S + length; q++) if (mu[q] - mu[q] !== 0) this.failMultipliers();

    const lambda = this.lambda;
    if (lambda) for (let i = a; i < b; i++) lambda[i] = mu[S + i - a];
    for (let q = 0; q < S; q++) {
      carryIdx[q] = curIdx[q];
      carryVal[q] = mu[q];
    }
    this.carryLen = S;
    this.curLen = 0;
    this.curStage = NONE;
  }

  finish(): Execution {
    const { inputCount } = this.program;
    const gradient = new Float64Array(inputCount);
    for (let j = 0; j < inputCount; j++) gradient[j] = this.seedOf(j);
    for (let c = 0; c < this.carryLen; c++) if (this.carryIdx[c] < inputCount) gradient[this.carryIdx[c]] = this.carryVal[c];
    if (this.lambda) this.lambda.set(gradient, 0);
    let value = 0;
    for (let k = 0; k < this.outputValues.length; k++) value += this.weights[k] * this.outputValues[k];
    return { value, gradient, lambda: this.lambda, stats: this.stats };
  }

  /** Copies the current state and constraints [a, b) into the frame, renumbering parents; returns the state size S. */
  private load(a: number, b: number): number {
    const program = this.program;
    const { ops, parentStart, parents, constants } = program;
    const { v, curIdx, curVal, hasConstant } = this;
    const S = this.curLen;
    for (let k = 0; k < S; k++) v[k] = curVal[k];
    // State = every variable before a (sorted, distinct, all < a): frame slot = variable index.
    if (S === a && (S === 0 || curIdx[S - 1] === S - 1)) {
      this.sweeps = sweepsOf(program);
      return S;
    }
    const frame = this.v.length;
    const opF = (this.opF ??= new Int32Array(frame));
    const csF = (this.csF ??= new Float64Array(frame));
    const psF = (this.psF ??= new Int32Array(frame + 1));
    const edges = parentStart[b] - parentStart[a];
    if (this.paF === null || edges > this.paF.length) this.paF = new Int32Array(Math.max(edges, 2 * (this.paF?.length ?? frame), 16));
    const paF = this.paF;
    for (let k = 0; k < S; k++) {
      opF[k] = INPUT;
      csF[k] = 0;
    }
    let q = 0;
    psF[S] = 0;
    for (let i = a; i < b; i++) {
      const f = S + i - a;
      const op = ops[i];
      opF[f] = op;
      csF[f] = hasConstant[op] === 1 ? constants[i] : 0;
      for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
        const j = parents[e];
        paF[q++] = j >= a ? S + j - a : stateSlot(curIdx, S, j);
      }
      psF[f + 1] = q;
    }
    if (this.frame?.parents !== paF) this.frame = { ops: opF, parentStart: psF, parents: paF, constants: csF };
    this.sweeps = sweepsOf(this.frame);
    return S;
  }

  /** The forward kernel over the frame's constraints S … S+length−1; never a silent NaN. */
  private evaluate(S: number, length: number): void {
    const v = this.v;
    this.sweeps.forward(v, S, S + length);
    this.stats.primitiveEvaluations += length;
    for (let q = S; q < S + length; q++) if (v[q] - v[q] !== 0) this.failValues();
  }

  private seedOf(j: number): number {
    const q = lowerBound(this.seedIdx, this.seedIdx.length, j);
    return q < this.seedIdx.length && this.seedIdx[q] === j ? this.seedVal[q] : 0;
  }

  /** Counts the values held now: the snapshots plus `working` values in the frame or current state. */
  private charge(working: number): void {
    if (this.held + working > this.stats.peakValues) this.stats.peakValues = this.held + working;
  }

  // A non-finite value or multiplier: redo the work with every value held (O(N) memory, on failure
  // only) so the one diagnosis in finite.ts names the constraint, exactly as `reverse` would.
  private failValues(): never {
    solvePrimal(this.program, this.inputs, new Float64Array(this.program.size));
    throw new LagradError('checkpoint', 'a value is not finite');
  }

  private failMultipliers(): never {
    const { program } = this;
    const values = new Float64Array(program.size);
    solvePrimal(program, this.inputs, values);
    const lambda = new Float64Array(program.size);
    seed(program, this.weights, lambda);
    sweepsOf(program).reverse(values, lambda, lambda, program.inputCount, program.size);
    checkMultipliers(program, values, lambda);
    throw new LagradError('checkpoint', 'a multiplier is not finite');
  }
}

/**
 * The end t of the chunk an advance evaluates from stage s toward `to`: stages s … t−1, as many as
 * fit with the state of size `state` in `working` values (always at least stage s).
 */
function chunkEnd(stages: Stages, state: number, s: number, to: number, working: number): number {
  const first = stages.start(s);
  let t = s + 1;
  while (t < to && state + stages.start(t + 1) - first <= working) t++;
  return t;
}

/** The first q < n with sorted[q] ≥ x (n when none). */
function lowerBound(sorted: Int32Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The slot of variable j in a state (sorted by variable); j must be there: it is read after the cut. */
function stateSlot(idx: Int32Array, n: number, j: number): number {
  const q = lowerBound(idx, n, j);
  if (q >= n || idx[q] !== j) throw new Error(`checkpoint: #${j} is read after a cut but is not in its state`);
  return q;
}
