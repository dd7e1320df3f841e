import { LagradError } from '../error.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { slotLabel } from '../program/layout.ts';
import { check, ratio, type Check } from './certificate.ts';
import { objective } from './lagrangian.ts';
import { solvePrimal, type PrimalOptions } from './primal.ts';

/** ε^(1/3): the step of the central differences (solvers/fd.ts) and of the one-sided ones here. */
const CUBE_ROOT_EPSILON = Math.cbrt(Number.EPSILON);

/** Where finite differences cannot judge: a kink of the objective along input `input`. */
export interface Kink {
  /** The input (with vector and matrix inputs, the input entry: its slot). */
  readonly input: number;
  /** The one-sided differences (f(x) − f(x − h)) / h and (f(x + h) − f(x)) / h. */
  readonly left: number;
  readonly right: number;
}

export interface FiniteDifferenceCheck {
  readonly check: Check;
  /** The largest relative error over the inputs where finite differences apply. */
  readonly maxError: number;
  readonly kinks: readonly Kink[];
}

/**
 * Compares finite differences `fd` (one per input; per input entry with vector and matrix
 * inputs, which are then judged and named entry by entry, `X[2, 1]`) with the multipliers of the inputs:
 * e_k = |fd_k − λ_k| / max(|λ_k|, |fd_k|, M / max(1, |x_k|)), M the largest |v| that reaches an
 * output (those with `reach` > 0) — the size of the rounding in the differences of the objective.
 *
 * Where e_k exceeds the tolerance the one-sided differences D⁻ and D⁺ are taken at steps h and h/2.
 * At a kink (relu at 0, |x| at 0, max at a tie) they differ by O(1) however small h is, and the
 * central difference is their mean, not the derivative any schedule uses; a smooth function's
 * one-sided differences close in like h. So when |D⁺ − D⁻| at h/2 is still ¾ of its value at h
 * and explains the disagreement (≥ |fd_k − λ_k|), the point is not differentiable along x_k:
 * finite differences are not the judge there, and that input is reported as a kink, not a failure.
 */
export function finiteDifferenceCheck(
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  fd: Float64Array,
  reach: Float64Array,
  tolerance: number,
  settings: { readonly step?: number; readonly primal: PrimalOptions },
  detail: string,
): FiniteDifferenceCheck {
  // Slots: one per scalar, one per entry of a block (size and inputCount without blocks).
  const { slots: size, inputSlots: inputCount } = program;
  const owner = (s: number) => (program.layout === null ? s : program.layout.variableOf(s));
  const f0 = objective(program, weights, values);
  let M = Math.abs(f0);
  for (let j = 0; j < size; j++) if (reach[j] > 0) M = Math.max(M, Math.abs(values[j]));
  const kinks: Kink[] = [];
  let worst = -1;
  let maxError = 0;
  for (let k = 0; k < inputCount; k++) {
    const x = values[k];
    const difference = fd[k] - lambda[k];
    const e = ratio(difference, Math.max(Math.abs(lambda[k]), Math.abs(fd[k]), M / Math.max(1, Math.abs(x))));
    if (!(e <= tolerance)) {
      const h = settings.step ?? CUBE_ROOT_EPSILON * Math.max(1, Math.abs(x));
      const kink = kinkAlong(program, values, weights, k, f0, h, Math.abs(difference), settings.primal);
      if (kink) {
        kinks.push(kink);
        continue;
      }
    }
    if (worst < 0 || !(e <= maxError)) [worst, maxError] = [k, e];
  }
  const judged = inputCount - kinks.length;
  const sides = (c: Kink) =>
    `${slotLabel(program, c.input)} (one-sided differences ${formatNumber(c.left, 6)} and ${formatNumber(c.right, 6)})`;
  const kinkText = kinks.length
    ? `not differentiable along ${kinks.map(sides).join(', ')}: a kink, where finite differences are not the judge`
    : '';
  if (judged === 0) {
    const first = kinks.length ? kinks[0].input : -1;
    const label = first < 0 ? '' : slotLabel(program, first);
    return {
      check: check(
        'finiteDifference',
        0,
        tolerance,
        first < 0 ? -1 : owner(first),
        label,
        kinkText || 'no inputs',
        false,
      ),
      maxError: 0,
      kinks,
    };
  }
  const text = kinkText ? `${detail}; ${kinkText}` : detail;
  return {
    check: check('finiteDifference', maxError, tolerance, owner(worst), slotLabel(program, worst), text),
    maxError,
    kinks,
  };
}

/** The kink along input k at these values, or null when the objective looks smooth there (or cannot be evaluated beside it). */
function kinkAlong(
  program: Program,
  values: Float64Array,
  weights: Float64Array,
  k: number,
  f0: number,
  h: number,
  disagreement: number,
  primal: PrimalOptions,
): Kink | null {
  const x = Float64Array.from(values.subarray(0, program.inputSlots));
  const scratch = new Float64Array(program.slots);
  const at = (t: number) => {
    x[k] = t;
    solvePrimal(program, x, scratch, undefined, primal);
    return objective(program, weights, scratch);
  };
  const x0 = values[k];
  const sides = (step: number) => {
    const plus = x0 + step;
    const minus = x0 - step;
    return { left: (f0 - at(minus)) / (x0 - minus), right: (at(plus) - f0) / (plus - x0) };
  };
  try {
    const coarse = sides(h);
    const fine = sides(h / 2);
    const gap = Math.abs(coarse.right - coarse.left);
    const fineGap = Math.abs(fine.right - fine.left);
    if (gap >= disagreement && fineGap >= 0.75 * gap) return { input: k, left: fine.left, right: fine.right };
    return null;
  } catch (e) {
    if (e instanceof LagradError) return null;
    throw e;
  }
}
