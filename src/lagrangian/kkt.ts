import { LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { seed } from './lagrangian.ts';

// The pieces of the KKT system of the Lagrangian (see lagrangian.ts for the sign convention):
//   primal   c(v) = v − p(v) = 0                 (stationarity in λ)
//   dual     (I − J)ᵀλ − w = 0                   (stationarity in v)
// J is sparse with the program's own structure: row i holds the parents of constraint i, so its
// values are stored aligned with `program.parents` and `program.parentStart` is its row offsets.
// Everything is derived from the registry's generated kernels, never from a switch of our own.

/**
 * The local partials J_ij = ∂p_i/∂v_j at `values`, as a CSR matrix over the program's structure:
 * `out[e]` is the partial of constraint i with respect to its parent `program.parents[e]`, for e in
 * [parentStart[i], parentStart[i + 1]). Inputs have empty rows. A parent listed twice (x·x) has
 * two entries; products and assembly add them.
 */
export function localPartials(
  program: Program,
  values: Float64Array,
  out: Float64Array = new Float64Array(program.parents.length),
): Float64Array {
  const { parentStart, inputCount, size } = program;
  const { partials } = sweepsOf(program);
  // The kernel writes a row from offset 0; one scratch row avoids a subarray per variable.
  const row = new Float64Array(program.maxParents());
  for (let i = inputCount; i < size; i++) {
    partials(i, values, row);
    const s = parentStart[i];
    const count = parentStart[i + 1] - s;
    for (let k = 0; k < count; k++) out[s + k] = row[k];
  }
  return out;
}

/** The primal residuals r_i = v_i − p_i(v_Pa(i)) of every constraint (0 for inputs). */
export function primalResiduals(
  program: Program,
  values: Float64Array,
  out: Float64Array = new Float64Array(program.size),
): Float64Array {
  const { inputCount, size } = program;
  const { value } = sweepsOf(program);
  out.fill(0, 0, inputCount);
  for (let i = inputCount; i < size; i++) out[i] = values[i] - value(i, values);
  return out;
}

/**
 * The dual residual (I − J)ᵀλ − w, i.e. component j is λ_j − Σ_{i: j ∈ Pa(i)} λ_i J_ij − w_j, for
 * any λ; zero exactly when λ are the multipliers. `partials` is J from `localPartials`.
 */
export function dualResiduals(
  program: Program,
  partials: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  out: Float64Array = new Float64Array(program.size),
): Float64Array {
  const { parentStart, parents, inputCount, size } = program;
  // out ← −Jᵀλ, then out_j ← λ_j + out_j − w_j.
  out.fill(0);
  for (let i = size - 1; i >= inputCount; i--) {
    const l = lambda[i];
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) out[parents[e]] -= l * partials[e];
  }
  const w = new Float64Array(size);
  seed(program, weights, w);
  for (let j = 0; j < size; j++) out[j] = lambda[j] + out[j] - w[j];
  return out;
}

/**
 * out = J v̇: one application of the local partials (the registry's tangent kernel); out is 0 on
 * inputs. `out` must be another array than `tangent` (in place, the sweep would solve (I − J)v̇ instead).
 */
export function partialsProduct(
  program: Program,
  values: Float64Array,
  tangent: Float64Array,
  out: Float64Array = new Float64Array(program.size),
): Float64Array {
  if (out === tangent) throw new LagradError('partialsProduct', 'the tangent and the result must be different arrays');
  const { inputCount, size } = program;
  out.fill(0, 0, inputCount);
  sweepsOf(program).tangent(values, tangent, out, inputCount, size);
  return out;
}

/** out = Jᵀλ: one application of the transposed local partials (the registry's reverse kernel). */
export function partialsTransposeProduct(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  out: Float64Array = new Float64Array(program.size),
): Float64Array {
  const { inputCount, size } = program;
  out.fill(0);
  sweepsOf(program).reverse(values, lambda, out, inputCount, size);
  return out;
}

/**
 * μ = (I − |J|)⁻ᵀ|w| by one reverse sweep: μ_j = Σ over paths j → o of |w_o| ∏ |J| along the path,
 * the adjoint with every partial and weight replaced by its size. It bounds |λ_j| and is the scale
 * of the rounding error of any way of summing the chain rule. On a cyclic program the sweep
 * ignores edges back into a component, which only lowers the scale.
 */
export function absoluteAdjoint(program: Program, J: Float64Array, weights: Float64Array): Float64Array {
  const { size, inputCount, parentStart, parents } = program;
  const mu = new Float64Array(size);
  seed(program, weights, mu);
  for (let j = 0; j < size; j++) mu[j] = Math.abs(mu[j]);
  for (let i = size - 1; i >= inputCount; i--) {
    const m = mu[i];
    if (m === 0) continue;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) mu[parents[e]] += m * Math.abs(J[e]);
  }
  return mu;
}
