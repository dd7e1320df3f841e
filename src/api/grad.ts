import { LagradError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Schedule, ScheduleOptions, ScheduleTable, Solution, SolveOptions } from '../schedule/schedule.ts';
import { checkOptions, optionsAccepted, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { inputNamesOf } from './inputNames.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';

/**
 * The options of `grad`: its own, the solve's (`multipliers`, `workspace`) and the settings of the
 * chosen schedule (`lanes`, `tolerance`, `maxPaths`, …; `lagrad grad --help` lists them). An
 * unknown option, a bad value, or a setting the chosen schedule does not read is an error naming it.
 */
export interface GradOptions extends SolveOptions, BuiltinSettings {
  /** A schedule name (default 'auto') or a Schedule object. */
  readonly schedule?: string | Schedule;
  /** Which output, when the program has several. */
  readonly output?: string;
  /** General objective weights w by output name. */
  readonly weights?: Readonly<Record<string, number>>;
  /** The table names resolve in (default: the process-wide one). */
  readonly table?: ScheduleTable;
}

/** The options `grad` reads itself and does not pass to the schedule. */
const OWN_OPTIONS = ['schedule', 'output', 'weights', 'table'];
/** The options of `grad` itself, beside the solve's and the schedule's settings. */
const GRAD_OPTIONS = [...OWN_OPTIONS, ...SOLVE_OPTIONS];
const NO_OPTIONS: GradOptions = Object.freeze({});

/** The result of `grad`: the value, the gradient by input name and every multiplier. */
export class GradResult {
  #gradient: Record<string, number> | undefined;

  constructor(
    readonly program: Program,
    readonly schedule: string,
    readonly value: number,
    readonly solution: Solution,
  ) {}

  /** ∂objective/∂x by input name: the inputs' multipliers (built at the first read, then the same object). */
  get gradient(): Record<string, number> {
    return (this.#gradient ??= inputNamesOf(this.program).record(this.solution.gradient));
  }

  /** λ of every variable, in program order. */
  get lambda(): Float64Array {
    if (this.solution.lambda === null) throw new LagradError(`schedule '${this.schedule}'`, 'computed only the gradient; ask for { multipliers: true } to get every multiplier');
    return this.solution.lambda;
  }

  /** λ of every named variable, by name: the adjoints ∂objective/∂v. */
  get multipliers(): Record<string, number> {
    const lambda = this.lambda;
    const named = [...this.program.names].sort((a, b) => a[1] - b[1]);
    return Object.fromEntries(named.map(([name, i]) => [name, lambda[i]]));
  }

  get values(): Float64Array {
    return this.solution.values;
  }

  get stats(): Stats {
    return this.solution.stats;
  }
}

/**
 * The gradient of the objective Σ_o w_o v_o at a point, by solving (I − J)ᵀλ = w with a schedule.
 * `grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'reverse' }).gradient` → `{ x: …, y: …, z: … }`.
 */
export function grad(program: Program, at?: Point, options: GradOptions = NO_OPTIONS): GradResult {
  requireOptions(options);
  const table = options.table ?? defaultSchedules;
  const schedule = typeof options.schedule === 'object' ? options.schedule : table.get(options.schedule ?? 'auto');
  // The messages of checkOptions are built only when an option is not accepted.
  if (!optionsAccepted(options, GRAD_OPTIONS, schedule.settings)) checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], { schedule: `schedule '${schedule.name}'`, others: () => table.list() });
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const solution = schedule.solve({ program, inputs, weights }, solveOptions(options));
  return new GradResult(program, solution.schedule ?? schedule.name, objective(program, weights, solution.values), solution);
}

/**
 * The options without grad's own (schedule, output, weights, table): what the schedule reads. The
 * common cases without a rest-spread copy: none of grad's own (the options as they are), or besides
 * them only the solve's options (those three in an object of one shape).
 */
function solveOptions(options: GradOptions): ScheduleOptions {
  let own = 0;
  let settings = 0;
  for (const key in options) {
    if (!Object.hasOwn(options, key) || (options as Record<string, unknown>)[key] === undefined) continue;
    if (OWN_OPTIONS.includes(key)) own++;
    else if (!SOLVE_OPTIONS.includes(key)) settings++;
  }
  if (own === 0) return options as ScheduleOptions;
  if (settings === 0) return { multipliers: options.multipliers, workspace: options.workspace, progress: options.progress };
  const { schedule: _schedule, output: _output, weights: _weights, table: _table, ...solve } = options;
  return solve;
}
