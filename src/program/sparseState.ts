/**
 * A sparse vector over a program's variables: `length` pairs (index[k], value[k]), sorted by
 * variable index, in arrays of fixed capacity that are reused, never reallocated. A checkpoint's
 * state (the values live at a cut), a snapshot of it, the multipliers carried from one stage to the
 * one before, and the seed w of the objective are each one.
 */
export class SparseState {
  index: Int32Array;
  value: Float64Array;
  length = 0;

  constructor(capacity: number) {
    this.index = new Int32Array(capacity);
    this.value = new Float64Array(capacity);
  }

  /** The pairs of a map, sorted by variable (values of repeated keys are already summed by the map). */
  static from(entries: ReadonlyMap<number, number>): SparseState {
    const state = new SparseState(entries.size);
    for (const j of [...entries.keys()].sort((x, y) => x - y)) state.push(j, entries.get(j)!);
    return state;
  }

  get capacity(): number {
    return this.index.length;
  }

  /** Appends (j, x); j must exceed every index held. */
  push(j: number, x: number): void {
    this.index[this.length] = j;
    this.value[this.length++] = x;
  }

  /** Makes this state a copy of `other` (capacity permitting). */
  copyFrom(other: SparseState): void {
    const n = other.length;
    const { index, value } = this;
    const from = other.index;
    const values = other.value;
    for (let k = 0; k < n; k++) {
      index[k] = from[k];
      value[k] = values[k];
    }
    this.length = n;
  }

  /** The first position k with index[k] ≥ j (length when none): a binary search. */
  lowerBound(j: number): number {
    const index = this.index;
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index[mid] < j) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The value held for variable j, or 0 when j is absent (a seed's weight, a multiplier not yet reached). */
  get(j: number): number {
    const k = this.lowerBound(j);
    return k < this.length && this.index[k] === j ? this.value[k] : 0;
  }
}
