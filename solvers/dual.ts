import { LagradError } from '../src/error.ts';
import {
  failure,
  Monitor,
  ROUNDING,
  Verdict,
  type Convergence,
  type IterationSettings,
} from '../src/lagrangian/convergence.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { seededProvenance } from '../src/lagrangian/provenance.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../src/lagrangian/primal.ts';
import { emptyStats, type Stats } from '../src/lagrangian/stats.ts';
import type { Program } from '../src/program/program.ts';
import { requireScalars } from '../src/program/acyclic.ts';
import { primitives } from '../src/primitives/registry.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { readSettings } from '../src/schedule/settings.ts';
import { maxWork, requireWork, sweepWork } from '../src/schedule/work.ts';
import { longestChain } from './iterative/jacobi.ts';
import { DUAL_METHODS, method, methodFor, type DualMethod } from './method.ts';

/** The methods of the dual schedule (`--method`, shared with iterative: see method.ts). */
export { DUAL_METHODS, type DualMethod };

const SETTINGS = [method, maxWork, ...PRIMAL_SETTINGS] as const;

/**
 * The multipliers by optimisation on the dual residual, with no elimination order: minimise
 * f(λ) = ½‖(I − J)ᵀλ − w‖² over all of λ at once, from λ = 0. `--method`:
 * - `cg` (default): conjugate gradients on the normal equations (I − J)(I − J)ᵀλ = (I − J)w
 *   (CGLS): converges whenever I − J is nonsingular, whatever the spectral radius of J, in at most
 *   N iterations in exact arithmetic;
 * - `gradient`: steepest descent on f with the exact line search α = ‖g‖²/‖(I − J)ᵀg‖² along the
 *   gradient direction g = (I − J)r, r = w − (I − J)ᵀλ. On a quadratic the exact step costs the same
 *   product the residual update needs anyway, needs no estimate of the largest singular value
 *   (a power iteration would spend sweeps on one, and an underestimate diverges) and never
 *   increases f. It is CGLS with the conjugation dropped.
 * Matrix-free: (I − J)ᵀx by one reverse sweep, (I − J)x by one tangent sweep, so each iteration is
 * two sweeps. Values by `solvePrimal` (acyclic or cyclic). Residual: ‖r‖₂, the norm both methods
 * minimise and never increase (the ∞-norm of Jacobi's residual can rise for a while under them,
 * and would look like a stall), judged against max(‖w‖₂, ‖λ‖₂). Stats: `iterations`, `residual`,
 * `rate`; `convergence` holds the residual history.
 */
export const dual: Schedule<typeof SETTINGS> = checked({
  name: 'dual',
  summary:
    'multipliers by minimising ½‖(I − J)ᵀλ − w‖², no elimination order: --method cg (default, CG on the normal equations) | gradient',
  settings: SETTINGS,
  solve(problem: Problem, options: ScheduleOptions = {}): Solution {
    const { method: given, maxWork: limit, ...settings } = readSettings(SETTINGS, options);
    const method = methodFor('dual', given, DUAL_METHODS);
    // Two sweeps an iteration, and information crosses one constraint per iteration.
    const depth = longestChain(problem.program);
    requireWork(
      'dual',
      2 * depth * sweepWork(problem.program, problem.program.inputCount),
      limit,
      `its iterations of two sweeps, at least the ${depth} of its longest chain,`,
      'use reverse',
    );
    const start = performance.now();
    const { program, inputs, weights } = problem;
    requireScalars(program, 'dual');
    const { size, inputCount } = program;
    const stats = emptyStats();
    const history: Convergence[] = [];
    const values = buffer(options.workspace?.values, size);
    solvePrimal(program, inputs, values, stats, { ...settings, history });
    const w = new Float64Array(size);
    seed(program, weights, w);
    const lambda = buffer(options.workspace?.lambda, size);
    const { monitor, verdict } = minimiseDualResidual(program, values, w, lambda, method, settings, stats);
    monitor.tally(stats);
    history.push(monitor.record(program, 'multipliers', method, 0, size, verdict === Verdict.Converged));
    // A partial that does not exist or a product that overflows stalls CG: if back-substitution's
    // own arithmetic goes non-finite somewhere, that place is the error.
    if (verdict !== Verdict.Converged) seededProvenance(program, values, w);
    if (verdict !== Verdict.Converged)
      throw new LagradError(
        `schedule 'dual'`,
        failure(
          verdict,
          monitor,
          method === 'cg' ? 'CG on the normal equations' : 'gradient descent on the dual residual',
          'iteration',
          settings.maxIterations,
        ),
      );
    stats.peakValues = size;
    stats.peakBytes = 8 * size;
    stats.timeMs = performance.now() - start;
    return { values, lambda, gradient: lambda.slice(0, inputCount), stats, convergence: [...history] };
  },
});

/**
 * CGLS (`cg`) or steepest descent (`gradient`) on ½‖(I − J)ᵀλ − w‖², writing λ; returns how it
 * went instead of throwing, so studies can draw the curve of a run that failed. The residual
 * r = w − (I − J)ᵀλ is updated by recurrence, which drifts from the true residual by rounding (and
 * keeps shrinking after the true one has stopped): once the recurrence is within the tolerance or
 * at rounding level, the true residual is computed, judged, and the iteration restarts from it.
 */
export function minimiseDualResidual(
  program: Program,
  values: Float64Array,
  w: Float64Array,
  lambda: Float64Array,
  method: DualMethod,
  settings: IterationSettings,
  stats: Stats,
  patience?: number,
): { monitor: Monitor; verdict: Verdict } {
  const { size } = program;
  const A = new DualOperator(program, values, stats);
  const r = Float64Array.from(w);
  const s = new Float64Array(size);
  const p = new Float64Array(size);
  const q = new Float64Array(size);
  lambda.fill(0);
  const wScale = Math.sqrt(dot(w, w));
  // Information crosses one edge per product, so nothing is judged before it can have crossed the
  // program (a study passes `patience` ∞ to see a whole curve up to the limit).
  const monitor = new Monitor(settings.tolerance, settings.maxIterations, patience ?? 20 + longestChain(program));
  if (wScale === 0) return { monitor, verdict: Verdict.Converged };
  A.applyTranspose(r, s);
  p.set(s);
  let gamma = dot(s, s);
  for (;;) {
    A.apply(p, q);
    const delta = dot(q, q);
    // q = 0 with p ≠ 0 (or p = (I − J)r = 0 with r ≠ 0): I − J is singular, and this residual is
    // the least the iteration can reach.
    if (!(delta > 0)) {
      const verdict = monitor.check(Math.sqrt(dot(r, r)), Math.max(wScale, Math.sqrt(dot(lambda, lambda))));
      return { monitor, verdict: verdict === Verdict.Continue ? Verdict.Slow : verdict };
    }
    const alpha = gamma / delta;
    for (let i = 0; i < size; i++) {
      lambda[i] += alpha * p[i];
      r[i] -= alpha * q[i];
    }
    const scale = Math.max(wScale, Math.sqrt(dot(lambda, lambda)));
    let residual = Math.sqrt(dot(r, r));
    let restart = false;
    if (residual <= Math.max(settings.tolerance, ROUNDING) * scale) {
      A.apply(lambda, q);
      for (let i = 0; i < size; i++) r[i] = w[i] - q[i];
      residual = Math.sqrt(dot(r, r));
      restart = true;
    }
    const verdict = monitor.check(residual, scale);
    if (verdict !== Verdict.Continue) return { monitor, verdict };
    A.applyTranspose(r, s);
    const next = dot(s, s);
    const beta = method === 'cg' && !restart ? next / gamma : 0;
    for (let i = 0; i < size; i++) p[i] = s[i] + beta * p[i];
    gamma = next;
  }
}

/**
 * (I − J)ᵀ and I − J over the whole program, applied by the registry's sweeps, never assembled:
 * Jᵀx is one reverse sweep from x into a zeroed array, Jx one tangent sweep (inputs have no
 * partials: their rows of J are empty). Counts partial evaluations and sweeps into stats.
 */
class DualOperator {
  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly stats: Stats,
  ) {}

  /** out = (I − J)ᵀx = x − Jᵀx. */
  apply(x: Float64Array, out: Float64Array): void {
    const { ops, parentStart, parents, constants, inputCount, size } = this.program;
    out.fill(0);
    this.stats.partialEvaluations += primitives
      .kernels()
      .reverse(this.values, x, out, ops, parentStart, parents, constants, inputCount, size);
    for (let i = 0; i < size; i++) out[i] = x[i] - out[i];
    this.stats.sweeps++;
  }

  /** out = (I − J)x = x − Jx. */
  applyTranspose(x: Float64Array, out: Float64Array): void {
    const { ops, parentStart, parents, constants, inputCount, size } = this.program;
    primitives.kernels().tangent(this.values, x, out, ops, parentStart, parents, constants, inputCount, size);
    for (let i = 0; i < inputCount; i++) out[i] = x[i];
    for (let i = inputCount; i < size; i++) out[i] = x[i] - out[i];
    this.stats.partialEvaluations += size - inputCount;
    this.stats.sweeps++;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
