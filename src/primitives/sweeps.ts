import { primitives, type PrimitiveRegistry } from './registry.ts';

// The sweeps bound to one program's arrays, so a schedule writes `sweeps.reverse(values, λ, λ, from,
// to)` instead of passing op codes, parent offsets, parents and constants at every call. Each bound
// sweep asks the registry for its current kernels at each call — one call per sweep, nothing per
// variable — so it follows a primitive registered after the program was built and a switch to the
// interpreter. A program of another layout (blocks in slabs) gets another family of kernels behind
// this same interface.

/** The arrays a sweep reads: what `Program` holds (and a checkpoint frame, renumbered). */
export interface ProgramArrays {
  readonly ops: Int32Array;
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly constants: Float64Array;
}

/** The six sweeps of kernels.ts with the program's arrays bound. */
export interface Sweeps {
  /** values[i] = p_i(values_Pa(i)) for i in [from, to), in order; inputs untouched. */
  forward(values: Float64Array, from: number, to: number): void;
  /**
   * dst[j] += src[i] · ∂p_i/∂v_j for every parent j of i, i from to−1 down to from (with src = dst:
   * back-substitution of (I − J)ᵀλ = w), skipping constraints with src[i] = 0. Returns how many
   * constraints had their partials evaluated.
   */
  reverse(values: Float64Array, src: Float64Array, dst: Float64Array, from: number, to: number): number;
  /** dst[i] = Σ_j ∂p_i/∂v_j · src[j] for i in [from, to), in order: one application of J. */
  tangent(values: Float64Array, src: Float64Array, dst: Float64Array, from: number, to: number): void;
  /** The tangent sweep on K lanes: T[i·K + k] = Σ_j ∂p_i/∂v_j · T[j·K + k]. */
  lanes(values: Float64Array, T: Float64Array, K: number, from: number, to: number): void;
  /** p_i(values_Pa(i)) of one constraint, without writing it (values[i] for an input). */
  value(i: number, values: Float64Array): number;
  /** out[k] = ∂p_i/∂v_(k-th parent of i), reading y from values[i]. */
  partials(i: number, values: Float64Array, out: Float64Array): void;
}

/**
 * The sweeps over these arrays, from `registry`'s current kernels at each call. Plain closures (no
 * `this`), so `const { value } = sweepsOf(program)` works.
 */
export function bindSweeps(arrays: ProgramArrays, registry: PrimitiveRegistry = primitives): Sweeps {
  const { ops, parentStart: ps, parents: pa, constants: cs } = arrays;
  return {
    forward: (v, from, to) => registry.kernels().forward(v, ops, ps, pa, cs, from, to),
    reverse: (v, src, dst, from, to) => registry.kernels().reverse(v, src, dst, ops, ps, pa, cs, from, to),
    tangent: (v, src, dst, from, to) => registry.kernels().tangent(v, src, dst, ops, ps, pa, cs, from, to),
    lanes: (v, T, K, from, to) => registry.kernels().lanes(v, T, K, ops, ps, pa, cs, from, to),
    value: (i, v) => registry.kernels().value(i, v, ops, ps, pa, cs),
    partials: (i, v, out) => registry.kernels().partials(i, v, ops, ps, pa, cs, out),
  };
}

const bound = new WeakMap<ProgramArrays, Sweeps>();

/** The sweeps of a program (bound once and cached with it). */
export function sweepsOf(program: ProgramArrays): Sweeps {
  let sweeps = bound.get(program);
  if (sweeps === undefined) bound.set(program, (sweeps = bindSweeps(program)));
  return sweeps;
}
