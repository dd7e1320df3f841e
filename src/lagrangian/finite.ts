import { InternalError, LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { objective } from './lagrangian.ts';
import { gradientError, multiplierProvenance, show, tangentProvenance, type Derivation } from './provenance.ts';

import {
  blockMultiplierProvenance,
  checkBlockMultipliers,
  checkBlockPartials,
  checkBlockValues,
} from './blockFinite.ts';

export { show };

// A sweep runs without branches and tells whether all went well at almost no cost: the forward
// sweep returns Σ v_i·0 (NaN once a value is not finite), and back-substitution carries any
// non-finite multiplier down to a variable without parents (checkBackSubstitution). The scans here
// run only then: they find the constraint that made it and say so (provenance.ts). Never a silent NaN.

/**
 * True when x[from..to) are all finite: Σ x_i·0 is 0 for finite entries and NaN once one is NaN or
 * ±∞. Four running sums and no branch per entry make this pass about twice as fast as a search.
 */
export function allFinite(x: Float64Array, from: number, to: number): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = from;
  for (; i + 3 < to; i += 4) {
    s0 += x[i] * 0;
    s1 += x[i + 1] * 0;
    s2 += x[i + 2] * 0;
    s3 += x[i + 3] * 0;
  }
  for (; i < to; i++) s0 += x[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
}

/** Throws, naming the first constraint in [from, to) whose value is NaN or infinite. */
export function checkValues(program: Program, values: Float64Array, from: number, to: number): void {
  if (program.layout !== null) return checkBlockValues(program, values, from, to);
  if (allFinite(values, from, to)) return;
  for (let i = from; i < to; i++) {
    const x = values[i];
    if (x - x === 0) continue;
    const name = program.nameOf(i);
    throw new LagradError(
      program.where(i),
      `${name !== undefined ? `'${name}' = ` : ''}${show(program, i, values)} = ${x}: not a finite number`,
    );
  }
}

/**
 * Throws when some multiplier is not finite, naming the first constraint in reverse order whose
 * multiplier or contribution to a parent's multiplier is not finite (`multiplierProvenance`); one
 * branch-free scan when all is well, the diagnosis only on failure.
 */
export function checkMultipliers(program: Program, values: Float64Array, lambda: Float64Array): void {
  if (allFinite(lambda, 0, lambda.length)) return;
  if (program.layout !== null) return checkBlockMultipliers(program, values, lambda);
  multiplierProvenance(program, values, null, lambda);
  throw new InternalError('checkMultipliers', 'a multiplier is not finite, but no constraint made it so');
}

/** What a schedule returns that must be finite (a Solution, or the parts checkpointGrad keeps). */
export interface Answer {
  readonly values: Float64Array;
  readonly lambda: Float64Array | null;
  readonly gradient: Float64Array;
  /** True when the schedule has already checked values, λ and gradient (see Solution.finite). */
  readonly finite?: boolean;
}

const roots = new WeakMap<Program, Int32Array>();

/** The constraints without parents (const, and any arity-0 primitive): with the inputs, where back-substitution ends. */
function rootsOf(program: Program): Int32Array {
  let found = roots.get(program);
  if (found === undefined) {
    const { parentStart: ps, inputCount, size } = program;
    const list: number[] = [];
    for (let i = inputCount; i < size; i++) if (ps[i + 1] === ps[i]) list.push(i);
    roots.set(program, (found = Int32Array.from(list)));
  }
  return found;
}

/**
 * checkMultipliers for λ solved by back-substitution (the reverse sweep, in place) on an acyclic
 * program, in O(inputs + constraints without parents) instead of O(N). A multiplier λ_j that is NaN
 * or ±∞ is not 0, so its constraint is not skipped: it adds λ_j·∂p_j/∂v_k to every parent k, which
 * is not finite whatever the partial (∞·0 is NaN), and a sum that is not finite stays so. By
 * induction every variable below j is reached, down to one without parents — an input or a
 * constant — so those are the only multipliers to read. The full diagnosis runs only when one is
 * not finite.
 */
export function checkBackSubstitution(program: Program, values: Float64Array, lambda: Float64Array): void {
  let finite = 0;
  for (let k = 0; k < program.inputCount; k++) finite += lambda[k] * 0;
  const list = rootsOf(program);
  for (let k = 0; k < list.length; k++) finite += lambda[list[k]] * 0;
  if (finite !== 0) checkMultipliers(program, values, lambda);
}

/**
 * The check at every schedule's boundary: what it returns — values, multipliers, gradient and the
 * objective Σ_o w_o v_o — is finite and as long as the program says, or an error naming where the
 * first non-finite number appeared (provenance.ts): for values, the first constraint in evaluation
 * order; for multipliers, the first constraint in reverse order whose multiplier or contribution is
 * not finite; for a gradient by tangents, the first constraint whose tangent is not finite although
 * its parents' are. A schedule that checked its arrays itself says so (`finite`), and then only the
 * objective is summed again: O(outputs). Otherwise one branch-free pass over each array.
 */
export function checkSolution(
  program: Program,
  weights: Float64Array,
  answer: Answer,
  schedule: string,
  derivation: Derivation = 'multipliers',
): void {
  const { values, lambda, gradient } = answer;
  // Entries: a vector or matrix variable is several (program.slots); a scalar program's are its variables.
  const { size, slots, inputSlots } = program;
  if (values.length < slots || gradient.length !== inputSlots || (lambda !== null && lambda.length < slots)) {
    throw new InternalError(
      `schedule '${schedule}'`,
      `returned ${values.length} values, ${lambda?.length ?? 'no'} multipliers and ${gradient.length} gradient entries for a program of ${slots} entries, ${inputSlots} of them inputs`,
    );
  }
  if (!answer.finite) {
    checkValues(program, values, 0, size);
    // λ of the inputs is the gradient: the multipliers are traced first. By multipliers, the trace
    // is back-substitution's own arithmetic, redone: a schedule that solves the same system in
    // another order (an LU, path products) may go non-finite where back-substitution does not.
    const traced =
      lambda !== null && !allFinite(lambda, 0, slots) ? lambda : !allFinite(gradient, 0, inputSlots) ? gradient : null;
    if (traced !== null) {
      let k = 0;
      while (traced[k] - traced[k] === 0) k++;
      if (program.layout !== null) {
        // Vector and matrix variables: the block diagnoses (blockFinite.ts), by entry.
        if (traced === lambda) checkBlockMultipliers(program, values, lambda);
        else blockMultiplierProvenance(program, values, weights);
        checkBlockPartials(program, values);
        throw new LagradError(
          `schedule '${schedule}'`,
          `entry ${k} of the ${traced === lambda ? 'multipliers' : 'gradient'} is ${traced[k]}: an intermediate of its arithmetic overflowed`,
        );
      }
      if (derivation === 'tangents') tangentProvenance(program, values, weights, k);
      else if (derivation === 'multipliers') multiplierProvenance(program, values, weights, null);
      throw gradientError(program, schedule, k, traced[k]);
    }
  }
  checkObjective(program, weights, values);
}

/** Throws when the objective Σ_o w_o v_o of finite values is not finite (the weighted sum overflows). */
export function checkObjective(program: Program, weights: Float64Array, values: Float64Array): void {
  const value = objective(program, weights, values);
  if (!(value - value === 0)) {
    throw new LagradError(
      'objective',
      `Σ_o w_o·v_o is ${value}: the outputs are finite, but the weighted sum overflows`,
    );
  }
}
