import { LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { BlockSweeps } from './blockSweeps.ts';
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
  /**
   * values[i] = p_i(values_Pa(i)) for i in [from, to), in order; inputs untouched. Returns 0 when
   * every value written is finite, NaN when one may not be (then scan them: finite.ts).
   */
  forward(values: Float64Array, from: number, to: number): number;
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

/**
 * The sweeps of a program (bound once and cached with it). A program with vector or matrix
 * variables (a layout) gets the block family (blockSweeps.ts): forward, reverse and tangent over its
 * slabs, one block rule per constraint; lanes, value and partials address one number per variable
 * and have no block form (the schedules' block paths use BlockSweeps for those).
 */
export function sweepsOf(program: ProgramArrays & { readonly layout?: unknown }): Sweeps {
  let sweeps = bound.get(program);
  if (sweeps === undefined)
    bound.set(program, (sweeps = program.layout ? blockFamily(program as Program) : bindSweeps(program)));
  return sweeps;
}

function blockFamily(program: Program): Sweeps {
  const blocks = BlockSweeps.of(program);
  const scalarOnly = (what: string) => () => {
    throw new LagradError(
      `sweeps.${what}`,
      'addresses one number per variable; a program with vector or matrix variables has no such sweep (use BlockSweeps)',
    );
  };
  return {
    // The block rules do not fold finiteness into the sweep: NaN, so that the caller scans.
    forward: (v, from, to) => {
      blocks.forward(v, from, to);
      return NaN;
    },
    reverse: (v, src, dst, from, to) => blocks.reverse(v, src, dst, from, to),
    tangent: (v, src, dst, from, to) => blocks.tangent(v, src, dst, from, to),
    lanes: scalarOnly('lanes'),
    value: scalarOnly('value'),
    partials: scalarOnly('partials'),
  };
}
