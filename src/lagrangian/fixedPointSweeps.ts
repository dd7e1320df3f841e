import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import type { Stats } from './stats.ts';
import { failure, Monitor, Verdict } from './convergence.ts';
import { allFinite, show } from './finite.ts';
import { showBlock } from './blockFinite.ts';
import { slotLabel } from '../program/layout.ts';

/**
 * The fixed-point iteration of one cyclic component [start, end): Gauss–Seidel sweeps v_i ← p_i(v)
 * for i in order, each reading the members already updated in the same sweep — the forward kernel
 * over the component's range, repeated. Starts from the values already in `values[start..end)`.
 *
 * The residual after a sweep is its step max_i |v_i⁺ − v_i|, i.e. |Φ(v) − v|∞ for the sweep map Φ,
 * judged against tolerance · |v_C|∞ (relative: values of any magnitude are found to the same
 * number of digits), over every entry of the members when some are blocks. A sweep costs m
 * primitive evaluations and no allocation (`previous` holds the members' entries before it).
 */
export function fixedPointSweeps(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  monitor: Monitor,
  stats: Stats,
  previous: Float64Array,
): Verdict {
  const { forward } = sweepsOf(program);
  // The unknowns are the members' slots: the members themselves when all are scalars.
  const from = program.slotOf(start);
  const m = program.slotOf(end) - from;
  for (;;) {
    // A block-sized copy goes by memcpy (one view per sweep); small components copy by hand.
    if (m >= 64) previous.set(values.subarray(from, from + m));
    else for (let k = 0; k < m; k++) previous[k] = values[from + k];
    forward(values, start, end);
    stats.primitiveEvaluations += end - start;
    let step = 0;
    let scale = 0;
    for (let k = 0; k < m; k++) {
      const v = values[from + k];
      const d = Math.abs(v - previous[k]);
      // NaN compares false: let it through to the monitor rather than hide it in a max.
      if (!(d <= step)) step = d;
      if (Math.abs(v) > scale) scale = Math.abs(v);
    }
    const verdict = monitor.check(step, scale);
    if (verdict === Verdict.NonFinite) replayToFirstNonFinite(program, values, start, end, previous);
    if (verdict !== Verdict.Continue) return verdict;
  }
}

/**
 * Repeats the last sweep one member at a time from the values before it and stops at the first
 * member whose value is not finite, so a message can show that constraint with the arguments it got.
 */
function replayToFirstNonFinite(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  previous: Float64Array,
): void {
  const { forward } = sweepsOf(program);
  const from = program.slotOf(start);
  values.set(previous.subarray(0, program.slotOf(end) - from), from);
  for (let i = start; i < end; i++) {
    forward(values, i, i + 1);
    if (!allFinite(values, program.slotOf(i), program.slotOf(i + 1))) return;
  }
}

/** Why a fixed-point iteration stopped short, for messages: `the fixed-point iteration diverges (residual …)`. */
export function fixedPointFailure(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  verdict: Verdict,
  monitor: Monitor,
  maxIterations: number,
): string {
  if (verdict !== Verdict.NonFinite)
    return failure(verdict, monitor, 'the fixed-point iteration', 'sweep', maxIterations);
  let i = start;
  while (i < end && allFinite(values, program.slotOf(i), program.slotOf(i + 1))) i++;
  const before = monitor.iterations > 1 ? ` (residual ${formatNumber(monitor.previous)} before it)` : '';
  return `a non-finite value at sweep ${monitor.iterations}: ${i < end ? describe(program, i, values) : 'NaN'}${before}`;
}

/** `'v' = log(-1) = NaN`, or for a block `'z'[3] = NaN in tanh([32])`: member i's first non-finite entry. */
function describe(program: Program, i: number, values: Float64Array): string {
  const name = program.nameOf(i);
  if (program.layout === null)
    return `${name !== undefined ? `'${name}' = ` : ''}${show(program, i, values)} = ${values[i]}`;
  let s = program.slotOf(i);
  while (values[s] - values[s] === 0) s++;
  return `${slotLabel(program, s)} = ${values[s]} in ${showBlock(program, i, values)}`;
}
