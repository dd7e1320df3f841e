import { OptionError } from '../src/error.ts';
import { enumSetting } from '../src/schedule/settings.ts';

// `method`, one setting shared by the schedules that offer several ways to solve for the multipliers
// (iterative, dual). A setting name has one declaration, so `--method` parses and is listed once;
// each schedule then accepts only its own methods (`methodFor`).

/** The methods of the iterative schedule; the first is its default. */
export const ITERATIVE_METHODS = ['gauss-seidel', 'jacobi', 'fixed-point', 'gmres'] as const;
export type IterativeMethod = (typeof ITERATIVE_METHODS)[number];

/** The methods of the dual schedule; the first is its default. */
export const DUAL_METHODS = ['cg', 'gradient'] as const;
export type DualMethod = (typeof DUAL_METHODS)[number];

/** Setting `method`. */
export const method = enumSetting({
  name: 'method',
  values: [...ITERATIVE_METHODS, ...DUAL_METHODS],
  defaultText: 'gauss-seidel (iterative), cg (dual)',
  help: "iterative: Gauss–Seidel or Jacobi over the whole program, or per component Christianson's adjoint iteration (fixed-point) or GMRES; dual: conjugate gradients on the normal equations (cg) or steepest descent (gradient)",
});

/** The method a schedule runs: the one given when it is among the schedule's own, else its default (the first). */
export function methodFor<const M extends string>(schedule: string, given: string | undefined, own: readonly M[]): M {
  if (given === undefined) return own[0];
  if ((own as readonly string[]).includes(given)) return given as M;
  throw new OptionError('method', `schedule '${schedule}' takes ${own.join(', ')}, got '${given}'`);
}
