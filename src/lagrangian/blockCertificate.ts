import type { Program } from '../program/program.ts';
import { ALL, BlockSweeps } from '../primitives/blockSweeps.ts';
import { objective, seed } from './lagrangian.ts';
import { solvePrimal } from './primal.ts';

// The KKT residuals of a program with vector and matrix variables, for `verify` (kkt.ts holds the
// scalar ones). J is applied through the primitives' JVPs and VJPs, never built, so the scale each
// residual is measured against is taken from the same products term by term.

/**
 * Primal residuals, one per variable: ‖v_i − p_i(v_Pa(i))‖∞ / (‖v_i‖∞ + ‖p_i‖∞), 0 for inputs
 * and where the residual is exactly 0.
 */
export function blockPrimalResiduals(program: Program, values: Float64Array): Float64Array {
  const sweeps = BlockSweeps.of(program);
  const out = new Float64Array(program.size);
  const p = new Float64Array(maxBlock(program));
  for (let i = program.inputCount; i < program.size; i++) {
    const { offset, size } = sweeps.blocks[i];
    sweeps.valueOf(i, values, p);
    let r = 0;
    let v = 0;
    let q = 0;
    for (let e = 0; e < size; e++) {
      r = Math.max(r, Math.abs(values[offset + e] - p[e]));
      v = Math.max(v, Math.abs(values[offset + e]));
      q = Math.max(q, Math.abs(p[e]));
    }
    out[i] = ratio(r, v + q);
  }
  return out;
}

/**
 * The dual residual (I − J)ᵀλ − w entry by entry, with its scale: |λ_s| + |w_s| + Σ_i |(J_iᵀλ_i)_s|
 * over the constraints i that read the entry. Also Jᵀλ itself (for the dot-product test) and, per
 * entry, Σ_i |(J_iᵀλ_i)_s|.
 */
export function blockDualResiduals(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
): { residual: Float64Array; scale: Float64Array; transposeProduct: Float64Array; absolute: Float64Array } {
  const sweeps = BlockSweeps.of(program);
  const slots = program.slots;
  const w = new Float64Array(slots);
  seed(program, weights, w);
  const transposeProduct = new Float64Array(slots);
  const absolute = new Float64Array(slots);
  const scratch = new Float64Array(slots);
  for (let i = program.size - 1; i >= program.inputCount; i--) {
    const site = sweeps.sites[i]!;
    const args = [...new Set(site.args)];
    for (const a of args) scratch.fill(0, a.offset, a.offset + a.size);
    sweeps.rules[i].vjp(values, lambda, scratch, site, ALL);
    for (const a of args) {
      for (let s = a.offset; s < a.offset + a.size; s++) {
        transposeProduct[s] += scratch[s];
        absolute[s] += Math.abs(scratch[s]);
      }
    }
  }
  const residual = new Float64Array(slots);
  const scale = new Float64Array(slots);
  for (let s = 0; s < slots; s++) {
    residual[s] = lambda[s] - transposeProduct[s] - w[s];
    scale[s] = Math.abs(lambda[s]) + Math.abs(w[s]) + absolute[s];
  }
  return { residual, scale, transposeProduct, absolute };
}

/** The dual residual of each variable: its worst entry, |((I − J)ᵀλ − w)_s| relative to the entry's scale. */
export function blockDualByVariable(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
): Float64Array {
  const { residual, scale } = blockDualResiduals(program, values, lambda, weights);
  const offset = program.layout!.offset;
  const dual = new Float64Array(program.size);
  for (let j = 0; j < program.size; j++) {
    for (let s = offset[j]; s < offset[j + 1]; s++) {
      const d = ratio(Math.abs(residual[s]), scale[s]);
      if (!(d <= dual[j])) dual[j] = d;
    }
  }
  return dual;
}

/**
 * Both sides of the dot-product test along v̇, ⟨λ, J v̇⟩ (J v̇ by the JVPs) and ⟨Jᵀλ, v̇⟩ (Jᵀλ by
 * the VJPs) — two independent derivations of every primitive's derivative — and the scale of their
 * rounding, ⟨|λ|, |J v̇|⟩ + Σ_s Σ_i |(J_iᵀλ_i)_s| |v̇_s|.
 */
export function blockDotProduct(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  direction: Float64Array,
): { left: number; right: number; magnitude: number } {
  const { transposeProduct, absolute } = blockDualResiduals(program, values, lambda, weights);
  const Jv = blockPartialsProduct(program, values, direction);
  let left = 0;
  let right = 0;
  let magnitude = 0;
  for (let s = 0; s < program.slots; s++) {
    left += lambda[s] * Jv[s];
    right += transposeProduct[s] * direction[s];
    magnitude += Math.abs(lambda[s] * Jv[s]) + absolute[s] * Math.abs(direction[s]);
  }
  return { left, right, magnitude };
}

/**
 * The derivative of the objective along d (a direction over every input entry) by central
 * differences with h = ε^(1/3)·max(1, ‖x‖∞) and one Richardson step, against ⟨λ_x, d⟩; the error
 * relative to max(⟨|λ_x|, |d|⟩, M / max(1, ‖x‖∞)), M the largest |v| that reaches an output
 * (`reach` > 0) or the objective. `values` begin with the inputs.
 */
export function directionalDifference(
  program: Program,
  values: Float64Array,
  weights: Float64Array,
  lambda: Float64Array,
  d: Float64Array,
  reach: Float64Array,
): { derivative: number; expected: number; error: number } {
  const n = program.inputSlots;
  const inputs = values;
  let M = Math.abs(objective(program, weights, values));
  for (let s = 0; s < program.slots; s++) if (reach[s] > 0) M = Math.max(M, Math.abs(values[s]));
  let size = 1;
  for (let k = 0; k < n; k++) size = Math.max(size, Math.abs(inputs[k]));
  const h = Math.cbrt(Number.EPSILON) * size;
  const scratch = new Float64Array(program.slots);
  const at = (t: number) => {
    const x = Float64Array.from(inputs.subarray(0, n), (xk, k) => xk + t * d[k]);
    solvePrimal(program, x, scratch);
    return objective(program, weights, scratch);
  };
  // Richardson: D(h) = f' + c·h² + …, so (4·D(h/2) − D(h)) / 3 cancels the h² term.
  const central = (step: number) => (at(step) - at(-step)) / (2 * step);
  const derivative = (4 * central(h / 2) - central(h)) / 3;
  let expected = 0;
  let magnitude = 0;
  for (let k = 0; k < n; k++) {
    expected += lambda[k] * d[k];
    magnitude += Math.abs(lambda[k] * d[k]);
  }
  return { derivative, expected, error: ratio(Math.abs(derivative - expected), Math.max(magnitude, M / size)) };
}

/** J v̇ by the JVPs (0 on inputs): the other side of the dot-product test ⟨λ, J v̇⟩ = ⟨Jᵀλ, v̇⟩. */
export function blockPartialsProduct(program: Program, values: Float64Array, tangent: Float64Array): Float64Array {
  const out = new Float64Array(program.slots);
  BlockSweeps.of(program).tangent(values, tangent, out, program.inputCount, program.size);
  return out;
}

/**
 * A scale for the multipliers, entry by entry: μ_j = |w_j| + Σ_i |J_ijᵀ μ_i| by one reverse sweep
 * that takes the absolute value of each VJP. It plays the part of the scalar Σ over paths of
 * |w ∏ J| (kkt.ts absoluteAdjoint): the size the rounding errors of the chain rule scale with.
 */
export function blockAbsoluteAdjoint(program: Program, values: Float64Array, weights: Float64Array): Float64Array {
  const sweeps = BlockSweeps.of(program);
  const mu = new Float64Array(program.slots);
  seed(program, weights, mu);
  for (let s = 0; s < mu.length; s++) mu[s] = Math.abs(mu[s]);
  const scratch = new Float64Array(program.slots);
  for (let i = program.size - 1; i >= program.inputCount; i--) {
    const site = sweeps.sites[i]!;
    const args = [...new Set(site.args)];
    for (const a of args) scratch.fill(0, a.offset, a.offset + a.size);
    sweeps.rules[i].vjp(values, mu, scratch, site, ALL);
    for (const a of args) for (let s = a.offset; s < a.offset + a.size; s++) mu[s] += Math.abs(scratch[s]);
  }
  return mu;
}

function maxBlock(program: Program): number {
  const offset = program.layout!.offset;
  let most = 1;
  for (let i = 0; i < program.size; i++) most = Math.max(most, offset[i + 1] - offset[i]);
  return most;
}

function ratio(x: number, scale: number): number {
  if (x === 0) return 0;
  if (!Number.isFinite(x)) return Infinity;
  return x / scale;
}
