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
    return cuts !== null ? cuts[to] - cuts[from] : Math.min(this.first + to * this.length, this.end) - (this.first + from * this.length);
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

/** The sizes a plan over stages is charged (see ledger.ts). */
export interface StageShape {
  /** |L(start(s))|, the state of each stage, s = 0 … count − 1. */
  readonly live: Int32Array | null;
  /** The widest state max_s |L(start(s))|: what one snapshot may hold. */
  readonly maxLive: number;
  /** The working values of the largest stage, max_s |L(start(s))| + (start(s+1) − start(s)). */
  readonly working: number;
}

/**
 * The state sizes at the stage starts, by one stream over the edges (liveness.ts), keeping per-stage sizes only when `keep` (O(count) memory; else O(1)).
 */
export function stageShape(program: Program, stages: Stages, keep = true): StageShape {
  // Without per-stage sizes a shape is three numbers: kept per program for uniform stages, which
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
  const { inputCount, size } = program;
  const last = lastEdges(program);
  const live = keep ? new Int32Array(stages.count) : null;
  let count = firstLive(program, last);
  let maxLive = 0;
  let working = 0;
  let s = 0;
  for (let b = inputCount; b < size; b++) {
    if (b === stages.start(s)) {
      if (live) live[s] = count;
      maxLive = Math.max(maxLive, count);
      working = Math.max(working, count + stages.start(s + 1) - b);
      s++;
    }
    count = nextLive(program, last, b, count);
  }
  return { live, maxLive, working };
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
