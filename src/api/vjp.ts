import type { Program } from '../program/program.ts';
import type { ScheduleTable } from '../schedule/schedule.ts';
import { defaultSchedules } from '../../solvers/schedules.ts';
import { gradIn, type GradOptions, type GradResult } from './grad.ts';
import type { Point } from './point.ts';
import { tableOf } from './choose.ts';
import { requireOptions } from '../schedule/settings.ts';

/** Cotangent weights on the outputs: by output name, or in output order. */
export type Cotangent =
  Readonly<Record<string, number>> | ReadonlyMap<string, number> | readonly number[] | Float64Array;

/**
 * The vector–Jacobian product, reverse mode: the gradient of Σ_o w_o v_o for cotangent weights w on
 * the outputs, `vjp(program, at, { u: 1, v: -2 })` (like JAX's `vjp` applied to w). One solve of
 * (I − J)ᵀλ = w; the result has the value Σ_o w_o v_o, the gradient wᵀJ and every multiplier.
 * The cotangent takes the place of the options' `weights` and `output`.
 */
export function vjp(
  program: Program,
  at: Point | undefined,
  cotangent: Cotangent,
  options: GradOptions = {},
): GradResult {
  return vjpIn(tableOf(options, defaultSchedules), program, at, cotangent, options);
}

/** `vjp` with schedule names resolved in `table` (none: schedules are given as objects). */
export function vjpIn(
  table: ScheduleTable | undefined,
  program: Program,
  at: Point | undefined,
  cotangent: Cotangent,
  options: GradOptions,
): GradResult {
  requireOptions(options);
  return gradIn(table, program, at, { ...options, weights: cotangent });
}
