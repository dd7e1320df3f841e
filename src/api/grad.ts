import { LagradError, OptionError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Schedule, ScheduleTable, Solution, SolveOptions } from '../schedule/schedule.ts';
import { checkOptions, requireOptions, SOLVE_OPTIONS } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { dependents } from '../program/dependents.ts';
import { valueIn, type BlockValue, type Value } from './blocks.ts';
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
  /** General objective weights w by output name (for a block output, a block of its shape, or a number for every entry). */
  readonly weights?: Readonly<Record<string, BlockValue>>;
  /**
   * The inputs to differentiate with respect to (default: all). The others are data: schedules
   * may skip their gradients (reverse skips the VJPs into a batch X), and the result leaves them out.
   */
  readonly wrt?: readonly string[];
  /** The table names resolve in (default: the process-wide one). */
  readonly table?: ScheduleTable;
}

/** The options of `grad` itself, beside the solve's and the schedule's settings. */
const GRAD_OPTIONS = ['schedule', 'output', 'weights', 'wrt', 'table', ...SOLVE_OPTIONS];

/**
 * The result of `grad`: the value, the gradient by input name and every multiplier. The gradient
 * of a vector input is a Float64Array, of a matrix input an ml-matrix `Matrix` (DESIGN §9).
 */
export class GradResult {
  constructor(
    readonly program: Program,
    readonly schedule: string,
    readonly value: number,
    readonly solution: Solution,
    /** The inputs differentiated with respect to (1 by input index), or null for all. */
    readonly wrt: Uint8Array | null = null,
  ) {}

  /** ∂objective/∂x by input name: the inputs' multipliers (only those of `wrt` when it was given). */
  get gradient(): Record<string, Value> {
    const names = this.program.inputNames;
    const entries: [string, Value][] = [];
    names.forEach((name, k) => {
      if (this.wrt === null || this.wrt[k] === 1) entries.push([name, valueIn(this.program, this.solution.gradient, k)]);
    });
    return Object.fromEntries(entries);
  }

  /** λ of every variable, in program order. */
  get lambda(): Float64Array {
    if (this.solution.lambda === null) throw new LagradError(`schedule '${this.schedule}'`, 'computed only the gradient; ask for { multipliers: true } to get every multiplier');
    return this.solution.lambda;
  }

  /** λ of every named variable, by name: the adjoints ∂objective/∂v (with `wrt`, of those that depend on a wanted input). */
  get multipliers(): Record<string, Value> {
    const lambda = this.lambda;
    const wanted = this.wrt === null ? null : dependents(this.program, this.wrt);
    const named = [...this.program.names].filter(([, i]) => wanted === null || wanted[i] === 1).sort((a, b) => a[1] - b[1]);
    return Object.fromEntries(named.map(([name, i]) => [name, valueIn(this.program, lambda, i)]));
  }

  /** The value of a named variable at the point: a number, a Float64Array (vector) or a Matrix. */
  valueOf(name: string): Value {
    return valueIn(this.program, this.solution.values, this.program.indexOf(name));
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
  const schedule = typeof options.schedule === 'object' ? options.schedule : table.get(options.schedule ?? 'auto');
  checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], { schedule: `schedule '${schedule.name}'`, others: () => table.list() });
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const wrt = options.wrt === undefined ? undefined : inputMask(program, options.wrt);
  const { schedule: _schedule, output: _output, weights: _weights, wrt: _wrt, table: _table, ...solve } = options;
  const solution = schedule.solve({ program, inputs, weights, ...(wrt && { wrt }) }, solve);
  return new GradResult(program, solution.schedule ?? schedule.name, objective(program, weights, solution.values), solution, wrt ?? null);
}

/** The named inputs as a mask by input index; a name that is not an input is an error naming it. */
export function inputMask(program: Program, names: readonly string[]): Uint8Array {
  if (!Array.isArray(names)) throw new OptionError('wrt', 'must be a list of input names');
  const mask = new Uint8Array(program.inputCount);
  for (const name of names) {
    const i = program.names.get(name);
    if (i === undefined || i >= program.inputCount) throw new OptionError('wrt', `'${name}' ${i === undefined ? `is no input; inputs are ${program.inputNames.join(', ')}` : 'is not an input'}`);
    mask[i] = 1;
  }
  return mask;
}
