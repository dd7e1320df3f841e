import { LagradError } from '../../src/error.ts';
import { componentError, failure, type Monitor, type Verdict } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';

/**
 * The error of a whole-program iteration that did not converge, placed where it failed: at the
 * cyclic component holding the largest residual (an acyclic stretch cannot keep one for long).
 */
export function globalFailure(program: Program, residual: Float64Array, method: string, verdict: Verdict, monitor: Monitor, maxIterations: number): LagradError {
  const { cycles } = program;
  let worst = -1;
  let most = -1;
  for (let k = 0; k < cycles.length; k += 2) {
    for (let i = cycles[k]; i < cycles[k + 1]; i++) {
      const r = Math.abs(residual[i]);
      if (!(r <= most)) [most, worst] = [r, k];
    }
  }
  const what = failure(verdict, monitor, `${method} on the multipliers`, 'sweep', maxIterations);
  if (worst < 0) return new LagradError(`schedule 'iterative'`, what);
  return componentError(program, cycles[worst], cycles[worst + 1], what);
}
