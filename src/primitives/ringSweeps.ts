import { interpreting, codegenEpoch } from './codegen.ts';
import { compileKernels } from './kernels.ts';
import { primitives, type PrimitiveRegistry } from './registry.ts';
import type { Addressing } from './sweepSource.ts';
import type { ProgramArrays } from './sweeps.ts';

// The forward and reverse sweeps with the values in a ring of R slots (R a power of two): variable i
// sits in slot i & (R − 1), so a sweep over constraints a … b−1 runs in one call over the program's
// own arrays while holding R values, each value overwriting the one R places before it. Correct
// whenever every value still to be read lies within the R − 1 variables before the one written (a
// chain's liveness reaches one back): checkpointing then advances a long chain in one call instead
// of one call per step. The same generated cases as the sweeps of kernels.ts, addressed through
// `slot(i) = (i & m)`. Generated only: where the sweeps are interpreted there is no ring, and the
// caller keeps its other path.

/** Slot i & m, the mask m after the constants. */
export const RING: Addressing = { arrays: ['m'], slot: (index) => `(${index} & m)` };

type RingForward = (
  v: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  m: number,
  from: number,
  to: number,
) => void;
type RingReverse = (
  v: Float64Array,
  src: Float64Array,
  dst: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  m: number,
  from: number,
  to: number,
) => number;

/** Two sweeps over a ring of mask + 1 slots, with a program's arrays bound. */
export interface RingSweeps {
  /** values[i & mask] = p_i(values[j & mask] for j ∈ Pa(i)) for i in [from, to), in order. */
  forward(values: Float64Array, mask: number, from: number, to: number): void;
  /**
   * dst[j & mask] += src[i & mask] · ∂p_i/∂v_j for every parent j of i, i from to−1 down to from,
   * skipping constraints with src[i & mask] = 0; returns how many had their partials evaluated.
   */
  reverse(values: Float64Array, src: Float64Array, dst: Float64Array, mask: number, from: number, to: number): number;
}

interface Compiled {
  readonly epoch: number;
  readonly primitives: number;
  readonly forward: RingForward;
  readonly reverse: RingReverse;
}

const compiled = new WeakMap<PrimitiveRegistry, Compiled>();

/** The ring sweeps of the registry's current table (compiled once per table and choice of interpreter), or null when interpreted. */
function ringKernels(registry: PrimitiveRegistry): Compiled | null {
  if (interpreting()) return null;
  const table = registry.checkedAll();
  let k = compiled.get(registry);
  if (k === undefined || k.epoch !== codegenEpoch() || k.primitives !== table.length) {
    const kernels = compileKernels(table, RING);
    k = {
      epoch: codegenEpoch(),
      primitives: table.length,
      forward: kernels.forward as unknown as RingForward,
      reverse: kernels.reverse as unknown as RingReverse,
    };
    compiled.set(registry, k);
  }
  return k;
}

/**
 * The ring sweeps over these arrays with the registry's current kernels, or null where the sweeps
 * are interpreted. Unlike the sweeps of sweeps.ts they do not follow later registrations: bind them
 * for one run (the checkpoint executor binds them at each).
 */
export function bindRingSweeps(arrays: ProgramArrays, registry: PrimitiveRegistry = primitives): RingSweeps | null {
  const k = ringKernels(registry);
  if (k === null) return null;
  const { forward, reverse } = k;
  const { ops, parentStart: ps, parents: pa, constants: cs } = arrays;
  return {
    forward: (v, m, from, to) => forward(v, ops, ps, pa, cs, m, from, to),
    reverse: (v, src, dst, m, from, to) => reverse(v, src, dst, ops, ps, pa, cs, m, from, to),
  };
}
