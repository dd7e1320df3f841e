import { InternalError } from '../error.ts';
import { primitives } from '../primitives/registry.ts';
import { bindSweeps, sweepsOf, type Sweeps } from '../primitives/sweeps.ts';

import type { Program } from './program.ts';
import type { SparseState } from './sparseState.ts';

/**
 * A window of the program: the constraints a … b−1 and the state they read, laid out in local
 * slots so that the generated kernels (which index values by variable) run on it unchanged.
 *
 * Slots 0 … S−1 hold the state — the variables before a that the window still reads, sorted —
 * and slot S + i − a holds constraint i. The window's op codes, constants and parent lists are
 * copied with each parent renumbered to its slot; when the state is every variable before a (a
 * prefix of the program) slot = variable, and the kernels read the program's own arrays. Memory:
 * the capacity in values and multipliers, the same in op codes, constants and variables, and the
 * parent lists of the longest window; nothing is allocated per window after the first.
 */
export class Frame {
  /** Values by slot. */
  readonly values: Float64Array;
  /** Multipliers by slot, for a reverse sweep over the window. */
  readonly lambda: Float64Array;
  /** The variable each slot holds. */
  readonly variable: Int32Array;
  /** S: the state's slots. */
  stateSize = 0;
  /** The window's constraints are from … to − 1. */
  from = 0;
  to = 0;
  /** The sweeps the window runs: over the renumbered copies below, or over the program's own arrays. */
  private sweeps: Sweeps;
  /** The sweeps bound to the program's arrays (cached with the program) and to the copies (rebound when the parent lists grow). */
  private readonly programSweeps: Sweeps;
  private copySweeps: Sweeps;
  private readonly opsCopy: Int32Array;
  private readonly constantsCopy: Float64Array;
  private readonly parentStartCopy: Int32Array;
  private parentsCopy: Int32Array;
  /** 1 for the op codes whose primitive reads θ: only their constants are copied (the rest are 0 by contract). */
  private readonly hasConstant: Uint8Array;

  constructor(
    private readonly program: Program,
    capacity: number,
  ) {
    const n = Math.max(capacity, 1);
    this.values = new Float64Array(n);
    this.lambda = new Float64Array(n);
    this.variable = new Int32Array(n);
    this.opsCopy = new Int32Array(n);
    this.constantsCopy = new Float64Array(n);
    this.parentStartCopy = new Int32Array(n + 1);
    this.parentsCopy = new Int32Array(16);
    this.hasConstant = Uint8Array.from(primitives.all(), (p) => (p?.constant ? 1 : 0));
    this.programSweeps = sweepsOf(program);
    this.copySweeps = this.bindCopies();
    this.sweeps = this.programSweeps;
  }

  get capacity(): number {
    return this.values.length;
  }

  /** An empty window at cut a over `state`: the state's values in slots 0 … S−1. */
  load(state: SparseState, a: number): void {
    const n = state.length;
    const { values, variable } = this;
    const index = state.index;
    const value = state.value;
    for (let k = 0; k < n; k++) {
      variable[k] = index[k];
      values[k] = value[k];
    }
    this.stateSize = n;
    this.from = this.to = a;
  }

  /**
   * Closes the window at its end b = `to`: the slots that a constraint ≥ b still reads (lastEdge[j] ≥
   * parentStart[b], liveness) are compacted in place, in order, into the state at cut b, and the
   * window is empty again.
   */
  retain(lastEdge: Int32Array): void {
    const keep = this.program.parentStart[this.to];
    const { values, variable } = this;
    const used = this.stateSize + this.to - this.from;
    let n = 0;
    for (let k = 0; k < used; k++) {
      const j = variable[k];
      if (lastEdge[j] < keep) continue;
      variable[n] = j;
      values[n++] = values[k];
    }
    this.stateSize = n;
    this.from = this.to;
  }

  /**
   * Evaluates constraints `to` … b−1 and moves the state on to the cut at b, in windows of as many
   * constraints as fit in the capacity (the state leaving room for them), each window closed as in
   * `retain`. Where only one constraint fits — a chain's every step, in a frame of its state and
   * one value — open, forward and retain are fused into one pass over that constraint's parents,
   * since only they can leave the state (an edge that is its parent's last read).
   * False, at the offending window, when a value is not finite.
   */
  steps(b: number, lastEdge: Int32Array): boolean {
    const { values, variable, opsCopy, constantsCopy, parentStartCopy, hasConstant, capacity } = this;
    const { ops, parentStart, parents, constants } = this.program;
    let S = this.stateSize;
    let i = this.to;
    while (i < b) {
      if (capacity - S >= 2 && b - i >= 2) {
        // Room for several constraints: the general window.
        this.stateSize = S;
        this.from = i;
        this.open(Math.min(b, i + capacity - S));
        if (!this.forward()) return false;
        this.retain(lastEdge);
        S = this.stateSize;
        i = this.to;
        continue;
      }
      const first = parentStart[i];
      const end = parentStart[i + 1];
      if (end - first > this.parentsCopy.length) this.growParents(end - first);
      const parentsCopy = this.parentsCopy;
      const op = ops[i];
      opsCopy[S] = op;
      constantsCopy[S] = hasConstant[op] === 1 ? constants[i] : 0;
      parentStartCopy[S] = 0;
      parentStartCopy[S + 1] = end - first;
      const newest = S > 0 ? variable[S - 1] : -1;
      let dying = 0;
      for (let e = first; e < end; e++) {
        const j = parents[e];
        parentsCopy[e - first] = j === newest ? S - 1 : slotOf(variable, S, j);
        if (lastEdge[j] === e) dying++;
      }
      this.copySweeps.forward(values, S, S + 1);
      const y = values[S];
      if (y - y !== 0) {
        this.stateSize = S;
        this.from = i;
        this.to = i + 1;
        return false;
      }
      // Drop the parents read for the last time (all of the state, on a chain); keep i when a later constraint reads it.
      if (dying === S) {
        S = 0;
      } else if (dying > 0) {
        let n = 0;
        for (let k = 0; k < S; k++) {
          const j = variable[k];
          if (lastEdge[j] < end) continue;
          variable[n] = j;
          values[n++] = values[k];
        }
        S = n;
      }
      if (lastEdge[i] >= end) {
        variable[S] = i;
        values[S++] = y;
      }
      i++;
    }
    this.stateSize = S;
    this.from = this.to = i;
    return true;
  }

  /** Holds nothing: no state, an empty window. */
  clear(): void {
    this.stateSize = 0;
    this.to = this.from;
  }

  /** Copies the state slots into `state`. */
  saveState(state: SparseState): void {
    const n = this.stateSize;
    const { values, variable } = this;
    const index = state.index;
    const value = state.value;
    for (let k = 0; k < n; k++) {
      index[k] = variable[k];
      value[k] = values[k];
    }
    state.length = n;
  }

  /** v[slot] = p(parents) for the window's constraints, in order; false when a value is not finite. */
  forward(): boolean {
    const S = this.stateSize;
    const end = S + this.to - this.from;
    const v = this.values;
    this.sweeps.forward(v, S, end);
    for (let q = S; q < end; q++) if (v[q] - v[q] !== 0) return false;
    return true;
  }

  /** Back-substitution of λ over the window's constraints, in place on `lambda`; returns the partial evaluations. */
  reverse(): number {
    const S = this.stateSize;
    return this.sweeps.reverse(this.values, this.lambda, this.lambda, S, S + this.to - this.from);
  }

  /** Opens the window on constraints a … b−1 (a = the cut of the state), renumbered into the slots after the state. */
  open(b: number): void {
    const S = this.stateSize;
    const variable = this.variable;
    const a = this.from;
    this.to = b;
    for (let i = a; i < b; i++) variable[S + i - a] = i;
    // State = every variable before a (sorted, distinct, all < a): slot = variable index.
    if (S === a && (S === 0 || variable[S - 1] === S - 1)) {
      this.sweeps = this.programSweeps;
      return;
    }
    const { ops, parentStart, parents, constants } = this.program;
    const { opsCopy, constantsCopy, parentStartCopy, hasConstant } = this;
    const edges = parentStart[b] - parentStart[a];
    if (edges > this.parentsCopy.length) this.growParents(edges);
    const parentsCopy = this.parentsCopy;
    // The kernels never read the state slots' op codes, constants or parent lists: only the window's.
    const newest = S > 0 ? variable[S - 1] : -1;
    let q = 0;
    parentStartCopy[S] = 0;
    for (let i = a; i < b; i++) {
      const f = S + i - a;
      const op = ops[i];
      opsCopy[f] = op;
      constantsCopy[f] = hasConstant[op] === 1 ? constants[i] : 0;
      for (let e = parentStart[i], end = parentStart[i + 1]; e < end; e++) {
        const j = parents[e];
        // In the window, the newest state value (a chain's one parent), or found by bisection.
        parentsCopy[q++] = j >= a ? S + j - a : j === newest ? S - 1 : slotOf(variable, S, j);
      }
      parentStartCopy[f + 1] = q;
    }
    this.sweeps = this.copySweeps;
  }

  /** Room for `edges` renumbered parents (at least double), and the copies' sweeps bound to it. */
  private growParents(edges: number): void {
    this.parentsCopy = new Int32Array(Math.max(edges, 2 * this.parentsCopy.length));
    this.copySweeps = this.bindCopies();
  }

  private bindCopies(): Sweeps {
    return bindSweeps({
      ops: this.opsCopy,
      parentStart: this.parentStartCopy,
      parents: this.parentsCopy,
      constants: this.constantsCopy,
    });
  }
}

/** The slot of variable j among the sorted state slots 0 … n−1; j must be there (it is read after the cut). */
function slotOf(variable: Int32Array, n: number, j: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (variable[mid] < j) lo = mid + 1;
    else hi = mid;
  }
  if (lo >= n || variable[lo] !== j)
    throw new InternalError('frame', `#${j} is read after a cut but is not in its state`);
  return lo;
}
