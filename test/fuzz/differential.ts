import { LagradError } from '../../src/error.ts';
import { grad, type GradOptions, type GradResult } from '../../src/api/grad.ts';
import { disagreements, multiplierScale, type Solved } from '../../src/lagrangian/certificate.ts';
import { dualResiduals, localPartials } from '../../src/lagrangian/kkt.ts';
import type { Program } from '../../src/program/program.ts';
import { sweepsOf } from '../../src/primitives/sweeps.ts';
import { CyclicTangents } from '../../src/lagrangian/cyclicTangents.ts';
import { emptyStats } from '../../src/lagrangian/stats.ts';

// The differential rule: on one program at one point, every schedule returns the multipliers of
// reverse — to verify's tolerance, relative to the scale μ_j of each multiplier's sum — or refuses
// as reverse does. The exceptions are stated here and each is checked where it is claimed:
//
// - A schedule declines what it cannot do at all (paths and checkpoint on a cyclic program, paths
//   above its path limit, dense above its size limit): `schedule 'NAME': …`. Not a refusal of the
//   problem; it is left out.
// - Back-substitution sends nothing back from a constraint whose multiplier is exactly 0, even
//   through a partial that does not exist (sqrt at 0 under max(·, 1)); schedules that evaluate every
//   partial (forward, dense, paths) meet 0·∞ and refuse. Allowed only when such a constraint exists.
// - Float64's range is finite. Where some intermediate — a value, a local partial, a multiplier of
//   back-substitution or a tangent of forward mode — is beyond 10^±150 in size, schedules that sum
//   the chain rule in different orders may overflow or underflow at different places (forward's
//   tangent 1e200·1e200 on the way to a product with 1e-300; reverse's 1e-200·1e-300 lost to
//   underflow). There every answer must still be finite (the boundary sees to that) and every
//   refusal must name a non-finite derivative, but the answers are not compared. Checked: the
//   intermediates are computed here, not assumed. There too a component's singularity may be judged
//   differently for I − J (forward) and its transpose (reverse): pivots are judged after scaling rows
//   and columns to 1, which cannot undo every scale that wide.
// - compiled runs reverse's operations in reverse's order as generated code: the same bits as
//   reverse, or the same refusal, word for word (checked before the rest).
// - The dual schedule minimises ‖(I − J)ᵀλ − w‖₂: its multipliers are accurate normwise, judged
//   against the largest multiplier rather than each its own scale.
// - An iterative multiplier method (Jacobi, Gauss–Seidel, the adjoint fixed point, GMRES, the dual's CG) may fail
//   to converge where a direct solve succeeds; it then says so.
// - fd differentiates the values: it cannot see a derivative overflow or a partial that does not
//   exist, and it evaluates at shifted points, where a value may fail. Its gradient is judged by
//   `verify` (with kink detection), not here; only a value that fails at the point itself must fail
//   for fd too, with the same message.

/** The schedules compared, with their settings. */
const RUNS: readonly { label: string; options: GradOptions }[] = [
  { label: 'reverse', options: { schedule: 'reverse' } },
  { label: 'auto', options: { schedule: 'auto' } },
  { label: 'compiled', options: { schedule: 'compiled' } },
  { label: 'forward', options: { schedule: 'forward' } },
  { label: 'forward lanes 1', options: { schedule: 'forward', lanes: 1 } },
  { label: 'dense', options: { schedule: 'dense' } },
  { label: 'paths', options: { schedule: 'paths' } },
  { label: 'iterative gauss-seidel', options: { schedule: 'iterative', method: 'gauss-seidel' } },
  { label: 'iterative jacobi', options: { schedule: 'iterative', method: 'jacobi' } },
  { label: 'iterative fixed-point', options: { schedule: 'iterative', method: 'fixed-point' } },
  { label: 'iterative gmres', options: { schedule: 'iterative', method: 'gmres' } },
  { label: 'dual cg', options: { schedule: 'dual', method: 'cg' } },
  { label: 'checkpoint revolve', options: { schedule: 'checkpoint', strategy: 'revolve', snapshots: 2 } },
  { label: 'checkpoint sqrt', options: { schedule: 'checkpoint', strategy: 'sqrt' } },
  { label: 'fd', options: { schedule: 'fd' } },
];

type Outcome =
  { label: string; result: GradResult; error?: undefined } | { label: string; result?: undefined; error: LagradError };

/** What kind of refusal a message is. */
type Kind = 'decline' | 'value' | 'singular' | 'iteration' | 'derivative' | 'other';

function kind(message: string): Kind {
  if (/is singular/.test(message)) return 'singular';
  if (/^schedule '[^']+': /.test(message)) return 'decline';
  if (/: not a finite number( \(at the finite-difference point .*\))?$|no fixed point found/.test(message))
    return 'value';
  if (
    /on the multipliers|adjoint|GMRES|the tangent iteration|makes no progress|diverges|did not converge|contracts too slowly|non-finite value/.test(
      message,
    )
  )
    return 'iteration';
  if (/derivative does not exist|overflows|own arithmetic went non-finite|is (NaN|-?Infinity)/.test(message))
    return 'derivative';
  return 'other';
}

/** Null when the schedules agree (or refuse alike, or differ only as allowed); else what is wrong. */
export function compareSchedules(program: Program, at: Record<string, number>): string | null {
  const outcomes: Outcome[] = RUNS.map(({ label, options }) => {
    try {
      return { label, result: grad(program, at, { ...options, multipliers: options.schedule !== 'fd' }) };
    } catch (e) {
      if (e instanceof LagradError) return { label, error: e };
      throw new Error(`${label} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
    }
  });
  for (const o of outcomes)
    if (o.error && kind(o.error.message) === 'other')
      return `${o.label} refused with a message of no known kind: ${o.error.message}`;
  const reference = outcomes[0];
  const same = sameAsReverse(
    reference,
    outcomes.find((o) => o.label === 'compiled')!,
  );
  if (same !== null) return same;
  const considered = outcomes.filter((o) => !(o.error && kind(o.error.message) === 'decline'));
  const iterative = (o: Outcome) => o.label.startsWith('iterative') || o.label.startsWith('dual');

  if (reference.error) {
    const expected = kind(reference.error.message);
    // Beyond 10^±150, a component's pivots are judged after scaling its rows and columns, which
    // cannot undo every such scale: I − J and its transpose may then be judged singular or not alike.
    const answered = considered.find((o) => o.result !== undefined)?.result;
    const extremeHere = () => answered !== undefined && scaledBeyond(program, answered.solution.values);
    // A value that fails at the point itself fails for every schedule, with the same message.
    const atPoint = expected === 'value' && !/finite-difference point/.test(reference.error.message);
    for (const o of considered) {
      if (o === reference) continue;
      if (o.result) {
        // fd sees values only; an iterative method converges to one of many multipliers of a singular system.
        if (o.label === 'fd' && !atPoint) continue;
        if (iterative(o) && expected === 'singular') continue;
        // Out of range in reverse's order of the chain rule, not in another's.
        if ((expected === 'derivative' || expected === 'singular') && scaledBeyond(program, o.result.values)) continue;
        return `reverse refused (${reference.error.message}) but ${o.label} answered ${JSON.stringify(o.result.gradient)}`;
      }
      const got = kind(o.error.message);
      if (iterative(o) && got === 'iteration') continue;
      if (
        (got === 'singular' || got === 'derivative') &&
        (expected === 'singular' || expected === 'derivative') &&
        extremeHere()
      )
        continue;
      if (atPoint ? o.error.message !== reference.error.message : got !== expected && o.label !== 'fd') {
        return `reverse refused with '${reference.error.message}' but ${o.label} with '${o.error.message}'`;
      }
    }
    return null;
  }

  const { values, lambda } = reference.result.solution;
  const weights = Float64Array.of(...Array.from(program.outputs, (_, k) => (k === 0 ? 1 : 0)));
  const J = localPartials(program, values);
  const mu = multiplierScale(program, J, weights, lambda!);
  const extreme = badlyScaled(program, values, J, lambda!);
  const solved: Solved[] = [];
  for (const o of considered) {
    if (o.label === 'fd') continue;
    if (o.error) {
      const why = allowedRefusal(program, o, reference.result, J, extreme);
      if (why === null)
        return `reverse answered ${JSON.stringify(reference.result.gradient)} but ${o.label} refused: ${o.error.message}`;
      continue;
    }
    if (o.label.startsWith('dual')) {
      // Minimising ‖(I − J)ᵀλ − w‖ is accurate normwise: judged against the largest multiplier, or
      // (CG on the normal equations squares the condition number) by its backward error, the
      // residual against the size of the terms it sums.
      const scale = Math.max(1, ...Array.from(lambda!, Math.abs));
      const worst = Math.max(...Array.from(o.result.solution.lambda!, (x, j) => Math.abs(x - lambda![j])));
      const backward = backwardError(program, J, o.result.solution.lambda!, weights);
      if (!(worst <= 1e-8 * scale) && !(backward <= 1e-8) && !extreme)
        return `dual differs from reverse by ${worst} (scale ${scale}), backward error ${backward}`;
      continue;
    }
    solved.push({ name: o.label, lambda: o.result.solution.lambda, gradient: o.result.solution.gradient });
  }
  const { check } = disagreements(program, solved, mu, 1e-8);
  return check.ok || extreme
    ? null
    : `the schedules disagree on ${check.label}: ${check.detail} (relative ${check.value})`;
}

/** Null when compiled gave reverse's bits (values, every multiplier, gradient) or reverse's refusal; else how they differ. */
function sameAsReverse(reference: Outcome, compiled: Outcome): string | null {
  if (reference.error || compiled.error) {
    const a = reference.error?.message ?? 'an answer';
    const b = compiled.error?.message ?? 'an answer';
    return a === b ? null : `reverse gave ${a} but compiled ${b}`;
  }
  const r = reference.result.solution;
  const c = compiled.result.solution;
  for (const [what, x, y] of [
    ['value', r.values, c.values],
    ['multiplier', r.lambda!, c.lambda!],
    ['gradient entry', r.gradient, c.gradient],
  ] as const) {
    for (let i = 0; i < x.length; i++)
      if (!Object.is(x[i], y[i])) return `compiled's ${what} ${i} is ${y[i]}, reverse's ${x[i]}: not the same bits`;
  }
  return null;
}

/** max_j |((I − J)ᵀλ − w)_j| over max_j (|w_j| + |λ_j| + Σ_i |λ_i J_ij|): the normwise backward error of λ. */
function backwardError(program: Program, J: Float64Array, lambda: Float64Array, weights: Float64Array): number {
  const r = dualResiduals(program, J, lambda, weights);
  const { parentStart, parents, inputCount, size } = program;
  const terms = new Float64Array(size);
  for (let i = size - 1; i >= inputCount; i--)
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) terms[parents[e]] += Math.abs(lambda[i] * J[e]);
  const w = new Float64Array(size);
  for (let k = 0; k < program.outputs.length; k++) w[program.outputs[k]] += Math.abs(weights[k]);
  let scale = 0;
  for (let j = 0; j < size; j++) scale = Math.max(scale, w[j] + Math.abs(lambda[j]) + terms[j]);
  return Math.max(...Array.from(r, Math.abs)) / scale;
}

/** Why a refusal is allowed while reverse answered (see the exceptions above), or null. */
function allowedRefusal(
  program: Program,
  o: Outcome & { error: LagradError },
  reference: GradResult,
  J: Float64Array,
  extreme: boolean,
): string | null {
  const message = o.error.message;
  if ((o.label.startsWith('iterative') || o.label.startsWith('dual')) && kind(message) === 'iteration')
    return 'an iterative method that does not converge';
  if (
    /derivative does not exist|own arithmetic went non-finite/.test(message) &&
    zeroMultiplierThroughMissingPartial(program, reference.solution.lambda!, J)
  ) {
    return '0·∞ where back-substitution skips a zero multiplier';
  }
  if (extreme && kind(message) === 'derivative') return 'an intermediate beyond 10^±150, summed in another order';
  if (extreme && kind(message) === 'singular')
    return 'a component with partials beyond 10^±150, its pivots judged in another orientation';
  return null;
}

/** Some constraint with λ_i = 0 has a partial that is not finite. */
function zeroMultiplierThroughMissingPartial(program: Program, lambda: Float64Array, J: Float64Array): boolean {
  for (let i = program.inputCount; i < program.size; i++) {
    if (lambda[i] !== 0) continue;
    for (let e = program.parentStart[i]; e < program.parentStart[i + 1]; e++) if (!Number.isFinite(J[e])) return true;
  }
  return false;
}

/** badlyScaled at these values; a component whose tangents cannot be solved (singular) says nothing about scale. */
function scaledBeyond(program: Program, values: Float64Array): boolean {
  try {
    return badlyScaled(program, values, localPartials(program, values), null);
  } catch (e) {
    if (e instanceof LagradError) return false;
    throw e;
  }
}

const LARGE = 1e150;
const outOfRange = (x: number) => x !== 0 && !(Math.abs(x) >= 1 / LARGE && Math.abs(x) <= LARGE);

/**
 * Whether some value, local partial, multiplier or tangent (of each input, forward order) is
 * nonzero and beyond 10^±150 in size, or not finite.
 */
function badlyScaled(program: Program, values: Float64Array, J: Float64Array, lambda: Float64Array | null): boolean {
  const { size, inputCount } = program;
  if (lambda === null && !program.cyclic) {
    // Back-substitution's own multipliers, overflow and all.
    lambda = new Float64Array(size);
    lambda[program.outputs[0]] = 1;
    sweepsOf(program).reverse(values, lambda, lambda, inputCount, size);
  }
  for (let i = 0; i < size; i++) if (outOfRange(values[i]) || (lambda !== null && outOfRange(lambda[i]))) return true;
  for (let e = 0; e < J.length; e++) if (outOfRange(J[e])) return true;
  const T = new Float64Array(size);
  const blocks = program.cyclic
    ? new CyclicTangents(program, values, { tolerance: 1e-12, maxIterations: 1000 }, emptyStats())
    : null;
  for (let k = 0; k < inputCount; k++) {
    T.fill(0);
    T[k] = 1;
    if (blocks) blocks.sweep(T, 1, inputCount);
    else sweepsOf(program).lanes(values, T, 1, inputCount, size);
    for (let i = 0; i < size; i++) if (outOfRange(T[i])) return true;
  }
  return false;
}
