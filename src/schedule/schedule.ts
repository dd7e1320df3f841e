import type { Convergence } from '../lagrangian/convergence.ts';
import { checkSolution } from '../lagrangian/finite.ts';
import type { Derivation } from '../lagrangian/provenance.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { NamedTable } from './namedTable.ts';
import { checkProblem } from './problem.ts';
import type { Setting } from './settings.ts';

/** What a schedule is asked to solve: the program at a point, with objective Σ_o w_o v_o. */
export interface Problem {
  readonly program: Program;
  /** Values of the inputs, in input order. */
  readonly inputs: Float64Array;
  /** w: one weight per output, aligned with program.outputs (for block outputs, one per entry: see lagrangian.ts). */
  readonly weights: Float64Array;
  /**
   * The inputs whose gradient is wanted (1 by input index); absent, all. A schedule may skip work
   * for the others (reverse skips the VJPs into data such as a batch X); their gradient entries
   * and the multipliers of variables that depend on no wanted input are then unspecified.
   */
  readonly wrt?: Uint8Array;
}

/** Buffers a caller may hand in to be reused across solves (their first touch costs page faults). */
export interface Workspace {
  values?: Float64Array;
  lambda?: Float64Array;
  /** Forward mode's tangents, N·K for K lanes. */
  tangents?: Float64Array;
}

/** What every solve takes besides its schedule's settings (SOLVE_OPTIONS in settings.ts). */
export interface SolveOptions {
  /** Also compute λ of every intermediate when the schedule does not get them for free (forward). */
  readonly multipliers?: boolean;
  /** Reused buffers; a schedule uses them when they are large enough. */
  readonly workspace?: Workspace;
  /**
   * Called after each step of a long solve's outer loop (a group of tangent sweeps, an input's
   * differences, a source's paths, an iteration) with the steps done and the most there will be;
   * the CLI draws a progress bar from it on a terminal.
   */
  readonly progress?: (done: number, total: number) => void;
}

/**
 * What `Schedule.solve` receives: the solve options and the schedule's settings by name. The
 * interface serves every schedule, so settings are untyped here; each schedule reads them with
 * `readSettings(its settings, options)`, which types and checks them (an undeclared key is an
 * error), and the API's option types (`GradOptions`) list the built-in settings typed.
 */
export type ScheduleOptions = SolveOptions & { readonly [setting: string]: unknown };

/**
 * A solution of the KKT system: values v, multipliers λ and the gradient ∂objective/∂x = λ_inputs.
 * With vector and matrix variables, values and λ are slabs laid out by program.layout (length
 * program.slots) and the gradient is their inputs' prefix (length program.inputSlots).
 */
export interface Solution {
  readonly values: Float64Array;
  /** λ of every variable, or null when the schedule computed only the inputs' (see SolveOptions.multipliers). */
  readonly lambda: Float64Array | null;
  /** λ of the inputs: the gradient, in input order. */
  readonly gradient: Float64Array;
  readonly stats: Stats;
  /** The schedule that did the work, when it differs from the one asked (auto delegates). */
  readonly schedule?: string;
  /** Residual histories of the iterative solves behind the result (cyclic components, iterative schedules). */
  readonly convergence?: readonly Convergence[];
  /**
   * True when values, λ and gradient are known to be finite: set by the check at the schedule's
   * boundary (`checked`), or by a schedule that checked them itself, so no pass is made twice.
   */
  readonly finite?: boolean;
}

/**
 * A schedule: any method that solves the program's constraints and (I − J)ᵀλ = w.
 * All schedules read the same Program and are interchangeable. `L` is the list of its settings.
 */
export interface Schedule<out L extends readonly Setting[] = readonly Setting[]> {
  readonly name: string;
  /** One line for `--help` and docs. */
  readonly summary: string;
  /**
   * The settings it reads (absent: none). `grad`, `verify` and the CLI validate options against
   * them; `solve` reads them with `readSettings(settings, options)`, which checks them again for
   * callers that call `solve` directly.
   */
  readonly settings?: L;
  /** How it derives the gradient (default 'multipliers'): where a non-finite one is traced back to. */
  readonly derivation?: Derivation;
  solve(problem: Problem, options?: ScheduleOptions): Solution;
}

/** The schedules whose `solve` checks its result (made by `checked`). */
const checkedSchedules = new WeakSet<Schedule>();

/**
 * The schedule with its boundary: the problem it is handed is checked (problem.ts: a Program,
 * finite inputs and weights of the right lengths, a workspace whose buffers share no memory), and every solution it returns has finite values, multipliers,
 * gradient and objective, or its `solve` throws an error naming where the first non-finite number
 * appeared (`checkSolution`, lagrangian/finite.ts). Every built-in schedule is defined through it,
 * schedule tables wrap what is registered, and `grad` and `verify` wrap a Schedule object handed to
 * them — so no schedule, old or new, returns a NaN, whoever calls it. Idempotent.
 */
export function checked<L extends readonly Setting[]>(schedule: Schedule<L>): Schedule<L> {
  if (checkedSchedules.has(schedule)) return schedule;
  const wrapped: Schedule<L> = {
    name: schedule.name,
    summary: schedule.summary,
    ...(schedule.settings !== undefined && { settings: schedule.settings }),
    ...(schedule.derivation !== undefined && { derivation: schedule.derivation }),
    solve(problem: Problem, options?: ScheduleOptions): Solution {
      checkProblem(problem, options);
      const solution = schedule.solve(problem, options);
      checkSolution(problem.program, problem.weights, solution, schedule.name, schedule.derivation);
      return solution.finite ? solution : { ...solution, finite: true };
    },
  };
  checkedSchedules.add(wrapped);
  return wrapped;
}

/** A name → schedule table with loud errors; `grad` resolves schedule names through one. Entries are `checked`. */
export class ScheduleTable extends NamedTable<Schedule> {
  constructor(entries: Iterable<Schedule> = []) {
    super('schedule', entries);
  }

  override register(entry: Schedule): this {
    return super.register(checked(entry));
  }
}

/** A Float64Array of length n: the workspace's when large enough (as a view), else a fresh one of zeros. */
export function buffer(reused: Float64Array | undefined, n: number): Float64Array {
  if (reused && reused.length === n) return reused; // no view object per call when the size is exact
  return reused && reused.length >= n ? reused.subarray(0, n) : zeros(n);
}

// Small arrays are carved from shared slabs: an array of its own costs V8 an ArrayBuffer, about
// 0.4 µs for more than 8 numbers, against 30 ns for a view — more than a whole gradient of a small
// program. Each part of a slab is handed out once, so a carved array holds zeros, and a slab lives
// as long as any array carved from it (at most SLAB numbers kept alive per array). Its `.buffer` is
// the slab: view a result through the array itself, not through its buffer.
const SLAB = 1024;
const CARVED = 128;
let slab = new ArrayBuffer(SLAB * 8);
let carved = 0;

/** A fresh Float64Array of n zeros (carved from a shared slab when small). */
export function zeros(n: number): Float64Array {
  if (n > CARVED) return new Float64Array(n);
  if (carved + n > SLAB) {
    slab = new ArrayBuffer(SLAB * 8);
    carved = 0;
  }
  const array = new Float64Array(slab, carved * 8, n);
  carved += n;
  return array;
}

/** A fresh copy of x[0 … n): λ of the inputs, say, as a gradient of its own. */
export function head(x: Float64Array, n: number): Float64Array {
  const out = zeros(n);
  for (let k = 0; k < n; k++) out[k] = x[k];
  return out;
}
