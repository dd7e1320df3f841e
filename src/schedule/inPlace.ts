import type { Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import type { Schedule } from './schedule.ts';

// A schedule may also solve a program into buffers the caller owns, without the Problem, options,
// copy of the point and copy of the gradient that a call of `solve` builds around the arithmetic:
// on a small program (the lecture function's 11 variables) those cost more than the arithmetic.
// `grad`'s common call uses it (api/grad.ts). Declared beside the schedule, as the schedule object
// is defined (`inPlace({ … }, solver)`), and looked up by the schedule object, so a bundle holds
// only the schedules it imports.

/** A solve into the caller's buffers, for one program. */
export interface InPlaceSolve {
  /** The schedule that does the work, as its solution would name it. */
  readonly name: string;
  /**
   * values[0 … inputCount) hold the point and λ holds zeros; fills both (values, then λ by
   * (I − J)ᵀλ = w), or throws as `solve` would on a non-finite value or multiplier. Returns the
   * counts (timeMs is the caller's).
   */
  solve(program: Program, values: Float64Array, lambda: Float64Array, weights: Float64Array): Stats;
}

/** For a program: its in-place solve, or null where the schedule has none (then `solve` serves). */
export type InPlaceSolver = (program: Program) => InPlaceSolve | null;

const solvers = new WeakMap<Schedule, InPlaceSolver>();

/** The schedule, with `solver` as its in-place solve (the schedule object itself, returned). */
export function inPlace<S extends Schedule>(schedule: S, solver: InPlaceSolver): S {
  solvers.set(schedule, solver);
  return schedule;
}

/** The in-place solve of `schedule` on `program`, or null (none declared, or not for this program). */
export function inPlaceSolve(schedule: Schedule, program: Program): InPlaceSolve | null {
  const solver = solvers.get(schedule);
  return solver === undefined ? null : solver(program);
}
