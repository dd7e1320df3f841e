import type { Program } from '../program/program.ts';
import { ALL, BlockSweeps } from '../primitives/blockSweeps.ts';
import { seed } from './lagrangian.ts';

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
export function blockDualResiduals(program: Program, values: Float64Array, lambda: Float64Array, weights: Float64Array): { residual: Float64Array; scale: Float64Array; transposeProduct: Float64Array; absolute: Float64Array } {
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
