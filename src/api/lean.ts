import type { Program } from '../program/program.ts';
import { gradIn, type GradOptions, type GradResult } from './grad.ts';
import { jacobianIn, type JacobianOptions, type JacobianResult } from './jacobian.ts';
import { jvpIn, type JvpOptions, type JvpResult } from './jvp.ts';
import type { Point } from './point.ts';
import { valueAndGradIn, type ValueAndGrad } from './valueAndGrad.ts';
import { vjpIn, type Cotangent } from './vjp.ts';

// The API of the `lagrad/core` entry, for bundles: the functions of the package root with the
// schedule given as an object (`{ schedule: reverse }`) or as a name in a table the caller passes
// (`{ table }`), never looked up in a table of every built-in schedule — so a bundle holds only the
// schedules it imports. Defaults: auto (reverse) for grad, valueAndGrad and vjp; a forward tangent
// sweep for jvp; by the shape for jacobian.

/** `grad` (see the package root) without the table of built-in schedule names. */
export function grad(program: Program, at?: Point, options: GradOptions = {}): GradResult {
  return gradIn(options?.table, program, at, options);
}

/** `valueAndGrad` (see the package root) without the table of built-in schedule names. */
export function valueAndGrad(program: Program, options: GradOptions = {}): ValueAndGrad {
  return valueAndGradIn(options?.table, program, options);
}

/** `jvp` (see the package root) without the table of built-in schedule names. */
export function jvp(program: Program, at: Point | undefined, tangent: Point, options: JvpOptions = {}): JvpResult {
  return jvpIn(options?.table, program, at, tangent, options);
}

/** `vjp` (see the package root) without the table of built-in schedule names. */
export function vjp(
  program: Program,
  at: Point | undefined,
  cotangent: Cotangent,
  options: GradOptions = {},
): GradResult {
  return vjpIn(options?.table, program, at, cotangent, options);
}

/** `jacobian` (see the package root) without the table of built-in schedule names. */
export function jacobian(program: Program, at?: Point, options: JacobianOptions = {}): JacobianResult {
  return jacobianIn(options?.table, program, at, options);
}
