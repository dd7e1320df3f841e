import { LagradError } from '../error.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Schedule, ScheduleTable, Solution, SolveOptions } from '../schedule/schedule.ts';
import { defaultSchedules } from '../../solvers/schedules.ts';
import { dependents } from '../program/dependents.ts';
import { valueIn, type BlockValue, type Value } from './blocks.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';

export interface GradOptions extends SolveOptions {
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
  const schedule = typeof options.schedule === 'object' ? options.schedule : (options.table ?? defaultSchedules).get(options.schedule ?? 'auto');
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const wrt = options.wrt === undefined ? undefined : inputMask(program, options.wrt);
  const solution = schedule.solve({ program, inputs, weights, ...(wrt && { wrt }) }, options);
  return new GradResult(program, solution.schedule ?? schedule.name, objective(program, weights, solution.values), solution, wrt ?? null);
}

/** The named inputs as a mask by input index; a name that is not an input is an error naming it. */
export function inputMask(program: Program, names: readonly string[]): Uint8Array {
  const mask = new Uint8Array(program.inputCount);
  for (const name of names) {
    const i = program.names.get(name);
    if (i === undefined || i >= program.inputCount) throw new LagradError(`wrt '${name}'`, i === undefined ? `no input has this name; inputs are ${program.inputNames.join(', ')}` : 'is not an input');
    mask[i] = 1;
  }
  return mask;
}
