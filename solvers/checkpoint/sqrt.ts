import { advance, checkSteps, free, makePlan, restore, reverse, SlotPool, store, type Action, type Plan } from './actions.ts';

/** The default segment length k = ⌈√l⌉ (Chen, Xu, Zhang & Guestrin 2016, "Training deep nets with sublinear memory cost"). */
export function sqrtSegment(l: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(l)));
}

/**
 * Slots used by {@link sqrtPlan}: max over segments j of j + len_j − 1, the boundaries x_{b_0} … x_{b_{j−1}}
 * of the earlier segments plus every state of segment j but its last (which is current when reversed).
 * With k = ⌈√l⌉ that is about 2√l.
 */
export function sqrtSlots(l: number, k = sqrtSegment(l)): number {
  checkSegment(l, k);
  const segments = Math.ceil(l / k);
  let peak = 0;
  for (let j = 0; j < segments; j++) peak = Math.max(peak, j + Math.min(k, l - j * k) - 1);
  return peak;
}

/**
 * Uniform segments of k steps (default ⌈√l⌉): a forward sweep stores the segment boundaries
 * b_j = j·k; then, last segment first, restore its boundary, recompute through it storing every
 * state, and reverse it. Advances (m = ⌈l/k⌉ segments): (m−1)·k for the sweep plus l − m inside the
 * segments, about 2l; slots: {@link sqrtSlots}, about 2√l.
 */
export function sqrtPlan(l: number, k = sqrtSegment(l)): Plan {
  checkSteps('sqrt', l);
  const slots = sqrtSlots(l, k);
  return makePlan('sqrt', l, slots, function* (): Generator<Action> {
    if (l === 0) return;
    const pool = new SlotPool(slots);
    const segments = Math.ceil(l / k);
    // The sweep stops at the last boundary: the last segment is recomputed from there without a restore.
    for (let j = 0; j < segments - 1; j++) {
      yield store(pool.take(), j * k); // boundary j lands in slot j: the pool hands out 0, 1, … in order
      yield advance(j * k, (j + 1) * k);
    }
    for (let j = segments - 1; j >= 0; j--) {
      const b = j * k;
      const e = Math.min(l, b + k);
      const boundary = j < segments - 1 ? j : -1; // −1: x_b is only the current state, not stored yet
      if (boundary >= 0) yield restore(boundary, b);
      // slotOf[i − b] holds x_i while the segment is reversed; O(k) memory.
      const slotOf: number[] = [boundary];
      for (let i = b; i < e - 1; i++) {
        if (slotOf[i - b] < 0) {
          slotOf[i - b] = pool.take();
          yield store(slotOf[i - b], i);
        }
        yield advance(i, i + 1);
        slotOf.push(-1);
      }
      yield reverse(e - 1);
      for (let i = e - 2; i >= b; i--) {
        yield restore(slotOf[i - b], i);
        yield reverse(i);
        yield free(slotOf[i - b]);
        pool.release(slotOf[i - b]);
      }
      // A one-step segment reversed its boundary state straight after the restore above.
      if (e - b === 1 && boundary >= 0) {
        yield free(boundary);
        pool.release(boundary);
      }
    }
  });
}

function checkSegment(l: number, k: number): void {
  checkSteps('sqrt', l);
  if (!Number.isSafeInteger(k) || k < 1) throw new RangeError(`sqrt: the segment length must be an integer ≥ 1, got ${k}`);
}
