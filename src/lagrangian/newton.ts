import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { holdBytes, type Stats } from './stats.ts';
import { ComponentOperator } from './blockOperator.ts';
import { atRounding, maxAbs, Monitor, Verdict, type IterationSettings } from './convergence.ts';
import { ComponentLu, componentMatrix, denseSolveBytes, DIRECT_LIMIT } from './direct.ts';
import { show } from './finite.ts';
import { showBlock } from './blockFinite.ts';
import { slotLabel } from '../program/layout.ts';
import { componentOutputs } from './componentValues.ts';
import { gmres } from './gmres.ts';

/** Newton's method needs few steps or none will do: at most this many, whatever maxIterations says. */
export const NEWTON_STEPS = 100;
/** Halvings of a Newton step before the line search gives up. */
const BACKTRACKS = 40;

/** How Newton's method ended: converged, or why not (a phrase for the component's error). */
export interface NewtonResult {
  readonly converged: boolean;
  readonly failure: string;
}

/**
 * Newton's method on one cyclic component [start, end): the residual F(v) = v_C − p_C(v) and its
 * Jacobian I − J_CC (from the registry's partials, or for blocks the rules' VJPs), v_C ← v_C −
 * t·(I − J_CC)⁻¹F with a backtracking line search on |F|₂ (t = 1, ½, ¼, …). The unknowns are the
 * members' slots — every entry of a block member. The linear solve is a dense LU for up to 300 of
 * them and GMRES with tangent-sweep products (matrix-free JVPs) beyond. Starts from the values in `values[start..end)`; records
 * |F|∞ after each step in `monitor` (scale |v_C|∞, so the tolerance is relative). Counts m evaluations per residual and m
 * partials per Jacobian (or per GMRES product).
 */
export function newton(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  settings: IterationSettings,
  monitor: Monitor,
  stats: Stats,
): NewtonResult {
  // The unknowns are the members' slots (the members themselves when all are scalars).
  const from = program.slotOf(start);
  const to = program.slotOf(end);
  const m = to - from;
  const outputs = new Float64Array(m);
  const F = new Float64Array(m);
  const delta = new Float64Array(m);
  const saved = new Float64Array(m);
  // Its four vectors, beside the primal solve's copy of the largest component (`previous`).
  const heldBytes = 8 * (4 * m + program.largestCycleSlots);
  holdBytes(stats, m <= DIRECT_LIMIT ? heldBytes + denseSolveBytes(m, to) : heldBytes);
  let { max, sumSquares } = residual(program, values, start, end, outputs, F, stats);
  if (!(max - max === 0))
    return {
      converged: false,
      failure: `Newton's method cannot start: ${nonFinite(program, values, outputs, start, end)}`,
    };
  if (max <= settings.tolerance * maxAbs(values, from, to)) return { converged: true, failure: '' };
  const steps = () =>
    monitor.iterations === 0
      ? 'at the start'
      : `after ${monitor.iterations} step${monitor.iterations === 1 ? '' : 's'}`;
  for (;;) {
    if (m <= DIRECT_LIMIT) {
      const { lu, singular } = ComponentLu.factor(componentMatrix(program, values, start, end, false, outputs, stats));
      stats.partialEvaluations += end - start;
      if (singular)
        return {
          converged: false,
          failure: `Newton's Jacobian I − J is singular at residual ${formatNumber(max)} ${steps()}`,
        };
      lu.solve(F, delta);
    } else {
      // An inexact Newton step: the linear residual only needs to be small next to |F|.
      delta.fill(0);
      const inner = new Monitor(Math.min(1e-2, Math.max(settings.tolerance, max)), settings.maxIterations);
      const { verdict, bytes } = gmres(
        new ComponentOperator(program, values, start, end, stats, false),
        F,
        delta,
        inner,
      );
      holdBytes(stats, heldBytes + 8 * 2 * to + bytes);
      if (verdict !== Verdict.Converged)
        return {
          converged: false,
          failure: `Newton's linear solve (GMRES) failed at residual ${formatNumber(max)} ${steps()} (${inner.describe('iteration')})`,
        };
    }
    for (let k = 0; k < m; k++) saved[k] = values[from + k];
    let t = 1;
    let accepted = false;
    for (let tries = 0; tries < BACKTRACKS && !accepted; tries++, t /= 2) {
      for (let k = 0; k < m; k++) values[from + k] = saved[k] - t * delta[k];
      const trial = residual(program, values, start, end, outputs, F, stats);
      if (trial.sumSquares <= (1 - 1e-4 * t) * sumSquares) {
        ({ max, sumSquares } = trial);
        accepted = true;
      }
    }
    if (!accepted) {
      for (let k = 0; k < m; k++) values[from + k] = saved[k];
      residual(program, values, start, end, outputs, F, stats);
      // No step reduces a residual that is already rounding noise: that is convergence (tolerance 0).
      if (atRounding(max, maxAbs(values, from, to))) return { converged: true, failure: '' };
      return {
        converged: false,
        failure: `Newton's method stalls at residual ${formatNumber(max)} ${steps()}: no step along its direction reduces it`,
      };
    }
    const verdict = monitor.check(max, maxAbs(values, from, to));
    if (verdict === Verdict.Converged) return { converged: true, failure: '' };
    if (verdict !== Verdict.Continue || monitor.iterations >= NEWTON_STEPS) {
      return {
        converged: false,
        failure: `Newton's method reached residual ${formatNumber(max)} ${steps()}, not the tolerance ${formatNumber(settings.tolerance)}`,
      };
    }
  }
}

/** outputs_k = p(v)_k, F_k = v_k − p(v)_k over the members' slots; |F|∞ (NaN if any is not finite) and |F|₂². */
function residual(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  outputs: Float64Array,
  F: Float64Array,
  stats: Stats,
): { max: number; sumSquares: number } {
  componentOutputs(program, values, start, end, outputs);
  const from = program.slotOf(start);
  let max = 0;
  let sumSquares = 0;
  for (let k = 0; k < F.length; k++) {
    const f = values[from + k] - outputs[k];
    F[k] = f;
    const a = Math.abs(f);
    if (!(a <= max)) max = a;
    sumSquares += f * f;
  }
  stats.primitiveEvaluations += end - start;
  return { max, sumSquares: sumSquares === sumSquares ? sumSquares : Infinity };
}

/** `log(0) = -Infinity` for the first member whose p_i(v) is not finite (for a block, its first such entry). */
function nonFinite(program: Program, values: Float64Array, outputs: Float64Array, start: number, end: number): string {
  const from = program.slotOf(start);
  for (let i = start; i < end; i++) {
    for (let s = program.slotOf(i); s < program.slotOf(i + 1); s++) {
      const p = outputs[s - from];
      if (p - p === 0 && values[s] - values[s] === 0) continue;
      const x = values[s] - values[s] === 0 ? p : values[s];
      if (program.layout !== null) return `${slotLabel(program, s)} = ${x} in ${showBlock(program, i, values)}`;
      const name = program.nameOf(i);
      return `${name !== undefined ? `'${name}' = ` : ''}${show(program, i, values)} = ${x}`;
    }
  }
  return 'a non-finite residual';
}
