import { LagradError } from '../src/error.ts';
import { checkObjective } from '../src/lagrangian/finite.ts';
import { objective } from '../src/lagrangian/lagrangian.ts';
import { formatNumber } from '../src/numberFormat.ts';
import { PRIMAL_SETTINGS, solvePrimal, type PrimalOptions } from '../src/lagrangian/primal.ts';
import type { Program } from '../src/program/program.ts';
import { slotLabel } from '../src/program/layout.ts';
import { type Stats, emptyStats } from '../src/lagrangian/stats.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { numberSetting, readSettings } from '../src/schedule/settings.ts';
import { maxWork, requireWork } from '../src/schedule/work.ts';

/** ε^(1/3): the step that balances the O(h²) truncation of a central difference against its O(ε/h) rounding. */
const CUBE_ROOT_EPSILON = Math.cbrt(Number.EPSILON);

/** Setting `step`: a fixed finite-difference step for every input. */
export const step = numberSetting({
  name: 'step',
  above: 0,
  default: undefined,
  defaultText: 'ε^(1/3)·max(1, |x_k|) per input',
  help: 'fd: the step h of the central differences',
});

const SETTINGS = [step, maxWork, ...PRIMAL_SETTINGS] as const;

/**
 * Central finite differences, D_k(h) = (f(x + h e_k) − f(x − h e_k)) / 2h, one input at a time with
 * h_k = ε^(1/3)·max(1, |x_k|) (or the fixed option `step`). Each derivative is also taken at h/2:
 * since D(h) − D(h/2) = ¾·c·h² + …, the truncation error c·h² of D(h) is estimated as
 * (4/3)·|D(h) − D(h/2)| (Richardson). Stats: `step` (the largest h_k) and `errorEstimate` (the
 * largest estimate). Costs 4 forward solves per input, counted first and refused above `maxWork`. Gives the gradient only (lambda is null):
 * perturbing an intermediate would need its constraint cut, which the primal solve does not offer.
 * On vector and matrix inputs, entry by entry (`X[2, 1]` in messages); with `wrt`, only the entries
 * of those inputs.
 */
export const fd: Schedule<typeof SETTINGS> = checked({
  name: 'fd',
  derivation: 'differences',
  summary: 'central finite differences, step ε^(1/3)·max(1,|x|) per input, Richardson error estimate; gradient only',
  settings: SETTINGS,
  solve({ program, inputs, weights, wrt }: Problem, options: ScheduleOptions = {}): Solution {
    const start = performance.now();
    const { step: fixed, maxWork: limit, ...primal } = readSettings(SETTINGS, options);
    // Slots: one per scalar, one per entry of a block (equal to size and inputCount without blocks).
    const { slots: size, inputSlots: inputCount } = program;
    const owner = (k: number) => (program.layout === null ? k : program.layout.variableOf(k));
    requireWork(
      'fd',
      4 * inputCount * Math.max(size - inputCount, 1),
      limit,
      `4 evaluations of the program per input (${inputCount} ${program.layout === null ? (inputCount === 1 ? 'input' : 'inputs') : inputCount === 1 ? 'input entry' : 'input entries'})`,
      'use reverse',
    );
    const stats = emptyStats();
    const values = buffer(options.workspace?.values, size);
    solvePrimal(program, inputs, values, stats, primal);
    checkObjective(program, weights, values);
    const scratch = new Float64Array(size);
    const x = Float64Array.from(inputs.subarray(0, inputCount));
    const gradient = new Float64Array(inputCount);
    let largestStep = 0;
    let largestEstimate = 0;
    for (let k = 0; k < inputCount; k++) {
      if (wrt !== undefined && wrt[owner(k)] === 0) continue;
      const h = fixed ?? CUBE_ROOT_EPSILON * Math.max(1, Math.abs(x[k]));
      const coarse = centralDifference(program, weights, x, k, h, scratch, stats, primal);
      const fine = centralDifference(program, weights, x, k, h / 2, scratch, stats, primal);
      gradient[k] = coarse;
      const estimate = (4 / 3) * Math.abs(coarse - fine);
      largestStep = Math.max(largestStep, h);
      largestEstimate = Math.max(largestEstimate, estimate);
      options.progress?.(k + 1, inputCount);
    }
    stats.step = largestStep;
    stats.errorEstimate = largestEstimate;
    stats.peakValues = 2 * program.size;
    stats.peakBytes = 16 * size;
    stats.timeMs = performance.now() - start;
    return { values, lambda: null, gradient, stats };
  },
});

/**
 * (f(x + h e_k) − f(x − h e_k)) / (x_k⁺ − x_k⁻), dividing by the difference of the points actually
 * evaluated (x_k ± h rounded), which removes the rounding of the step from the quotient.
 */
function centralDifference(
  program: Program,
  weights: Float64Array,
  x: Float64Array,
  k: number,
  h: number,
  values: Float64Array,
  stats: Stats,
  primal: PrimalOptions,
): number {
  const xk = x[k];
  const plus = xk + h;
  const minus = xk - h;
  const high = objectiveAt(program, weights, x, k, plus, values, stats, primal);
  const low = objectiveAt(program, weights, x, k, minus, values, stats, primal);
  const quotient = (high - low) / (plus - minus);
  if (!(quotient - quotient === 0)) {
    const name = slotLabel(program, k);
    throw new LagradError(
      program.where(program.layout === null ? k : program.layout.variableOf(k)),
      `the finite difference with respect to ${name} (step ${formatNumber(h)}) is ${quotient}: the objective is ${high} at ${name} = ${plus} and ${low} at ${name} = ${minus}`,
    );
  }
  return quotient;
}

/** The objective with x_k moved to `at`; a failure there says it happened at the shifted point. */
function objectiveAt(
  program: Program,
  weights: Float64Array,
  x: Float64Array,
  k: number,
  at: number,
  values: Float64Array,
  stats: Stats,
  primal: PrimalOptions,
): number {
  const xk = x[k];
  x[k] = at;
  try {
    solvePrimal(program, x, values, stats, primal);
  } catch (e) {
    if (!(e instanceof LagradError)) throw e;
    throw new LagradError(e.where, `${e.what} (at the finite-difference point ${slotLabel(program, k)} = ${at})`);
  } finally {
    x[k] = xk;
  }
  return objective(program, weights, values);
}
