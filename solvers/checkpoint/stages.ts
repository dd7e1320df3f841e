import type { Program } from '../../src/program/program.ts';
import { firstLive, lastEdges, nextLive } from './liveness.ts';

/**
 * The evaluation order cut into stages, the steps a plan talks about: stage s is the constraints
 * start(s) … start(s+1) − 1, with start(0) = inputCount and start(count) = size. The state x_s at the
 * start of stage s is L(start(s)) (liveness.ts): a chain of l one-constraint steps has l stages of
 * one value of state each; store-all is one stage; sqrt is √N segments. One class for uniform and
 * cut stages, so `start` is a monomorphic call the executor's loops inline.
 */
export class Stages {
  private constructor(
    readonly count: number,
    /** Explicit cut positions, or null for uniform stages. */
    private readonly cuts: Int32Array | null,
    private readonly first: number,
    private readonly length: number,
    private readonly end: number,
  ) {}

  /** Consecutive stages of `length` units from `first` to `end` (the last one shorter). */
  static uniform(first: number, length: number, end: number): Stages {
    return new Stages(Math.ceil((end - first) / length), null, first, length, end);
  }

  /** Stages from explicit cut positions cuts[0] < cuts[1] < … < cuts[count]. */
  static cut(cuts: Int32Array): Stages {
    return new Stages(cuts.length - 1, cuts, 0, 0, 0);
  }

  /** True when every stage is one unit (one constraint): revolve's stages. */
  get unit(): boolean {
    return this.cuts === null && this.length === 1;
  }

  /** A name for uniform stages (the same name, the same stages of a program), null for cuts. */
  get key(): string | null {
    return this.cuts === null ? `${this.first}+${this.length}k..${this.end}` : null;
  }

  start(s: number): number {
    const cuts = this.cuts;
    return cuts !== null ? cuts[s] : Math.min(this.first + s * this.length, this.end);
  }

  /** start(to) − start(from): the units of stages from … to−1. */
  span(from: number, to: number): number {
    const cuts = this.cuts;
    return cuts !== null
      ? cuts[to] - cuts[from]
      : Math.min(this.first + to * this.length, this.end) - (this.first + from * this.length);
  }
}

/** Consecutive stages of `length` constraints (the last one shorter): `length` 1 is one stage per constraint. */
export function uniformStages(program: Program, length: number): Stages {
  return Stages.uniform(program.inputCount, length, program.size);
}

/** Stages from explicit cut positions: cuts[0] = inputCount < cuts[1] < … < cuts[count] = size. */
export function cutStages(cuts: Int32Array): Stages {
  return Stages.cut(cuts);
}

/** The steps of a plain chain as stages: step s is stage s, of one unit. */
export function unitStages(steps: number): Stages {
  return Stages.uniform(0, 1, steps);
}

/**
 * The sizes a plan over stages is charged (see ledger.ts), in values and in bytes. A value is a
 * variable: a scalar, or a whole vector or matrix, whose bytes are 8 per entry. In a program with
 * block variables the inputs are no part of any state: they are the point, read in place by the
 * executor and never overwritten, so a snapshot holds only computed values (an RNN's snapshot is
 * its hidden state, not its weights). In a scalar program they count as before.
 */
export interface StageShape {
  /** |L(start(s))|, the state of each stage, s = 0 … count − 1. */
  readonly live: Int32Array | null;
  /** The same in bytes. */
  readonly liveBytes: Float64Array | null;
  /** The widest state max_s |L(start(s))|: what one snapshot may hold. */
  readonly maxLive: number;
  /** The largest state in bytes (not necessarily the widest's). */
  readonly maxLiveBytes: number;
  /** The working values of the largest stage, max_s |L(start(s))| + (start(s+1) − start(s)). */
  readonly working: number;
  /** The same in bytes: max_s bytes of the state and of the stage's values. */
  readonly workingBytes: number;
  /** x₀ = L(start(0)), in values and in bytes. */
  readonly initial: number;
  readonly initialBytes: number;
  /** The layout's entry offsets (variable i holds offset[i + 1] − offset[i] entries), null for scalars. */
  readonly offset: Int32Array | null;
}

/** The unit a budget and a peak are counted in: values (variables) or bytes. */
export type MemoryUnit = 'values' | 'bytes';

/** A shape's sizes in one unit: x₀, the working frame, the largest state. */
export function sizesIn(shape: StageShape, unit: MemoryUnit): { initial: number; working: number; maxLive: number } {
  return unit === 'bytes'
    ? { initial: shape.initialBytes, working: shape.workingBytes, maxLive: shape.maxLiveBytes }
    : { initial: shape.initial, working: shape.working, maxLive: shape.maxLive };
}

/** Bytes of one Float64 entry. */
export const BYTES_PER_ENTRY = 8;

/** Bytes of the values of constraints a … b−1. */
export function bytesBetween(offset: Int32Array | null, a: number, b: number): number {
  return BYTES_PER_ENTRY * (offset === null ? b - a : offset[b] - offset[a]);
}

/**
 * The state sizes at the stage starts, by one stream over the edges (liveness.ts), keeping per-stage sizes only when `keep` (O(count) memory; else O(1)).
 */
export function stageShape(program: Program, stages: Stages, keep = true): StageShape {
  // Without per-stage sizes a shape is a few numbers: kept per program for uniform stages, which
  // the checkpoint schedule asks for on every run.
  const key = keep ? null : stages.key;
  const cached = key === null ? undefined : shapes.get(program)?.get(key);
  if (cached !== undefined) return cached;
  const shape = measureShape(program, stages, keep);
  if (key !== null) {
    if (!shapes.has(program)) shapes.set(program, new Map());
    shapes.get(program)!.set(key, shape);
  }
  return shape;
}

const shapes = new WeakMap<Program, Map<string, StageShape>>();

function measureShape(program: Program, stages: Stages, keep: boolean): StageShape {
  const { inputCount, size, parentStart, parents } = program;
  const offset = program.layout === null ? null : program.layout.offset;
  const last = lastEdges(program);
  const live = keep ? new Int32Array(stages.count) : null;
  const liveBytes = keep ? new Float64Array(stages.count) : null;
  // Entries held of variable j: its layout's, none for the inputs of a block program.
  const entries = (j: number) => (offset === null ? 1 : j < inputCount ? 0 : offset[j + 1] - offset[j]);
  let count = offset === null ? firstLive(program, last) : 0;
  let held = count;
  let maxLive = 0;
  let maxLiveEntries = 0;
  let working = 0;
  let workingEntries = 0;
  let s = 0;
  for (let b = inputCount; b < size; b++) {
    if (b === stages.start(s)) {
      const next = stages.start(s + 1);
      if (live) live[s] = count;
      if (liveBytes) liveBytes[s] = BYTES_PER_ENTRY * held;
      maxLive = Math.max(maxLive, count);
      maxLiveEntries = Math.max(maxLiveEntries, held);
      working = Math.max(working, count + next - b);
      workingEntries = Math.max(workingEntries, held + (offset === null ? next - b : offset[next] - offset[b]));
      s++;
    }
    if (offset === null) {
      count = nextLive(program, last, b, count);
      held = count;
      continue;
    }
    if (last[b] >= 0) {
      count++;
      held += entries(b);
    }
    for (let e = parentStart[b]; e < parentStart[b + 1]; e++) {
      const j = parents[e];
      if (last[j] === e && j >= inputCount) {
        count--;
        held -= entries(j);
      }
    }
  }
  const initial = offset === null ? firstLive(program, last) : 0;
  return {
    live,
    liveBytes,
    maxLive,
    maxLiveBytes: BYTES_PER_ENTRY * maxLiveEntries,
    working,
    workingBytes: BYTES_PER_ENTRY * workingEntries,
    initial,
    initialBytes: BYTES_PER_ENTRY * initial,
    offset,
  };
}

/**
 * The end t of the chunk an advance evaluates from stage s toward `to`: stages s … t−1, as many as
 * fit with the state of size `state` in `working` values (always at least stage s).
 */
export function chunkEnd(stages: Stages, state: number, s: number, to: number, working: number): number {
  const first = stages.start(s);
  let t = s + 1;
  while (t < to && state + stages.start(t + 1) - first <= working) t++;
  return t;
}
