import { LagradError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Convergence } from '../lagrangian/convergence.ts';
import type { Schedule, ScheduleTable, Solution, SolveOptions } from '../schedule/schedule.ts';
import { checkOptions, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { byName, inputNamesOf, resolvePoint, resolveWeights, type ByName, type Point } from './point.ts';
import { chooseSchedule, tableOf } from './choose.ts';
import { lease, type Lease } from './workspace.ts';
import { auto } from '../../solvers/auto.ts';

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
  /** General objective weights w: by output name, or in output order. */
  readonly weights?: Readonly<Record<string, number>> | ReadonlyMap<string, number> | readonly number[] | Float64Array;
  /** The table names resolve in (default: the built-in schedules). */
  readonly table?: ScheduleTable;
}

/** The options of `grad` itself, beside the solve's and the schedule's settings. */
export const GRAD_OPTIONS: readonly string[] = ['schedule', 'output', 'weights', 'table', ...SOLVE_OPTIONS];

/**
 * The result of `grad`: the value, the gradient by input name and every multiplier.
 *
 * `value`, `gradient`, `schedule`, `stats` and `convergence` are the result's own and stay valid.
 * `values`, `lambda`, `multipliers` and `solution` read the solve's arrays, which are the
 * workspace's buffers when one was passed (`{ workspace }`): a later solve on that workspace
 * overwrites them, so reading them from this result afterwards is an error (copy them first,
 * `r.lambda.slice()`, if they must outlive the next call). Without a workspace they are the result's own.
 */
export class GradResult {
  /** Counted costs of the solve. */
  readonly stats: Stats;
  /** Residual histories of the iterative solves behind the result (cyclic programs, iterative schedules). */
  readonly convergence: readonly Convergence[] | undefined;
  readonly #solution: Solution;
  readonly #lease: Lease | null;
  readonly #inputs: Float64Array;
  #gradient: ByName | undefined;

  constructor(
    readonly program: Program,
    /** The schedule that did the work (auto names the one it chose). */
    readonly schedule: string,
    /** The objective Σ_o w_o v_o at the point. */
    readonly value: number,
    solution: Solution,
    workspace: Lease | null = null,
  ) {
    this.#solution = solution;
    this.#lease = workspace?.covers(solution) ? workspace : null;
    // The gradient is the result's own: with a workspace, a copy (n numbers), as it may live there.
    this.#inputs = workspace ? solution.gradient.slice() : solution.gradient;
    this.stats = solution.stats;
    this.convergence = solution.convergence;
  }

  /** ∂objective/∂x by input name: the inputs' multipliers (the result's own: valid after later solves). */
  get gradient(): ByName {
    return (this.#gradient ??= byName(inputNamesOf(this.program), this.#inputs));
  }

  /** The solution as the schedule returned it (its arrays may be the workspace's: see the class). */
  get solution(): Solution {
    this.#lease?.check('solution');
    return this.#solution;
  }

  /** λ of every variable, in program order. */
  get lambda(): Float64Array {
    const lambda = this.solution.lambda;
    if (lambda === null) throw new LagradError(`schedule '${this.schedule}'`, 'computed only the gradient; ask for { multipliers: true } to get every multiplier');
    return lambda;
  }

  /** λ of every named variable, by name: the adjoints ∂objective/∂v. */
  get multipliers(): ByName {
    const lambda = this.lambda;
    const named = [...this.program.names].sort((a, b) => a[1] - b[1]);
    return byName(
      named.map(([name]) => name),
      named.map(([, i]) => lambda[i]),
    );
  }

  /** The value of every variable, in program order. */
  get values(): Float64Array {
    return this.solution.values;
  }
}

/**
 * The gradient of the objective Σ_o w_o v_o at a point, by solving (I − J)ᵀλ = w with a schedule.
 * `grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'reverse' }).gradient` → `{ x: …, y: …, z: … }`.
 * Schedule names resolve in the built-in table (or `options.table`).
 */
export function grad(program: Program, at?: Point, options: GradOptions = {}): GradResult {
  return gradIn(tableOf(options, defaultSchedules), program, at, options);
}

/** `grad` with schedule names resolved in `table`; with none, a schedule must be given as an object (default auto). */
export function gradIn(table: ScheduleTable | undefined, program: Program, at: Point | undefined, options: GradOptions = {}): GradResult {
  requireOptions(options);
  const schedule = chooseSchedule(options.schedule, table, auto);
  checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], { schedule: `schedule '${schedule.name}'`, others: () => table?.list() ?? [] });
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { schedule: _schedule, output: _output, weights: _weights, table: _table, ...solve } = options;
  const held = lease(options.workspace);
  const solution = schedule.solve({ program, inputs, weights }, solve);
  return new GradResult(program, solution.schedule ?? schedule.name, objective(program, weights, solution.values), solution, held);
}
