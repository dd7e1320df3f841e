import type { Program } from '../../src/program/program.ts';
import { bindRingSweeps, type RingSweeps } from '../../src/primitives/ringSweeps.ts';
import { ADVANCE, FREE, RESTORE, REVERSE, STORE, type ActionBatch } from './actions.ts';
import { BYTES_PER_VALUE } from './costs.ts';
import { Executor, type ExecuteOptions } from './executor.ts';
import { liveSpan } from './liveness.ts';
import type { Stages } from './stages.ts';

// The executor for stages of one constraint (revolve's) on a program whose liveness is narrow:
// every value live at a cut b lies among the `span` variables before b (a chain's span is 1). Then
// the values need no window of their own: variable j lives in slot j & m of a ring of R = m + 1 ≥
// span + 1 slots, R a power of two within the working frame the costs charge, and the program's own
// arrays are swept in place (ringSweeps.ts). So an advance over k steps is one kernel call, not k;
// a reverse step is one forward and one reverse call on the ring, with no renumbering; and the
// multipliers live in a ring of their own across reverse steps, so nothing is carried or copied.
//
// Why the ring holds what is needed. Evaluating constraint b writes slot b & m over variable b − R,
// which is not live at b (b − j ≤ span ≤ R − 1 for every live j), so the state at each cut survives.
// Reversing constraint i touches the multipliers of L(i) ∪ {i} ∪ L(i + 1) ⊆ [i − span, i]: at most
// R consecutive variables, so distinct slots. A variable's multiplier slot is set to its seed w_j
// when the variable enters, at the reverse of its last reader (lastEdge[j] is one of i's edges, or i
// itself when nothing reads it), before any contribution; later readers add theirs in decreasing
// order. That is back-substitution's order, so λ agrees with `reverse` to the last bit, as the
// values do (same generated cases).
//
// Values that an advance overwrites are not checked for finiteness when written: every constraint
// is evaluated again, and checked, when its step is reversed, and the state each advance reaches is
// checked at once. (A failure is then named by the same diagnosis as reverse's.)

/** The ring for a program under unit stages with a working frame of `working` values, or null when its liveness is too wide or the sweeps are interpreted. */
export function ringFor(program: Program, working: number): { sweeps: RingSweeps; mask: number; span: number } | null {
  let R = 1;
  while (2 * R <= working) R *= 2;
  const span = liveSpan(program);
  if (span > R - 1) return null;
  const sweeps = bindRingSweeps(program);
  return sweeps && { sweeps, mask: R - 1, span };
}

export class RingExecutor extends Executor {
  /** Values by slot j & mask. */
  private readonly values: Float64Array;
  /** Multipliers by slot j & mask. */
  private readonly mu: Float64Array;
  private readonly mask: number;
  private readonly span: number;
  private readonly ring: RingSweeps;
  // Snapshot slot q holds `held[q]` variables and their values at q·capacity … in `index`, `value`.
  private readonly index: Int32Array;
  private readonly value: Float64Array;
  private readonly held: Int32Array;
  private readonly capacity: number;
  /** The cut of the current state: the variables before it that are live sit in the ring. */
  private cut: number;
  private size: number;
  /** Step s is constraint first + s. */
  private readonly first: number;

  constructor(
    program: Program,
    stages: Stages,
    slots: number,
    inputs: Float64Array,
    weights: Float64Array,
    options: ExecuteOptions,
    readonly working: number,
    maxLive: number,
    ring: { sweeps: RingSweeps; mask: number; span: number },
  ) {
    super(program, inputs, weights, options);
    this.ring = ring.sweeps;
    this.mask = ring.mask;
    this.span = ring.span;
    this.values = new Float64Array(this.mask + 1);
    this.mu = new Float64Array(this.mask + 1);
    this.capacity = Math.max(maxLive, 1);
    this.index = new Int32Array(slots * this.capacity);
    this.value = new Float64Array(slots * this.capacity);
    this.held = new Int32Array(slots);
    // x_0: the inputs some constraint reads.
    this.cut = this.first = stages.start(0);
    let size = 0;
    for (let j = 0; j < program.inputCount; j++) {
      if (this.last[j] < 0) continue;
      this.values[j & this.mask] = inputs[j];
      size++;
    }
    this.size = size;
  }

  get stateSize(): number {
    return this.size;
  }

  observe(batch: ActionBatch): void {
    const { kind, x, y, values, bytes, length } = batch;
    const first = this.first;
    for (let k = 0; k < length; k++) {
      switch (kind[k]) {
        case ADVANCE: {
          const size = this.advance(first + x[k], first + y[k]);
          values[k] = size;
          bytes[k] = BYTES_PER_VALUE * size;
          break;
        }
        case STORE:
          this.store(x[k]);
          break;
        case RESTORE: {
          // The snapshot's values back to their slots.
          const { values: ring, mask, index, value } = this;
          const from = x[k] * this.capacity;
          const n = this.held[x[k]];
          for (let q = from; q < from + n; q++) ring[index[q] & mask] = value[q];
          this.cut = first + y[k];
          this.size = n;
          break;
        }
        case FREE:
          break;
        case REVERSE:
          this.reverse(first + x[k]);
          values[k] = 1;
          bytes[k] = BYTES_PER_VALUE;
          break;
      }
    }
    this.report();
  }

  /** Evaluates constraints a … b−1 in one sweep over the ring; returns the size of the state reached. */
  private advance(a: number, b: number): number {
    this.ring.forward(this.values, this.mask, a, b);
    this.evaluations += b - a;
    this.sweeps++;
    this.cut = b;
    // The state at b: its values checked, counted for the costs.
    const { values, mask, last } = this;
    const keep = this.program.parentStart[b];
    let size = 0;
    for (let j = b - this.span > 0 ? b - this.span : 0; j < b; j++) {
      if (last[j] < keep) continue;
      const v = values[j & mask];
      if (v - v !== 0) this.failValues();
      size++;
    }
    return (this.size = size);
  }

  /** Copies the state at the current cut into snapshot `slot`. */
  private store(slot: number): void {
    const { values, mask, last, index, value } = this;
    const b = this.cut;
    const keep = this.program.parentStart[b];
    const from = slot * this.capacity;
    let q = from;
    for (let j = b - this.span > 0 ? b - this.span : 0; j < b; j++) {
      if (last[j] < keep) continue;
      index[q] = j;
      value[q++] = values[j & mask];
    }
    this.held[slot] = q - from;
  }

  /** Re-evaluates constraint i keeping its value, then propagates the multipliers back through it. */
  private reverse(i: number): void {
    const { values, mu, mask, last, ring } = this;
    ring.forward(values, mask, i, i + 1);
    const y = values[i & mask];
    if (y - y !== 0) this.failValues();
    this.evaluations++;
    if (this.noting(i, i + 1)) this.reached(i, i + 1, values, i & mask);
    // Multipliers entering: i itself when nothing reads it, each parent read here for the last time.
    const { parentStart, parents } = this.program;
    const first = parentStart[i];
    const end = parentStart[i + 1];
    if (last[i] < 0) mu[i & mask] = this.seedOf(i);
    for (let e = first; e < end; e++) {
      const j = parents[e];
      if (last[j] === e) mu[j & mask] = this.seedOf(j);
    }
    this.partials += ring.reverse(values, mu, mu, mask, i, i + 1);
    this.sweeps += 2;
    const l = mu[i & mask];
    if (l - l !== 0) this.failMultipliers();
    for (let e = first; e < end; e++) {
      const m = mu[parents[e] & mask];
      if (m - m !== 0) this.failMultipliers();
    }
    if (this.lambda) this.lambda[i] = l;
    this.size = 0;
  }

  protected inputMultiplier(j: number): number {
    return this.mu[j & this.mask];
  }
}
