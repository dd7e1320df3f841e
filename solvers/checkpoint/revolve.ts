import {
  ActionBatch,
  ADVANCE,
  checkSteps,
  FREE,
  RESTORE,
  REVERSE,
  SlotPool,
  sourcePlan,
  STORE,
  type ActionSource,
  type Plan,
} from './actions.ts';
import { BinomialTable, checkChain, repetitionNumber, revolveSplit } from './binomial.ts';

export {
  beta,
  fewestWritesTable,
  optimalAdvancesDP,
  optimalAdvancesTable,
  repetitionNumber,
  revolveAdvances,
  revolveSplit,
  revolveWrites,
} from './binomial.ts';

/**
 * Binomial checkpointing with c slots (Griewank & Walther, binomial.ts): exactly
 * revolveAdvances(l, c) advances and revolveWrites(l, c) snapshot writes. The plan's slot limit is
 * min(c, l − 1), since more slots are never useful. The recursive split is an explicit stack of at
 * most c pending first parts, so the plan streams in O(c) memory for any l.
 */
export function revolvePlan(l: number, c: number): Plan {
  checkSteps('revolve', l);
  checkChain(l, c);
  if (l > MAX_STEPS)
    throw new RangeError(
      `revolve: a plan streams at most ${MAX_STEPS} steps (as many as a program has constraints), got ${l}`,
    );
  const slots = Math.min(c, Math.max(l - 1, 0));
  return sourcePlan('revolve', l, slots, () => new RevolveSource(l, slots));
}

/** Steps are numbered in 32-bit integers, as a program's variables are. */
const MAX_STEPS = 2 ** 31 - 1;

// The plan, as a generator would write it:
//
//   store x₀ in a slot; the task: reverse steps [a, b) = [0, l) with k = slots slots, x_a current
//   loop:
//     while b − a ≥ 3:  m = a + split(b − a, k); advance a → m; store x_m unless b − m = 1
//                       (a one-step last part is reversed straight from the current state);
//                       push the first part [a, m); continue with [m, b) and k − 1 slots
//     b − a = 2:        advance a → a+1, reverse a+1, restore x_a, reverse a (the split at a + 1,
//                       written at once: the most common task)
//     b − a = 1:        reverse a
//     if nothing is pending: free x₀'s slot, done
//     pop [a, m); free the slot of x_m if it had one; restore x_a
//
// written as a resumable loop that fills batches of actions, its registers in locals. It writes a
// group of actions (at most GROUP) only while the batch has room for it, so it never stops inside
// a group; batches smaller than STAGED are filled from a staging batch of its own.
const START = 0;
const DESCEND = 1;
const ASCEND = 2;
const DONE = 3;

/** The most actions one group writes (a two-step task). */
const GROUP = 4;
/** Batches below this capacity are served through the staging batch. */
const STAGED = 2 * GROUP;

class RevolveSource implements ActionSource {
  private phase = START;
  private index = 0;
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
  // Pending first parts [a, b) with their slot count k, the slot s holding x_a, the slot t (x_b)
  // that their last part used, and the bound r − 1 on their repetition number.
  private readonly pendA: Int32Array;
  private readonly pendB: Int32Array;
  private readonly pendK: Int32Array;
  private readonly pendS: Int32Array;
  private readonly pendT: Int32Array;
  private readonly pendR: Int32Array;
  private depth = 0;
  /** For small batches: actions written ahead, and the next one to hand out. */
  private staged: ActionBatch | null = null;
  private next = 0;

  constructor(
    private readonly l: number,
    slots: number,
  ) {
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

  fill(batch: ActionBatch): number {
    if (batch.capacity < STAGED || this.staged !== null) return this.fillStaged(batch);
    batch.first = this.index;
    const n = this.write(batch);
    this.index += n;
    return (batch.length = n);
  }

  /** Copies actions written ahead into the batch, writing more as needed. */
  private fillStaged(batch: ActionBatch): number {
    const staged = (this.staged ??= new ActionBatch(64));
    batch.first = this.index;
    let n = 0;
    while (n < batch.capacity) {
      if (this.next === staged.length) {
        this.next = 0;
        staged.length = this.write(staged);
        if (staged.length === 0) break;
      }
      const q = this.next++;
      batch.kind[n] = staged.kind[q];
      batch.x[n] = staged.x[q];
      batch.y[n++] = staged.y[q];
    }
    this.index += n;
    return (batch.length = n);
  }

  /** Writes the next actions, in whole groups while at least GROUP places are left; returns how many. */
  private write(batch: ActionBatch): number {
    const { kind, x, y } = batch;
    const limit = batch.capacity - GROUP;
    const { pool, table, pendA, pendB, pendK, pendS, pendT, pendR } = this;
    let { phase, a, b, k, s, r, depth } = this;
    let n = 0;
    if (phase === START) {
      phase = this.l >= 2 ? DESCEND : DONE;
      if (this.l === 1) {
        kind[n] = REVERSE;
        x[n++] = 0;
      } else if (this.l >= 2) {
        this.initial = s = pool.take();
        kind[n] = STORE;
        x[n] = s;
        y[n++] = 0;
      }
    }
    while (phase !== DONE && n <= limit) {
      if (phase === DESCEND) {
        if (b - a >= 3) {
          // The first part m ≤ β(k, r−1) repeats at most r − 1 times, the last part at most r.
          let mid: number;
          if (k >= b - a - 1) {
            mid = a + 1; // slots for every state (r = 1): the split is one step, as revolveSplit gives
          } else if (table !== null) {
            const steps = b - a;
            const slots = k < steps - 1 ? k : steps - 1;
            r = table.repetition(steps, slots, r);
            mid = a + table.split(steps, slots, r);
          } else {
            mid = a + revolveSplit(b - a, k);
          }
          const slot = b - mid >= 2 ? pool.take() : -1;
          pendA[depth] = a;
          pendB[depth] = mid;
          pendK[depth] = k;
          pendS[depth] = s;
          pendT[depth] = slot;
          pendR[depth++] = r - 1;
          kind[n] = ADVANCE;
          x[n] = a;
          y[n++] = mid;
          a = mid;
          k -= 1;
          s = slot;
          if (slot >= 0) {
            kind[n] = STORE;
            x[n] = s;
            y[n++] = a;
          }
          continue;
        }
        if (b - a === 2) {
          kind[n] = ADVANCE;
          x[n] = a;
          y[n++] = a + 1;
          kind[n] = REVERSE;
          x[n++] = a + 1;
          kind[n] = RESTORE;
          x[n] = s;
          y[n++] = a;
          kind[n] = REVERSE;
          x[n++] = a;
        } else {
          kind[n] = REVERSE;
          x[n++] = a;
        }
        phase = ASCEND;
        continue;
      }
      // ASCEND: the pending first part, from its stored start.
      if (depth === 0) {
        phase = DONE;
        kind[n] = FREE;
        x[n++] = this.initial;
        break;
      }
      depth--;
      a = pendA[depth];
      b = pendB[depth];
      k = pendK[depth];
      s = pendS[depth];
      r = pendR[depth];
      const t = pendT[depth];
      if (t >= 0) {
        pool.release(t);
        kind[n] = FREE;
        x[n++] = t;
      }
      kind[n] = RESTORE;
      x[n] = s;
      y[n++] = a;
      phase = DESCEND;
    }
    this.phase = phase;
    this.a = a;
    this.b = b;
    this.k = k;
    this.s = s;
    this.r = r;
    this.depth = depth;
    return n;
  }
}
