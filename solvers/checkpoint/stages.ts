import type { Program } from '../../src/program/program.ts';
import { firstLive, lastEdges, nextLive } from './liveness.ts';

/**
 * The evaluation order cut into stages, the steps a plan talks about: stage s is the constraints
 * start(s) … start(s+1) − 1, with start(0) = inputCount and start(count) = size. The state x_s at the
 * start of stage s is L(start(s)) (liveness.ts): a chain of l one-constraint steps has l stages of
 * one value of state each; store-all is one stage; sqrt is √N segments.
 */
export interface Stages {
  readonly count: number;
  start(s: number): number;
}

/** Consecutive stages of `length` constraints (the last one shorter): `length` 1 is one stage per constraint. */
export function uniformStages(program: Program, length: number): Stages {
  const first = program.inputCount;
  const size = program.size;
  const count = Math.ceil((size - first) / length);
  return { count, start: (s) => Math.min(first + s * length, size) };
}

/** Stages from explicit cut positions: cuts[0] = inputCount < cuts[1] < … < cuts[count] = size. */
export function cutStages(cuts: Int32Array): Stages {
  return { count: cuts.length - 1, start: (s) => cuts[s] };
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
