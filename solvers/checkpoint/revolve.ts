import { checkSteps, cursorPlan, END, FREE, ADVANCE, RESTORE, REVERSE, SlotPool, STORE, type ActionCursor, type Plan } from './actions.ts';
import { BinomialTable, checkChain, repetitionNumber, revolveSplit } from './binomial.ts';

export { beta, fewestWritesTable, optimalAdvancesDP, optimalAdvancesTable, repetitionNumber, revolveAdvances, revolveSplit, revolveWrites } from './binomial.ts';

/**
 * Binomial checkpointing with c slots (Griewank & Walther, binomial.ts): exactly
 * revolveAdvances(l, c) advances and revolveWrites(l, c) snapshot writes. The plan's slot limit is
 * min(c, l − 1), since more slots are never useful. The recursive split is an explicit stack of at
 * most c pending first parts, so the plan streams in O(c) memory for any l.
 */
export function revolvePlan(l: number, c: number): Plan {
  checkSteps('revolve', l);
  checkChain(l, c);
  if (l > MAX_STEPS) throw new RangeError(`revolve: a plan streams at most ${MAX_STEPS} steps (as many as a program has constraints), got ${l}`);
  const slots = Math.min(c, Math.max(l - 1, 0));
  return cursorPlan('revolve', l, slots, () => new RevolveCursor(l, slots));
}

/** Steps are numbered in 32-bit integers, as a program's variables are. */
const MAX_STEPS = 2 ** 31 - 1;

// The plan, as a generator would write it:
//
//   store x₀ in a slot; the task: reverse steps [a, b) = [0, l) with k = slots slots, x_a current
//   loop:
//     while b − a ≥ 2:  m = a + split(b − a, k); advance a → m; store x_m unless b − m = 1
//                       (a one-step last part is reversed straight from the current state);
//                       push the first part [a, m); continue with [m, b) and k − 1 slots
//     reverse a
//     if nothing is pending: free x₀'s slot, done
//     pop [a, m); free the slot of x_m if it had one; restore x_a
//
// written as a resumable state machine so that each action costs a few integer operations.
const START = 0;
const DESCEND = 1;
const STORE_MID = 2;
const ASCEND = 3;
const RESTORE_FIRST = 4;
const DONE = 5;

class RevolveCursor implements ActionCursor {
  from = 0;
  to = 0;
  slot = 0;
  step = 0;
  private phase = START;
  private readonly pool: SlotPool;
  private initial = -1;
  // The task at hand: reverse steps a … b−1 with k slots; x_a is current and, if b − a ≥ 2, in slot s;
  // r bounds its repetition number from above (the splits' look-ups walk it down).
  private a = 0;
  private b: number;
  private k: number;
  private s = -1;
  private r: number;
  /** The binomials of this chain, or null when the closed form splits (huge tables). */
  private readonly table: BinomialTable | null;
  // Pending first parts [a, b) with their slot count k, the slot s holding x_a, and the slot t (x_b)
  // that their last part used and that is freed before they start (−1: none).
  private readonly pendA: Int32Array;
  private readonly pendB: Int32Array;
  private readonly pendK: Int32Array;
  private readonly pendS: Int32Array;
  private readonly pendT: Int32Array;
  private readonly pendR: Int32Array;
  private depth = 0;
  private t = -1; // the slot popped with the task, freed before its restore

  constructor(private readonly l: number, slots: number) {
    this.pool = new SlotPool(slots);
    this.b = l;
    this.k = slots;
    const depth = slots + 1;
    this.pendA = new Int32Array(depth);
    this.pendB = new Int32Array(depth);
    this.pendK = new Int32Array(depth);
    this.pendS = new Int32Array(depth);
    this.pendT = new Int32Array(depth);
    this.pendR = new Int32Array(depth);
    this.r = l >= 2 ? repetitionNumber(l, slots) : 0;
    this.table = l >= 2 ? BinomialTable.tryBuild(slots, this.r) : null;
  }

  next(): number {
    switch (this.phase) {
      case START:
        if (this.l === 0) return this.finish();
        if (this.l === 1) {
          this.phase = DONE;
          this.step = 0;
          return REVERSE;
        }
        this.initial = this.s = this.pool.take();
        this.phase = DESCEND;
        this.slot = this.initial;
        this.step = 0;
        return STORE;
      case DESCEND: {
        const { a, b, k } = this;
        if (b - a < 2) {
          this.phase = ASCEND;
          this.step = a;
          return REVERSE;
        }
        // The first part m ≤ β(k, r−1) repeats at most r − 1 times, the last part at most r.
        let mid: number;
        const table = this.table;
        if (table !== null) {
          const n = b - a;
          const s = Math.min(k, n - 1);
          this.r = table.repetition(n, s, this.r);
          mid = a + table.split(n, s, this.r);
        } else {
          mid = a + revolveSplit(b - a, k);
        }
        const t = b - mid >= 2 ? this.pool.take() : -1;
        const d = this.depth++;
        this.pendA[d] = a;
        this.pendB[d] = mid;
        this.pendK[d] = k;
        this.pendS[d] = this.s;
        this.pendT[d] = t;
        this.pendR[d] = this.r - 1;
        this.a = mid;
        this.k = k - 1;
        this.s = t;
        if (t >= 0) this.phase = STORE_MID;
        this.from = a;
        this.to = mid;
        return ADVANCE;
      }
      case STORE_MID:
        this.phase = DESCEND;
        this.slot = this.s;
        this.step = this.a;
        return STORE;
      case ASCEND: {
        if (this.depth === 0) {
          this.phase = DONE;
          this.slot = this.initial;
          return FREE;
        }
        const d = --this.depth;
        this.a = this.pendA[d];
        this.b = this.pendB[d];
        this.k = this.pendK[d];
        this.s = this.pendS[d];
        this.t = this.pendT[d];
        this.r = this.pendR[d];
        if (this.t >= 0) {
          this.pool.release(this.t);
          this.phase = RESTORE_FIRST;
          this.slot = this.t;
          return FREE;
        }
        return this.restoreFirst();
      }
      case RESTORE_FIRST:
        return this.restoreFirst();
      default:
        return this.finish();
    }
  }

  private restoreFirst(): number {
    this.phase = DESCEND;
    this.slot = this.s;
    this.step = this.a;
    return RESTORE;
  }

  private finish(): number {
    this.phase = DONE;
    return END;
  }
}
