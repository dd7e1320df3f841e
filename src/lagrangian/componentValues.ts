import type { Program } from '../program/program.ts';
import { BlockSweeps } from '../primitives/blockSweeps.ts';
import { sweepsOf } from '../primitives/sweeps.ts';

// A cyclic component's map p_C, evaluated without moving the iterate: what Newton's residual
// F = v_C − p_C(v) and the residual left by a solve read. The component's unknowns are its
// members' slots [slotOf(start), slotOf(end)) — the members themselves when all are scalars, every
// entry of every member when some are blocks — so one code path serves both.

/**
 * out[s − slotOf(start)] = entry s of p_i(v) for each member i of [start, end), reading the
 * values as they are (the members' own entries included) and leaving them as they were.
 */
export function componentOutputs(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  out: Float64Array,
): void {
  const layout = program.layout;
  if (layout === null) {
    const { value } = sweepsOf(program);
    for (let i = start; i < end; i++) out[i - start] = value(i, values);
    return;
  }
  const sweeps = BlockSweeps.of(program);
  const base = layout.offset[start];
  for (let i = start; i < end; i++) sweeps.valueOf(i, values, out, layout.offset[i] - base);
}
