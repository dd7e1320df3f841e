import { LagradError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { checked, type Schedule, type ScheduleTable, type Solution, type SolveOptions } from '../schedule/schedule.ts';
import { checkOptions, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
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

/** The options of `grad` itself, beside the solve's and the schedule's settings. */
const GRAD_OPTIONS = ['schedule', 'output', 'weights', 'table', ...SOLVE_OPTIONS];

/** The result of `grad`: the value, the gradient by input name and every multiplier. */
export class GradResult {
  constructor(
    readonly program: Program,
    readonly schedule: string,
    readonly value: number,
    readonly solution: Solution,
  ) {}

  /** ∂objective/∂x by input name: the inputs' multipliers. */
  get gradient(): Record<string, number> {
    const names = this.program.inputNames;
    return Object.fromEntries(names.map((name, k) => [name, this.solution.gradient[k]]));
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
export function grad(program: Program, at?: Point, options: GradOptions = {}): GradResult {
  requireOptions(options);
  const table = options.table ?? defaultSchedules;
  const schedule = typeof options.schedule === 'object' ? checked(options.schedule) : table.get(options.schedule ?? 'auto');
  checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], { schedule: `schedule '${schedule.name}'`, others: () => table.list() });
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { schedule: _schedule, output: _output, weights: _weights, table: _table, ...solve } = options;
  const solution = schedule.solve({ program, inputs, weights }, solve);
  return new GradResult(program, solution.schedule ?? schedule.name, objective(program, weights, solution.values), solution);
}
