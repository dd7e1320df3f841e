import type { Program } from '../program/program.ts';

// The sign convention, in one place:
//
//   L(x, v, λ) = Σ_o w_o v_o − Σ_i λ_i (v_i − p_i(v_Pa(i)))
//
// ∂L/∂λ_i = 0 is constraint i (the forward pass); ∂L/∂v_j = 0 is
//   λ_j = w_j + Σ_{i: j ∈ Pa(i)} λ_i ∂p_i/∂v_j,   i.e.   (I − J)ᵀ λ = w,
// so λ_j = ∂objective/∂v_j: the multiplier of a variable is its adjoint and, for an input, the
// gradient. Every schedule solves this system; `seed` writes its right-hand side w.

// With vector and matrix variables (program.layout ≠ null), an output o is a block and its weight
// w_o a block of the same shape: the objective is Σ_o ⟨w_o, v_o⟩, and `weights` holds the outputs'
// weights one after another, entry by entry (for scalar outputs, one weight each, as before).

/**
 * λ ← w: the right-hand side of (I − J)ᵀλ = w, with w_o = weights[k] on output o = outputs[k].
 * `zeroed`: λ is known to be all zeros already (a fresh array), so it is not cleared again.
 */
export function seed(program: Program, weights: Float64Array, lambda: Float64Array, zeroed = false): void {
  if (!zeroed) lambda.fill(0);
  const outputs = program.outputs;
  const layout = program.layout;
  if (layout === null) {
    for (let k = 0; k < outputs.length; k++) lambda[outputs[k]] += weights[k];
    return;
  }
  for (let k = 0, w = 0; k < outputs.length; k++) {
    for (let s = layout.offset[outputs[k]]; s < layout.offset[outputs[k] + 1]; s++) lambda[s] += weights[w++];
  }
}

/** The objective Σ_o w_o v_o (Σ_o ⟨w_o, v_o⟩ for blocks). */
export function objective(program: Program, weights: Float64Array, values: Float64Array): number {
  let total = -0; // −0 + x is x exactly, sign of a zero included (0 + −0 would be +0)
  const outputs = program.outputs;
  const layout = program.layout;
  if (layout === null) {
    for (let k = 0; k < outputs.length; k++) total += weights[k] * values[outputs[k]];
    return total;
  }
  for (let k = 0, w = 0; k < outputs.length; k++) {
    for (let s = layout.offset[outputs[k]]; s < layout.offset[outputs[k] + 1]; s++) total += weights[w++] * values[s];
  }
  return total;
}

/** How many weights the objective takes: one per output entry (one per output when all are scalars). */
export function weightCount(program: Program): number {
  const layout = program.layout;
  if (layout === null) return program.outputs.length;
  let n = 0;
  for (const o of program.outputs) n += layout.offset[o + 1] - layout.offset[o];
  return n;
}
