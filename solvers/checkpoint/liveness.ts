import type { Program } from '../../src/program/program.ts';

// Which values a snapshot must hold. Cut the evaluation order before constraint b: the state at
// the cut is
//
//   L(b) = { j < b : some constraint i ≥ b reads v_j },
//
// every value computed (or given: inputs count too) before the cut and still needed after it. A
// snapshot at cut b stores exactly L(b); nothing else from before b is ever read again, by the
// forward kernels nor by the partials of the reverse. Membership is one comparison against the
// last edge that reads v_j: parents are stored in CSR in evaluation order, so the edges of
// constraints ≥ b are exactly the edges ≥ parentStart[b].

const cache = new WeakMap<Program, Int32Array>();

/**
 * lastEdge[j] = the largest edge index e with parents[e] = j: the last read of v_j in evaluation
 * order, or −1 when nothing reads it. Then j ∈ L(b) ⟺ j < b and lastEdge[j] ≥ parentStart[b].
 * O(N + E) once per program (cached); one Int32 per variable.
 */
export function lastEdges(program: Program): Int32Array {
  let last = cache.get(program);
  if (last === undefined) {
    last = new Int32Array(program.size).fill(-1);
    const parents = program.parents;
    for (let e = 0; e < parents.length; e++) last[parents[e]] = e;
    cache.set(program, last);
  }
  return last;
}

/** |L(inputCount)|: the inputs that some constraint reads. */
export function firstLive(program: Program, last: Int32Array): number {
  let count = 0;
  for (let j = 0; j < program.inputCount; j++) if (last[j] >= 0) count++;
  return count;
}

/**
 * |L(b + 1)| from count = |L(b)|: + [v_b is read later] − #{edges of constraint b that are their
 * parent's last read}. O(parents of b), so a stream over every cut is one pass over the edges.
 */
export function nextLive(program: Program, last: Int32Array, b: number, count: number): number {
  const { parentStart, parents } = program;
  if (last[b] >= 0) count++;
  for (let e = parentStart[b]; e < parentStart[b + 1]; e++) if (last[parents[e]] === e) count--;
  return count;
}

/**
 * |L(b)| for every cut b = inputCount … size, as live[b − inputCount]; in a program with vector and
 * matrix variables the inputs left out, as stages.ts counts states there.
 */
export function liveCounts(program: Program, last = lastEdges(program)): Int32Array {
  const { inputCount, size } = program;
  const live = new Int32Array(size - inputCount + 1);
  const blocks = program.layout !== null;
  let count = blocks ? 0 : firstLive(program, last);
  live[0] = count;
  for (let b = inputCount; b < size; b++) {
    count = nextLive(program, last, b, count);
    // nextLive takes off every parent read for the last time; inputs were never counted here.
    if (blocks)
      for (let e = program.parentStart[b]; e < program.parentStart[b + 1]; e++)
        if (program.parents[e] < inputCount && last[program.parents[e]] === e) count++;
    live[b - inputCount + 1] = count;
  }
  return live;
}

/**
 * The widest reach of liveness: max over cuts b of b − min L(b) (0 when nothing is live), so every
 * value live at a cut is among the `span` variables before it. A chain's is 1. O(N + E): the least
 * live variable only moves forward as the cut does.
 */
export function liveSpan(program: Program): number {
  let span = spans.get(program);
  if (span === undefined) spans.set(program, (span = measureSpan(program, lastEdges(program))));
  return span;
}

const spans = new WeakMap<Program, number>();

function measureSpan(program: Program, last: Int32Array): number {
  const { inputCount, size, parentStart } = program;
  let span = 0;
  let lo = 0;
  for (let b = inputCount; b <= size; b++) {
    const keep = b < size ? parentStart[b] : Infinity;
    while (lo < b && last[lo] < keep) lo++;
    if (lo < b) span = Math.max(span, b - lo);
  }
  return span;
}

/**
 * The bytes of L(b) for every cut b = inputCount … size, as bytes[b − inputCount]: 8 per entry, and
 * in a program with vector and matrix variables the inputs left out (they are the point, never part
 * of a state: stages.ts). For a scalar program, 8·liveCounts.
 */
export function liveBytes(program: Program, last = lastEdges(program)): Float64Array {
  const { inputCount, size, parentStart, parents } = program;
  const offset = program.layout?.offset ?? null;
  const bytes = new Float64Array(size - inputCount + 1);
  if (offset === null) {
    const live = liveCounts(program, last);
    for (let k = 0; k < live.length; k++) bytes[k] = 8 * live[k];
    return bytes;
  }
  let held = 0;
  for (let b = inputCount; b < size; b++) {
    if (last[b] >= 0) held += offset[b + 1] - offset[b];
    for (let e = parentStart[b]; e < parentStart[b + 1]; e++) {
      const j = parents[e];
      if (last[j] === e && j >= inputCount) held -= offset[j + 1] - offset[j];
    }
    bytes[b - inputCount + 1] = 8 * held;
  }
  return bytes;
}
