import { LagradError } from '../../src/error.ts';
import { componentError, failure, type Monitor, type Verdict } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';

/**
 * The error of a whole-program iteration that did not converge, placed where it failed: at the
 * cyclic component holding the largest residual (an acyclic stretch cannot keep one for long);
 * `residual` has one entry per slot.
 */
export function globalFailure(
  program: Program,
  residual: Float64Array,
  method: string,
  verdict: Verdict,
  monitor: Monitor,
  maxIterations: number,
): LagradError {
  let worst: readonly [number, number] | null = null;
  let most = -1;
  for (const component of program.components()) {
    for (let s = program.slotOf(component[0]); s < program.slotOf(component[1]); s++) {
      const r = Math.abs(residual[s]);
      if (!(r <= most)) [most, worst] = [r, component];
    }
  }
  const what = failure(verdict, monitor, `${method} on the multipliers`, 'sweep', maxIterations);
  if (worst === null) return new LagradError(`schedule 'iterative'`, what);
  return componentError(program, worst[0], worst[1], what);
}
