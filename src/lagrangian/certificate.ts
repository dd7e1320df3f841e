// Why one file of 340+ lines: The KKT certificate: residuals, schedule disagreement and the dot-product test share their scales.
import { LagradError } from '../error.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { slotLabel } from '../program/layout.ts';
import { blockDotProduct, blockDualByVariable, blockPrimalResiduals } from './blockCertificate.ts';
import { dualResiduals, localPartials, partialsProduct, partialsTransposeProduct, primalResiduals } from './kkt.ts';
import { seed } from './lagrangian.ts';
import { randomDirection } from './random.ts';

// The certificate of multipliers λ at values v: how far they are from the KKT conditions, each
// residual judged against what the arithmetic that produced it could resolve.
//
// - A constraint's rounding: p_i(v) is computed from parents that each carry their own rounding,
//   so r_i = v_i − p_i(v) is judged against |v_i| + |p_i| + Σ_j |J_ij|·|v_j|. A value that is
//   zero to rounding (cos(π/2) = 6e-17) is then judged absolutely, against its parents' size.
// - A multiplier's: back-substitution sums the chain rule, so λ_j is judged against its dual
//   terms |λ_j| + |w_j| + Σ_i |λ_i J_ij|, and schedules are compared against μ_j, the sum of
//   |path products| from v_j to the outputs.
// - A cyclic component is solved as one block (LU, GMRES, a fixed point), which is accurate
//   normwise, not entry by entry: every member is judged against the largest scale among the
//   component's members. A true multiplier of exactly 0 inside a block comes out as ±1e-17.
// - With vector and matrix variables (program.layout), J is applied through the primitives' JVPs
//   and VJPs (blockCertificate.ts): a residual is the worst entry of its block, judged against the
//   terms it sums entry by entry, and multipliers are compared entry by entry.

/** The checks `verify` makes, each passing when its value is at most its tolerance. */
export interface Tolerances {
  /** Largest disagreement between two schedules' multipliers, relative to the scale μ_j (see `multiplierScale`). */
  readonly multipliers: number;
  /** Largest primal residual |v_i − p_i| / (|v_i| + |p_i| + Σ_j |J_ij v_j|). */
  readonly primal: number;
  /** Largest dual residual |((I − J)ᵀλ − w)_j| / (|λ_j| + |w_j| + Σ_i |λ_i J_ij|). */
  readonly dual: number;
  /** |⟨λ, J v̇⟩ − ⟨Jᵀλ, v̇⟩| / ⟨|λ|, |J| |v̇|⟩. */
  readonly dotProduct: number;
  /** Largest |fd_k − λ_k| / max(|λ_k|, |fd_k|, M / max(1, |x_k|)), M the largest |v| that reaches an output. */
  readonly finiteDifference: number;
}

export const DEFAULT_TOLERANCES: Tolerances = {
  multipliers: 1e-10,
  primal: 1e-12,
  dual: 1e-12,
  dotProduct: 1e-12,
  finiteDifference: 1e-6,
};

/** One check: its value, tolerance, and the variable where the value is reached. */
export interface Check {
  readonly name: 'multipliers' | 'primal' | 'dual' | 'dotProduct' | 'finiteDifference' | 'schedules';
  /** The largest relative error found (0 when nothing could be judged). */
  readonly value: number;
  readonly tolerance: number;
  readonly ok: boolean;
  /** The worst variable's index, or −1. */
  readonly variable: number;
  /** The worst variable by name (`#i` when unnamed), or ''. */
  readonly label: string;
  /** What was compared, for the certificate (e.g. `reverse vs dense`). */
  readonly detail: string;
  /** False when the check could judge nothing here (finite differences at a kink): see `detail`. */
  readonly applicable: boolean;
}

/** The residuals of the KKT conditions and the dot-product test for given values and multipliers. */
export interface Certificate {
  readonly primal: Check;
  readonly dual: Check;
  readonly dotProduct: Check;
  /** r_i = v_i − p_i(v_Pa(i)), relative to the rounding of constraint i (see Tolerances.primal). */
  readonly primalResiduals: Float64Array;
  /** ((I − J)ᵀλ − w)_j relative to |λ_j| + |w_j| + Σ_i |λ_i J_ij|. */
  readonly dualResiduals: Float64Array;
  readonly ok: boolean;
}

/**
 * Certifies multipliers λ at values v: the primal residuals v − p(v), the dual residuals
 * (I − J)ᵀλ − w, each relative to the rounding of its terms (members of a cyclic component to
 * their component's largest), and the dot-product test ⟨λ, J v̇⟩ = ⟨Jᵀλ, v̇⟩ along a seeded random
 * v̇ (J v̇ from the tangent kernel, Jᵀλ from the reverse kernel: two independently generated
 * sweeps). `weights` are aligned with program.outputs.
 */
export function certify(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  options: { seed?: number; tolerances?: Partial<Tolerances> } = {},
): Certificate {
  const tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const { size, parentStart, parents, inputCount, slots } = program;
  if (values.length < slots || lambda.length < slots)
    throw new LagradError(
      'certify',
      `values and multipliers need ${slots} entries, got ${values.length} and ${lambda.length}`,
    );
  if (program.layout !== null) return certifyBlocks(program, values, lambda, weights, options.seed ?? 1, tolerances);
  const J = localPartials(program, values);

  const r = primalResiduals(program, values);
  const scale = new Float64Array(size);
  for (let i = inputCount; i < size; i++) {
    let terms = Math.abs(values[i]) + Math.abs(values[i] - r[i]);
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) terms += Math.abs(J[e] * values[parents[e]]);
    scale[i] = terms;
  }
  componentFloor(program, scale);
  const primal = new Float64Array(size);
  for (let i = 0; i < size; i++) primal[i] = ratio(r[i], scale[i]);

  const d = dualResiduals(program, J, lambda, weights);
  dualScale(program, J, lambda, weights, scale);
  componentFloor(program, scale);
  const dual = new Float64Array(size);
  for (let j = 0; j < size; j++) dual[j] = ratio(d[j], scale[j]);

  const direction = randomDirection(size, options.seed ?? 1);
  const Jv = partialsProduct(program, values, direction);
  const JTl = partialsTransposeProduct(program, values, lambda);
  let left = 0;
  let right = 0;
  let magnitude = 0;
  for (let i = 0; i < size; i++) {
    left += lambda[i] * Jv[i];
    right += JTl[i] * direction[i];
  }
  for (let i = inputCount; i < size; i++) {
    let row = 0;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) row += Math.abs(J[e] * direction[parents[e]]);
    magnitude += Math.abs(lambda[i]) * row;
  }
  const dot = ratio(left - right, magnitude);

  const primalCheck = worstOf(program, 'primal', primal, tolerances.primal, 'v_i − p_i(v_Pa(i))');
  const dualCheck = worstOf(program, 'dual', dual, tolerances.dual, '(I − J)ᵀλ − w');
  const dotCheck = check('dotProduct', dot, tolerances.dotProduct, -1, '', `⟨λ, J v̇⟩ = ${left}, ⟨Jᵀλ, v̇⟩ = ${right}`);
  return {
    primal: primalCheck,
    dual: dualCheck,
    dotProduct: dotCheck,
    primalResiduals: primal,
    dualResiduals: dual,
    ok: primalCheck.ok && dualCheck.ok && dotCheck.ok,
  };
}

/**
 * certify over vector and matrix variables: each residual the worst entry of its block relative to
 * its terms, and the dot-product test with the slabs' inner products — J v̇ by the JVPs, Jᵀλ by
 * the VJPs, two independent derivations of every primitive's derivative.
 */
function certifyBlocks(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  seedValue: number,
  tolerances: Tolerances,
): Certificate {
  const primal = blockPrimalResiduals(program, values);
  const dual = blockDualByVariable(program, values, lambda, weights);
  const { left, right, magnitude } = blockDotProduct(
    program,
    values,
    lambda,
    weights,
    randomDirection(program.slots, seedValue),
  );
  const primalCheck = worstOf(program, 'primal', primal, tolerances.primal, '‖v_i − p_i(v_Pa(i))‖∞ per block');
  const dualCheck = worstOf(program, 'dual', dual, tolerances.dual, '(I − J)ᵀλ − w, worst entry per block');
  const dotCheck = check(
    'dotProduct',
    ratio(left - right, magnitude),
    tolerances.dotProduct,
    -1,
    '',
    `⟨λ, J v̇⟩ = ${left}, ⟨Jᵀλ, v̇⟩ = ${right} (JVPs against VJPs)`,
  );
  return {
    primal: primalCheck,
    dual: dualCheck,
    dotProduct: dotCheck,
    primalResiduals: primal,
    dualResiduals: dual,
    ok: primalCheck.ok && dualCheck.ok && dotCheck.ok,
  };
}

/** out_j = |λ_j| + |w_j| + Σ_i |λ_i J_ij|: the size of the terms of dual equation j. */
export function dualScale(
  program: Program,
  J: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  out = new Float64Array(program.size),
): Float64Array {
  const { size, parentStart, parents, inputCount } = program;
  seed(program, weights, out);
  for (let j = 0; j < size; j++) out[j] = Math.abs(out[j]) + Math.abs(lambda[j]);
  for (let i = inputCount; i < size; i++) {
    const l = Math.abs(lambda[i]);
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) out[parents[e]] += l * Math.abs(J[e]);
  }
  return out;
}

/** Raises every member of each cyclic component to the largest scale among its members (normwise). */
export function componentFloor(program: Program, scale: Float64Array): void {
  for (const [start, end] of program.components()) {
    let most = 0;
    for (let i = start; i < end; i++) if (scale[i] > most) most = scale[i];
    for (let i = start; i < end; i++) scale[i] = most;
  }
}

/**
 * The scale schedules' multipliers are compared against: μ = (I − |J|)⁻ᵀ|w| by one reverse sweep,
 * μ_j = Σ over paths j → o of |w_o| ∏ |J| — the rounding scale of any summation of the chain rule
 * and a bound on |λ_j| — where a cyclic component, solved as a block, puts its members at the
 * component's largest dual scale (from `lambda`) before sending μ on to its parents.
 */
export function multiplierScale(
  program: Program,
  J: Float64Array,
  weights: Float64Array,
  lambda: Float64Array,
): Float64Array {
  const { size, inputCount, parentStart, parents } = program;
  const floor = program.cyclic ? dualScale(program, J, lambda, weights) : null;
  if (floor) componentFloor(program, floor);
  const components = program.components();
  let next = components.length - 1;
  const mu = new Float64Array(size);
  seed(program, weights, mu);
  for (let j = 0; j < size; j++) mu[j] = Math.abs(mu[j]);
  for (let i = size - 1; i >= inputCount; i--) {
    // Entering a component from its end (in reverse order): its members' scale is the block's.
    if (floor && next >= 0 && i === components[next][1] - 1) {
      for (let k = components[next][0]; k <= i; k++) mu[k] = Math.max(mu[k], floor[k]);
      next--;
    }
    const m = mu[i];
    if (m === 0) continue;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) mu[parents[e]] += m * Math.abs(J[e]);
  }
  return mu;
}

/** |x| / scale, 0 when x is 0; NaN and infinities compare as failures. */
export function ratio(x: number, scale: number): number {
  if (x === 0) return 0;
  if (!Number.isFinite(x)) return Infinity;
  return Math.abs(x) / scale;
}

/** The check of the largest entry of `relative`, naming its variable. */
export function worstOf(
  program: Program,
  name: Check['name'],
  relative: Float64Array,
  tolerance: number,
  detail: string,
): Check {
  let worst = -1;
  for (let i = 0; i < relative.length; i++) if (worst < 0 || !(relative[i] <= relative[worst])) worst = i;
  const value = worst < 0 ? 0 : relative[worst];
  return check(name, value, tolerance, value === 0 ? -1 : worst, value === 0 ? '' : program.label(worst), detail);
}

/** One check, passing when value ≤ tolerance. */
export function check(
  name: Check['name'],
  value: number,
  tolerance: number,
  variable: number,
  label: string,
  detail: string,
  applicable = true,
): Check {
  return { name, value, tolerance, ok: value <= tolerance, variable, label, detail, applicable };
}

/** One solution's multipliers for `disagreements`: λ of every variable, or only the gradient. */
export interface Solved {
  readonly name: string;
  readonly lambda: Float64Array | null;
  readonly gradient: Float64Array;
}

/**
 * The largest relative disagreement between any two solutions, per variable and overall:
 * |a − b| / max(μ_j, |a|, |b|), μ = `multiplierScale` (so a multiplier that is zero to rounding is
 * judged against the rounding of its sum, not against itself). Variables past the inputs are
 * compared only between solutions that give every multiplier. With vector and matrix variables,
 * entry by entry (μ and the solutions are slabs); a variable's disagreement is its worst entry's.
 */
export function disagreements(
  program: Program,
  solutions: readonly Solved[],
  mu: Float64Array,
  tolerance: number,
): { check: Check; perVariable: Float64Array } {
  // Slots: one per scalar, one per entry of a block (size and inputCount without blocks).
  const { slots: size, inputSlots: inputCount } = program;
  const owner = (s: number) => (program.layout === null ? s : program.layout.variableOf(s));
  const perVariable = new Float64Array(program.size);
  let worstPair = '';
  let worst = -1;
  let most = 0;
  for (let a = 0; a < solutions.length; a++) {
    for (let b = a + 1; b < solutions.length; b++) {
      const A = solutions[a];
      const B = solutions[b];
      const count = A.lambda && B.lambda ? size : inputCount;
      for (let j = 0; j < count; j++) {
        const x = j < inputCount ? A.gradient[j] : A.lambda![j];
        const y = j < inputCount ? B.gradient[j] : B.lambda![j];
        const d = ratio(x - y, Math.max(mu[j], Math.abs(x), Math.abs(y)));
        const variable = owner(j);
        if (!(d <= perVariable[variable])) perVariable[variable] = d;
        if (!(d <= most)) {
          most = d;
          worst = j;
          worstPair = `${A.name} ${formatNumber(x, 6)} vs ${B.name} ${formatNumber(y, 6)}`;
        }
      }
    }
  }
  const detail = `${solutions.length} solutions compared${worstPair ? `; worst ${worstPair}` : ''}`;
  return {
    check: check(
      'multipliers',
      most,
      tolerance,
      worst < 0 ? -1 : owner(worst),
      worst < 0 ? '' : slotLabel(program, worst),
      detail,
    ),
    perVariable,
  };
}
