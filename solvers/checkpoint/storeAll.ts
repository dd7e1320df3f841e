import { ADVANCE, checkSteps, cursorPlan, END, FREE, RESTORE, REVERSE, STORE, type ActionCursor, type Plan } from './actions.ts';

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
  return cursorPlan('store-all', l, Math.max(l - 1, 0), () => new StoreAllCursor(l));
}

class StoreAllCursor implements ActionCursor {
  from = 0;
  to = 0;
  slot = 0;
  step = 0;
  // Position in the plan: the forward sweep emits 2 actions per step i < l − 1, the reverse 3 per step.
  private i = 0;
  private phase = 0;

  constructor(private readonly l: number) {}

  next(): number {
    const l = this.l;
    if (l === 0) return END;
    const i = this.i;
    switch (this.phase) {
      case 0: // forward: store x_i, then advance i → i+1
        if (i >= l - 1) {
          this.phase = 2;
          this.i = l - 2;
          this.step = l - 1;
          return REVERSE;
        }
        this.phase = 1;
        this.slot = this.step = i;
        return STORE;
      case 1:
        this.phase = 0;
        this.i = i + 1;
        this.from = i;
        this.to = i + 1;
        return ADVANCE;
      case 2: // backward: restore x_i, reverse i, free slot i
        if (i < 0) return END;
        this.phase = 3;
        this.slot = this.step = i;
        return RESTORE;
      case 3:
        this.phase = 4;
        this.step = i;
        return REVERSE;
      default:
        this.phase = 2;
        this.i = i - 1;
        this.slot = i;
        return FREE;
    }
  }
}
