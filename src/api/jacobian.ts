import type { Convergence } from '../lagrangian/convergence.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../lagrangian/primal.ts';
import { emptyStats, type Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import { requireScalarVariables } from '../program/acyclic.ts';
import type { Schedule, ScheduleTable, SolveOptions } from '../schedule/schedule.ts';
import { auto } from '../../solvers/auto.ts';
import { forward, lanes } from '../../solvers/forward.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { checkOptions, readSettings, requireOptions } from '../schedule/settings.ts';
import { chooseSchedule, tableOf } from './choose.ts';
import { DERIVATIVE_OPTIONS } from './jvp.ts';
import { outputLabels, resolvePoint, type Point } from './point.ts';
import { outputRows } from './rows.ts';
import { sweepTangents } from './tangents.ts';

/** What columns by forward lanes read: the forward schedule's settings. */
const FORWARD_SETTINGS = [lanes, ...PRIMAL_SETTINGS] as const;

export interface JacobianOptions extends SolveOptions, BuiltinSettings {
  /**
   * How: `forward` gives columns by tangent sweeps (K inputs per sweep, its setting `lanes`); any
   * other schedule gives rows by one solve per output. Default: by the shape — forward when there
   * are no more inputs than outputs, else rows by `auto` (reverse).
   */
  readonly schedule?: string | Schedule;
  /** The table names resolve in (default: the built-in schedules). */
  readonly table?: ScheduleTable;
}

/** ∂v_o/∂x_k for every output o and input k. */
export interface JacobianResult {
  /** Input names: the columns. */
  readonly inputs: readonly string[];
  /** Output names (`#i` for an unnamed one): the rows. */
  readonly outputs: readonly string[];
  /** rows[o][k] = ∂v_o/∂x_k. */
  readonly rows: readonly Float64Array[];
  /** v_o of each output at the point. */
  readonly values: Float64Array;
  /** How it was computed: columns by forward lanes, or rows by reverse solves. */
  readonly mode: 'forward' | 'reverse';
  /** The schedule that solved for the rows (reverse mode). */
  readonly schedule: string;
  readonly stats: Stats;
  readonly convergence?: readonly Convergence[];
}

/**
 * The Jacobian of a program with several outputs, by forward or reverse mode as its shape favours
 * (n inputs, m outputs: ⌈n/K⌉ tangent sweeps against m reverse solves), like JAX's `jacfwd`/`jacrev`.
 */
export function jacobian(program: Program, at?: Point, options: JacobianOptions = {}): JacobianResult {
  return jacobianIn(tableOf(options, defaultSchedules), program, at, options);
}

/** `jacobian` with schedule names resolved in `table` (none: schedules are given as objects). */
export function jacobianIn(
  table: ScheduleTable | undefined,
  program: Program,
  at: Point | undefined,
  options: JacobianOptions,
): JacobianResult {
  const start = performance.now();
  requireScalarVariables(program, 'jacobian');
  const n = program.inputCount;
  const m = program.outputs.length;
  requireOptions(options);
  const schedule = chooseSchedule(options.schedule, table, n <= m ? forward : auto);
  checkOptions(options, DERIVATIVE_OPTIONS, schedule.settings ?? [], {
    schedule: `schedule '${schedule.name}'`,
    others: () => table?.list() ?? [],
  });
  const { schedule: _schedule, table: _table, ...solve } = options;
  const inputs = resolvePoint(program, at);
  const names = { inputs: program.inputNames, outputs: outputLabels(program) };
  if (schedule !== forward) {
    const { rows, values, stats, convergence } = outputRows(schedule, program, inputs, solve);
    stats.timeMs = performance.now() - start;
    const used = schedule === auto ? 'reverse' : schedule.name;
    return {
      ...names,
      rows,
      values,
      mode: 'reverse',
      schedule: used,
      stats,
      ...(convergence.length ? { convergence } : {}),
    };
  }
  // The forward schedule's own settings: lanes, and the primal solve's.
  const settings = readSettings(FORWARD_SETTINGS, solve);
  const K = Math.max(1, Math.min(settings.lanes, n));
  const stats = emptyStats();
  stats.lanes = K;
  const history: Convergence[] = [];
  const all = new Float64Array(program.size);
  solvePrimal(program, inputs, all, stats, { ...settings, history });
  const rows = Array.from({ length: m }, () => new Float64Array(n));
  const T = new Float64Array(program.size * K);
  for (let first = 0; first < n; first += K) {
    const count = Math.min(K, n - first);
    T.fill(0, 0, n * K);
    for (let q = 0; q < count; q++) T[(first + q) * K + q] = 1;
    sweepTangents(program, all, T, K, settings, stats);
    for (let o = 0; o < m; o++) for (let q = 0; q < count; q++) rows[o][first + q] = T[program.outputs[o] * K + q];
  }
  stats.peakValues = program.size;
  const values = Float64Array.from(program.outputs, (o) => all[o]);
  stats.timeMs = performance.now() - start;
  return {
    ...names,
    rows,
    values,
    mode: 'forward',
    schedule: 'forward',
    stats,
    ...(history.length ? { convergence: history } : {}),
  };
}
