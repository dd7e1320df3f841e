import type { Program } from '../program/program.ts';

// The sign convention, in one place:
//
//   L(x, v, λ) = Σ_o w_o v_o − Σ_i λ_i (v_i − p_i(v_Pa(i)))
//
// ∂L/∂λ_i = 0 is constraint i (the forward pass); ∂L/∂v_j = 0 is
//   λ_j = w_j + Σ_{i: j ∈ Pa(i)} λ_i ∂p_i/∂v_j,   i.e.   (I − J)ᵀ λ = w,
// so λ_j = ∂objective/∂v_j: the multiplier of a variable is its adjoint and, for an input, the
// gradient. Every schedule solves this system; `seed` writes its right-hand side w.

/** λ ← w: the right-hand side of (I − J)ᵀλ = w, with w_o = weights[k] on output o = outputs[k]. */
export function seed(program: Program, weights: Float64Array, lambda: Float64Array): void {
  lambda.fill(0);
  const outputs = program.outputs;
  for (let k = 0; k < outputs.length; k++) lambda[outputs[k]] += weights[k];
}

/** The objective Σ_o w_o v_o. */
export function objective(program: Program, weights: Float64Array, values: Float64Array): number {
  let total = -0; // −0 + x is x exactly, sign of a zero included (0 + −0 would be +0)
  const outputs = program.outputs;
  for (let k = 0; k < outputs.length; k++) total += weights[k] * values[outputs[k]];
  return total;
}
