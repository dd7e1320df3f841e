// Why one file of 340+ lines: grad's general path and its allocation-free common call side by side, so the two cannot drift apart.
import { LagradError, OptionError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Convergence } from '../lagrangian/convergence.ts';
import type {
  Problem,
  Schedule,
  ScheduleOptions,
  ScheduleTable,
  Solution,
  SolveOptions,
} from '../schedule/schedule.ts';
import { checkOptions, optionsAccepted, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import {
  byName,
  resolvePoint,
  resolveScalarPoint,
  resolveWeights,
  type ByName,
  type Point,
  type Weights,
} from './point.ts';
import { dependents } from '../program/dependents.ts';
import { valueIn, type Value } from './blocks.ts';
import { chooseSchedule, tableOf } from './choose.ts';
import { lease, type Lease } from './workspace.ts';
import { auto } from '../../solvers/auto.ts';
import { buffer, head, zeros, type Workspace } from '../schedule/schedule.ts';
import { inputsByName } from './inputNames.ts';
import { now } from '../lagrangian/stats.ts';
import { inPlaceSolve, type InPlaceSolve } from '../schedule/inPlace.ts';

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
  /** General objective weights w: by output name, or in output order (a block output's weight: a block of its shape, or a number for every entry). */
  readonly weights?: Weights;
  /**
   * The inputs to differentiate with respect to (default: all). The others are data: schedules
   * may skip their gradients (reverse skips the VJPs into a batch X), and the result leaves them out.
   */
  readonly wrt?: readonly string[];
  /** The table names resolve in (default: the built-in schedules). */
  readonly table?: ScheduleTable;
}

/** The options `grad` reads itself and does not pass to the schedule. */
const OWN_OPTIONS: readonly string[] = ['schedule', 'output', 'weights', 'wrt', 'table'];
/** The options of `grad` itself, beside the solve's and the schedule's settings. */
export const GRAD_OPTIONS: readonly string[] = [...OWN_OPTIONS, ...SOLVE_OPTIONS];

/** Values by name, as a result gives them: numbers, and for vectors and matrices a Float64Array or a Matrix (DESIGN §9). */
export type Values = Record<string, Value>;

/**
 * The result of `grad`: the value, the gradient by input name and every multiplier. The gradient
 * of a vector input is a Float64Array, of a matrix input an ml-matrix `Matrix` (DESIGN §9).
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
  /** The gradient's own copy when it may live in a workspace; null: read it from the solution. */
  readonly #inputs: Float64Array | null;
  #gradient: Values | undefined;

  constructor(
    readonly program: Program,
    /** The schedule that did the work (auto names the one it chose). */
    readonly schedule: string,
    /** The objective Σ_o w_o v_o at the point. */
    readonly value: number,
    solution: Solution,
    workspace: Lease | null = null,
    /** The inputs differentiated with respect to (1 by input index), or null for all. */
    readonly wrt: Uint8Array | null = null,
  ) {
    this.#solution = solution;
    this.#lease = workspace?.covers(solution) ? workspace : null;
    // The gradient is the result's own: a copy (n numbers) where it lives in the workspace.
    this.#inputs = workspace?.holds(solution.gradient)
      ? solution.gradient.slice()
      : workspace
        ? solution.gradient
        : null;
    this.stats = solution.stats;
    this.convergence = solution.convergence;
  }

  /**
   * ∂objective/∂x by input name: the inputs' multipliers (the result's own: valid after later
   * solves); only those of `wrt` when it was given.
   */
  get gradient(): Values {
    if (this.#gradient === undefined) {
      const { program, wrt } = this;
      const solution = this.#solution;
      // λ's head is the gradient where the solution says so without a copy of it (InPlaceSolution).
      const inputs = this.#inputs ?? (solution instanceof InPlaceSolution ? solution.lambda : solution.gradient);
      if (program.layout === null && wrt === null) this.#gradient = inputsByName(program).record(inputs);
      else
        this.#gradient = valuesByName(
          program,
          inputs,
          Array.from({ length: program.inputCount }, (_, k) => k).filter((k) => wrt === null || wrt[k] === 1),
        );
    }
    return this.#gradient;
  }

  /** The solution as the schedule returned it (its arrays may be the workspace's: see the class). */
  get solution(): Solution {
    this.#lease?.check('solution');
    return this.#solution;
  }

  /** λ of every variable, in program order. */
  get lambda(): Float64Array {
    const lambda = this.solution.lambda;
    if (lambda === null)
      throw new LagradError(
        `schedule '${this.schedule}'`,
        'computed only the gradient; ask for { multipliers: true } to get every multiplier',
      );
    return lambda;
  }

  /** λ of every named variable, by name: the adjoints ∂objective/∂v (with `wrt`, of those that depend on a wanted input). */
  get multipliers(): Values {
    const lambda = this.lambda;
    const wanted = this.wrt === null ? null : dependents(this.program, this.wrt);
    const named = [...this.program.names]
      .filter(([, i]) => wanted === null || wanted[i] === 1)
      .sort((a, b) => a[1] - b[1]);
    if (this.program.layout === null) {
      return byName(
        named.map(([name]) => name),
        named.map(([, i]) => lambda[i]),
      );
    }
    return valuesByName(
      this.program,
      lambda,
      named.map(([, i]) => i),
    );
  }

  /** The value of a named variable at the point: a number, a Float64Array (vector) or a Matrix. */
  valueOf(name: string): Value {
    return valueIn(this.program, this.values, this.program.indexOf(name));
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
export function gradIn(
  table: ScheduleTable | undefined,
  program: Program,
  at: Point | undefined,
  options: GradOptions = {},
): GradResult {
  requireOptions(options);
  const schedule = chooseSchedule(options.schedule, table, auto);
  if (commonCall(options)) {
    const solve = inPlaceSolve(schedule, program);
    if (solve !== null) {
      const workspace = options.workspace;
      const result =
        workspace === undefined ? gradInPlace(program, at, solve) : gradInWorkspace(program, at, solve, workspace);
      if (result !== null) return result;
    }
  }
  // The messages of checkOptions are built only when an option is not accepted.
  if (!optionsAccepted(options, GRAD_OPTIONS, schedule.settings))
    checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], {
      schedule: `schedule '${schedule.name}'`,
      others: () => table?.list() ?? [],
    });
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const wrt = options.wrt === undefined ? undefined : inputMask(program, options.wrt);
  const held = lease(options.workspace);
  const problem: Problem = wrt === undefined ? { program, inputs, weights } : { program, inputs, weights, wrt };
  const solution = schedule.solve(problem, solveOptions(options));
  return new GradResult(
    program,
    solution.schedule ?? schedule.name,
    objective(program, weights, solution.values),
    solution,
    held,
    wrt ?? null,
  );
}

/** The objective's weights when the program has one output and none are given: 1 on it (read, never written). */
const ONE = Float64Array.of(1);

/**
 * grad's common call — a point, perhaps a schedule and a workspace, nothing else — on a program of
 * scalars whose schedule solves in place (schedule/inPlace.ts): the solve fills values and λ, the
 * result's own (fresh arrays: a later call changes nothing in it; it builds its gradient from λ's
 * head when read) or the workspace's (leased as on the general path; the gradient copied). The
 * same checks in the same order as the general path: the point (an unknown name, a value that is
 * not a number, a missing input), the workspace, a non-finite value or multiplier (the solve).
 * Null when the objective is not the one output with weight 1, or is not finite: the general path
 * then answers (and names the fault).
 */
function gradInPlace(program: Program, at: Point | undefined, direct: InPlaceSolve): GradResult | null {
  if (program.outputs.length !== 1) return null;
  const size = program.size;
  const values = zeros(size);
  resolveScalarPoint(program, at, values); // straight into the values' head
  const start = now();
  const lambda = zeros(size);
  const stats = direct.solve(program, values, lambda, ONE);
  const value = objective(program, ONE, values);
  if (value - value !== 0) return null;
  stats.timeMs = now() - start;
  return new GradResult(program, direct.name, value, new InPlaceSolution(values, lambda, program.inputCount, stats));
}

/** gradInPlace in a workspace's buffers (a separate function: each stays monomorphic where V8 inlines it). */
function gradInWorkspace(
  program: Program,
  at: Point | undefined,
  direct: InPlaceSolve,
  workspace: Workspace,
): GradResult | null {
  if (program.outputs.length !== 1) return null;
  const { size, inputCount } = program;
  const inputs = zeros(inputCount); // the workspace is not written before the point is found good
  resolveScalarPoint(program, at, inputs);
  const held = lease(workspace);
  const start = now();
  const values = buffer(workspace.values, size);
  for (let k = 0; k < inputCount; k++) values[k] = inputs[k];
  const reused = workspace.lambda;
  const lambda = buffer(reused, size);
  if (lambda.buffer === reused?.buffer) lambda.fill(0);
  const stats = direct.solve(program, values, lambda, ONE);
  const value = objective(program, ONE, values);
  if (value - value !== 0) return null;
  stats.timeMs = now() - start;
  return new GradResult(
    program,
    direct.name,
    value,
    { values, lambda, gradient: head(lambda, inputCount), stats },
    held,
  );
}

/** A solution whose gradient is λ's head, copied only when asked for (GradResult reads λ's head itself). */
class InPlaceSolution implements Solution {
  #gradient: Float64Array | undefined;
  constructor(
    readonly values: Float64Array,
    readonly lambda: Float64Array,
    readonly inputCount: number,
    readonly stats: Stats,
  ) {}

  get gradient(): Float64Array {
    return (this.#gradient ??= head(this.lambda, this.inputCount));
  }
}

/** True when the options give at most a schedule and a workspace: grad's common call. */
function commonCall(options: GradOptions): boolean {
  for (const key in options)
    if (key !== 'schedule' && key !== 'workspace' && (options as Record<string, unknown>)[key] !== undefined)
      return false;
  return true;
}

/**
 * The options without grad's own (schedule, output, weights, wrt, table): what the schedule reads.
 * The common cases without a rest-spread copy per call: none of grad's own (the options as they
 * are), or besides them only the solve's options (those three in an object of one shape).
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
  if (settings === 0)
    return { multipliers: options.multipliers, workspace: options.workspace, progress: options.progress };
  const { schedule: _schedule, output: _output, weights: _weights, wrt: _wrt, table: _table, ...solve } = options;
  return solve;
}

/** The named inputs as a mask by input index; a name that is not an input is an error naming it. */
export function inputMask(program: Program, names: readonly string[]): Uint8Array {
  if (!Array.isArray(names)) throw new OptionError('wrt', 'must be a list of input names');
  const mask = new Uint8Array(program.inputCount);
  for (const name of names) {
    const i = program.names.get(name);
    if (i === undefined || i >= program.inputCount)
      throw new OptionError(
        'wrt',
        `'${name}' ${i === undefined ? `is no input; inputs are ${program.inputNames.join(', ')}` : 'is not an input'}`,
      );
    mask[i] = 1;
  }
  return mask;
}

/** The variables `indices` of a slab by name, in a record without a prototype: numbers, Float64Arrays (vectors) and Matrices. */
export function valuesByName(program: Program, slab: Float64Array, indices: readonly number[]): Values {
  const record: Values = Object.create(null);
  for (const i of indices) record[program.label(i)] = valueIn(program, slab, i);
  return record;
}
