import {
  ADVANCE,
  checkSteps,
  FREE,
  RESTORE,
  REVERSE,
  sourcePlan,
  STORE,
  type ActionBatch,
  type ActionSource,
  type Plan,
} from './actions.ts';

/**
 * The baseline: one forward sweep storing every state, then reverse l−1 … 0 restoring each in turn.
 *
 * Snapshots: x₀ … x_{l−2} go to slots 0 … l−2, and x_{l−1} is the current state when the sweep ends,
 * reversed at once; so the plan uses l−1 slots, and l states are held at the peak counting the
 * working state. Advances: l−1 (one sweep); evaluations: 2l−1: what revolve costs with c ≥ l−1 slots.
 *
 *   for i in 0 … l−2: store x_i in slot i, advance i → i+1
 *   reverse l−1
 *   for i in l−2 … 0: restore slot i, reverse i, free slot i
 */
export function storeAllPlan(l: number): Plan {
  checkSteps('store-all', l);
  return sourcePlan('store-all', l, Math.max(l - 1, 0), () => new StoreAllSource(l));
}

class StoreAllSource implements ActionSource {
  /** The plan's actions are numbered: 2i, 2i+1 for the sweep's step i; 2(l−1) the first reverse; then 3 per step. */
  private index = 0;

  constructor(private readonly l: number) {}

  fill(batch: ActionBatch): number {
    const { kind, x, y, capacity } = batch;
    const l = this.l;
    const total = l === 0 ? 0 : 2 * (l - 1) + 1 + 3 * (l - 1);
    batch.first = this.index;
    let n = 0;
    for (let q = this.index; n < capacity && q < total; q++, n++) {
      if (q < 2 * (l - 1)) {
        const i = q >> 1;
        kind[n] = q % 2 === 0 ? STORE : ADVANCE;
        x[n] = i;
        y[n] = q % 2 === 0 ? i : i + 1;
      } else if (q === 2 * (l - 1)) {
        kind[n] = REVERSE;
        x[n] = l - 1;
      } else {
        const r = q - 2 * (l - 1) - 1;
        const i = l - 2 - Math.floor(r / 3);
        kind[n] = r % 3 === 0 ? RESTORE : r % 3 === 1 ? REVERSE : FREE;
        x[n] = i;
        y[n] = i;
      }
    }
    this.index += n;
    return (batch.length = n);
  }
}
