import { InternalError, LagradError } from '../error.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { blockReverse } from './blockReverse.ts';
import { componentError, DEFAULT_MAX_ITERATIONS, DEFAULT_TOLERANCE } from './convergence.ts';
import { CyclicTangents } from './cyclicTangents.ts';
import { seed } from './lagrangian.ts';
import { emptyStats } from './stats.ts';
import { checkMemberPartials, quoted, show } from './partialError.ts';

export { quoted, show };

// Where a non-finite number in a solution came from. The sweeps run without branches and a check
// after them (finite.ts) only asks whether everything is finite; when something is not, these
// replay the arithmetic one constraint at a time and stop at the first place where finite numbers
// went in and a non-finite one came out. That constraint is the error's place. They run only on
// failure, so they may allocate and repeat work.

/**
 * How a schedule derives the gradient, which decides where a non-finite one is traced back to:
 * `multipliers` (reverse order, λ_j = w_j + Σ_i λ_i ∂p_i/∂v_j), `tangents` (forward order,
 * v̇_i = Σ_j ∂p_i/∂v_j v̇_j, one input at a time) or `differences` (the finite-difference quotient).
 */
export type Derivation = 'multipliers' | 'tangents' | 'differences';

const finite = (x: number) => x - x === 0;

/**
 * Throws at the first constraint, in reverse evaluation order, whose multiplier or whose
 * contribution λ_i·∂p_i/∂v_j to a parent's multiplier is not finite although everything it was
 * made of is: a partial that does not exist there (sqrt at 0), a product that overflows, or a sum
 * of finite contributions that does. `lambda` is back-substitution's own λ (reverse's, or
 * block-reverse's on a cyclic program); null recomputes it so (then `weights` are needed). As in
 * back-substitution, a constraint whose multiplier is exactly 0 sends nothing back, even through a
 * partial that does not exist. Returns only when every multiplier and contribution is finite.
 */
export function multiplierProvenance(
  program: Program,
  values: Float64Array,
  weights: Float64Array | null,
  lambda: Float64Array | null,
): void {
  if (lambda !== null) return trace(program, values, lambda, false);
  if (weights === null)
    throw new InternalError('multiplierProvenance', 'needs the weights to recompute the multipliers');
  const w = new Float64Array(program.size);
  seed(program, weights, w);
  seededProvenance(program, values, w);
}

/**
 * `multiplierProvenance` from the right-hand side w of (I − J)ᵀλ = w itself, for a solve that
 * holds it seeded (an iteration on the multipliers that went non-finite): the multipliers are
 * recomputed by back-substitution from a copy of w.
 */
export function seededProvenance(program: Program, values: Float64Array, w: Float64Array): void {
  const l = Float64Array.from(w.subarray(0, program.size));
  if (program.cyclic)
    blockReverse(
      program,
      values,
      l,
      'auto',
      { tolerance: DEFAULT_TOLERANCE, maxIterations: DEFAULT_MAX_ITERATIONS },
      emptyStats(),
    );
  // Acyclic: λ_i is complete when the scan reaches i, as in backprop, so the scan accumulates.
  trace(program, values, l, !program.cyclic);
}

function trace(program: Program, values: Float64Array, l: Float64Array, accumulate: boolean): void {
  const { ops, parentStart, parents, inputCount, size } = program;
  const { partials } = sweepsOf(program);
  const out = new Float64Array(program.maxParents());
  const cycles = program.components();
  let c = cycles.length - 1;
  for (let i = size - 1; i >= 0; i--) {
    while (c >= 0 && cycles[c][0] > i) c--;
    const li = l[i];
    if (!finite(li)) {
      if (c >= 0 && cycles[c][1] > i) {
        const [start, end] = cycles[c];
        checkMemberPartials(program, values, start, end);
        throw componentError(
          program,
          start,
          end,
          `the solve of its multipliers overflows: it gives λ of ${quoted(program, i)} = ${li} although what flows into the component and every partial in it are finite`,
        );
      }
      throw new LagradError(
        program.where(i),
        `the multiplier of ${quoted(program, i)} is ${li}: its contributions are finite, but their sum overflows`,
      );
    }
    // A zero multiplier contributes nothing (the reverse sweep skips its constraint).
    if (i < inputCount || li === 0) continue;
    partials(i, values, out);
    for (let k = 0; k < parentStart[i + 1] - parentStart[i]; k++) {
      const j = parents[parentStart[i] + k];
      const term = li * out[k];
      if (!finite(out[k])) {
        throw new LagradError(
          program.where(i),
          `the partial of ${primitives.get(ops[i]).name} with respect to ${quoted(program, j)} at ${show(program, i, values)} is ${out[k]}: the derivative does not exist here`,
        );
      }
      if (!finite(term)) {
        throw new LagradError(
          program.where(i),
          `the multiplier of ${quoted(program, j)} overflows: λ of ${quoted(program, i)} times ∂${show(program, i, values)}/∂${quoted(program, j)} is ${formatNumber(li)}·${formatNumber(out[k])} = ${term}`,
        );
      }
      if (accumulate) l[j] += term;
    }
  }
}

/**
 * Throws at the first constraint, in evaluation order, whose tangent with respect to input k
 * (v̇ = e_k swept forward; for a variable k past the inputs, with its constraint cut: the tangent
 * behind forward mode's λ_k) is not finite although its parents' are: a partial that does not
 * exist, a product that overflows, or a sum that does; then the objective's Σ_o w_o v̇_o. A cyclic
 * component is judged as one block. Returns when every tangent is finite.
 */
export function tangentProvenance(program: Program, values: Float64Array, weights: Float64Array, k: number): void {
  const { outputs, inputCount, size } = program;
  const T = new Float64Array(size);
  T[k] = 1;
  if (program.cyclic) {
    const blocks = new CyclicTangents(
      program,
      values,
      { tolerance: DEFAULT_TOLERANCE, maxIterations: DEFAULT_MAX_ITERATIONS },
      emptyStats(),
    );
    if (k < inputCount) blocks.sweep(T, 1, inputCount);
    else {
      T[k] = 0;
      blocks.sweep(T, 1, k, k, 1);
    }
  }
  const input = quoted(program, k);
  traceTangents(program, values, T, Math.max(k + 1, inputCount), `with respect to ${input}`);
  let total = 0;
  for (let o = 0; o < outputs.length; o++) total += weights[o] * T[outputs[o]];
  if (!finite(total))
    throw new LagradError(
      program.where(k),
      `the derivative of the objective with respect to ${input}, Σ_o w_o·(tangent of output o), is ${total}: its terms are finite, but their sum overflows`,
    );
}

/**
 * `tangentProvenance` along a direction: the inputs' tangents are `direction` (a JVP's seed), and
 * the first constraint whose tangent is not finite although its parents' are is the error.
 */
export function directionProvenance(program: Program, values: Float64Array, direction: ArrayLike<number>): void {
  const T = new Float64Array(program.size);
  for (let k = 0; k < program.inputCount; k++) T[k] = direction[k];
  if (program.cyclic)
    new CyclicTangents(
      program,
      values,
      { tolerance: DEFAULT_TOLERANCE, maxIterations: DEFAULT_MAX_ITERATIONS },
      emptyStats(),
    ).sweep(T, 1, program.inputCount);
  traceTangents(program, values, T, program.inputCount, 'along the direction');
}

/**
 * The scan behind both: tangents from `first` on, recomputed constraint by constraint from T (a
 * cyclic component's rows already solved in T, and judged whole), throwing at the first that goes
 * non-finite from finite parents.
 */
function traceTangents(program: Program, values: Float64Array, T: Float64Array, first: number, along: string): void {
  const { ops, parentStart, parents, size } = program;
  const { partials } = sweepsOf(program);
  const out = new Float64Array(program.maxParents());
  for (let i = first; i < size; i++) {
    const cycle = program.cyclic ? program.cycleOf(i) : null;
    if (cycle !== null) {
      if (finite(T[i])) continue;
      checkMemberPartials(program, values, cycle[0], cycle[1]);
      throw componentError(
        program,
        cycle[0],
        cycle[1],
        `its tangent solve ${along} overflows: it gives ${T[i]} for ${quoted(program, i)} although what flows into the component and every partial in it are finite`,
      );
    }
    partials(i, values, out);
    let t = 0;
    for (let q = 0; q < parentStart[i + 1] - parentStart[i]; q++) {
      const j = parents[parentStart[i] + q];
      const term = out[q] * T[j];
      if (!finite(out[q])) {
        throw new LagradError(
          program.where(i),
          `the partial of ${primitives.get(ops[i]).name} with respect to ${quoted(program, j)} at ${show(program, i, values)} is ${out[q]}: the derivative does not exist here`,
        );
      }
      if (!finite(term)) {
        throw new LagradError(
          program.where(i),
          `the tangent of ${quoted(program, i)} ${along} overflows: ∂${show(program, i, values)}/∂${quoted(program, j)} times the tangent of ${quoted(program, j)} is ${formatNumber(out[q])}·${formatNumber(T[j])} = ${term}`,
        );
      }
      t += term;
    }
    T[i] = t;
    if (!finite(t))
      throw new LagradError(
        program.where(i),
        `the tangent of ${quoted(program, i)} ${along} is ${t}: its terms are finite, but their sum overflows`,
      );
  }
}

/**
 * The error for a derivative (a gradient entry, or λ_k) that is not finite although the diagnoses
 * above found every step of their own arithmetic finite: the schedule's arithmetic differs (another
 * order of sums and products, path products, a finite-difference quotient) and overflowed there.
 */
export function gradientError(program: Program, schedule: string, k: number, value: number): LagradError {
  return new LagradError(
    program.where(k),
    `the derivative of the objective with respect to ${quoted(program, k)} by schedule '${schedule}' is ${value}, while back-substitution (which skips constraints whose multiplier is 0) finds every multiplier finite: the schedule's own arithmetic went non-finite (an overflow, or 0·∞ through a partial that does not exist)`,
  );
}
