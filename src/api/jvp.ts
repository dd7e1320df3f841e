import type { Convergence } from '../lagrangian/convergence.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../lagrangian/primal.ts';
import { emptyStats, type Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import { requireScalarVariables } from '../program/acyclic.ts';
import type { Schedule, ScheduleTable, SolveOptions } from '../schedule/schedule.ts';
import { checkOptions, readSettings, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { forward } from '../../solvers/forward.ts';
import { chooseSchedule, tableOf } from './choose.ts';
import { outputLabels, resolvePoint, resolveTangent, type Point } from './point.ts';
import { outputRows } from './rows.ts';
import { sweepTangents } from './tangents.ts';

/** The options of jvp and jacobian themselves, beside the solve's and the schedule's settings. */
export const DERIVATIVE_OPTIONS: readonly string[] = ['schedule', 'table', ...SOLVE_OPTIONS];

export interface JvpOptions extends SolveOptions, BuiltinSettings {
  /**
   * `forward` (the default): one tangent sweep seeded with the direction. Any other schedule (name
   * or object): the Jacobian's rows by one solve per output, each dotted with the direction.
   */
  readonly schedule?: string | Schedule;
  /** The table names resolve in (default: the built-in schedules). */
  readonly table?: ScheduleTable;
}

/** The outputs at a point and their directional derivatives. */
export interface JvpResult {
  /** The outputs' names (`#i` for an unnamed one), in the program's output order. */
  readonly outputs: readonly string[];
  /** v_o of each output. */
  readonly values: Float64Array;
  /** (J t)_o = Σ_k ∂v_o/∂x_k t_k of each output: the derivative along the direction t. */
  readonly tangents: Float64Array;
  readonly stats: Stats;
  readonly convergence?: readonly Convergence[];
}

/**
 * The Jacobian–vector product, forward mode: `jvp(program, at, { x: 1 })` gives every output's
 * derivative along the direction t (inputs left out of t have tangent 0), like JAX's `jvp`.
 */
export function jvp(program: Program, at: Point | undefined, tangent: Point, options: JvpOptions = {}): JvpResult {
  return jvpIn(tableOf(options, defaultSchedules), program, at, tangent, options);
}

/** `jvp` with schedule names resolved in `table` (none: schedules are given as objects). */
export function jvpIn(
  table: ScheduleTable | undefined,
  program: Program,
  at: Point | undefined,
  tangent: Point,
  options: JvpOptions = {},
): JvpResult {
  const start = performance.now();
  requireOptions(options);
  const schedule = chooseSchedule(options.schedule, table, forward);
  // One tangent sweep reads only the primal solve's settings; a schedule its own.
  const settings = schedule === forward ? PRIMAL_SETTINGS : (schedule.settings ?? []);
  checkOptions(options, DERIVATIVE_OPTIONS, settings, {
    schedule: schedule === forward ? "jvp's tangent sweep" : `schedule '${schedule.name}'`,
    others: () => table?.list() ?? [],
  });
  const { schedule: _schedule, table: _table, ...solve } = options;
  requireScalarVariables(program, 'jvp');
  const inputs = resolvePoint(program, at);
  const t = resolveTangent(program, tangent);
  const outputs = program.outputs;
  const values = new Float64Array(outputs.length);
  const tangents = new Float64Array(outputs.length);
  if (schedule !== forward) {
    const { rows, values: v, stats, convergence } = outputRows(schedule, program, inputs, solve);
    values.set(v);
    for (let o = 0; o < outputs.length; o++) for (let k = 0; k < t.length; k++) tangents[o] += rows[o][k] * t[k];
    stats.timeMs = performance.now() - start;
    return { outputs: outputLabels(program), values, tangents, stats, ...(convergence.length ? { convergence } : {}) };
  }
  const primal = readSettings(PRIMAL_SETTINGS, solve);
  const stats = emptyStats();
  const history: Convergence[] = [];
  const all = new Float64Array(program.size);
  solvePrimal(program, inputs, all, stats, { ...primal, history });
  const T = new Float64Array(program.size);
  T.set(t);
  sweepTangents(program, all, T, 1, primal, stats);
  stats.peakValues = program.size;
  for (let o = 0; o < outputs.length; o++) {
    values[o] = all[outputs[o]];
    tangents[o] = T[outputs[o]];
  }
  stats.timeMs = performance.now() - start;
  return {
    outputs: outputLabels(program),
    values,
    tangents,
    stats,
    ...(history.length ? { convergence: history } : {}),
  };
}
