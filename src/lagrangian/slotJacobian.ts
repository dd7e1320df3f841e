import type { Program } from '../program/program.ts';
import { ALL, BlockSweeps } from '../primitives/blockSweeps.ts';

/**
 * Visits every entry of the local Jacobian of a program with vector and matrix variables, entry
 * by entry of the slabs: J[r][s] = ∂(entry r of v_i)/∂(entry s of a parent of v_i), for each
 * constraint i and each of its output entries r — one VJP of the unit vector e_r per output entry
 * (J is applied, never built, except here: for the dense schedule on small programs). Entries that
 * are exactly 0 are skipped; a parent listed twice (A @ A) is visited once, with both parts summed.
 * Returns the number of VJPs applied.
 */
export function visitSlotJacobian(
  program: Program,
  values: Float64Array,
  visit: (r: number, s: number, partial: number) => void,
): number {
  const sweeps = BlockSweeps.of(program);
  const unit = new Float64Array(program.slots);
  const row = new Float64Array(program.slots);
  let applied = 0;
  for (let i = program.inputCount; i < program.size; i++) {
    const site = sweeps.sites[i]!;
    const args = [...new Set(site.args)];
    for (let r = site.out.offset; r < site.out.offset + site.out.size; r++) {
      for (const a of args) row.fill(0, a.offset, a.offset + a.size);
      unit[r] = 1;
      sweeps.rules[i].vjp(values, unit, row, site, ALL);
      unit[r] = 0;
      applied++;
      for (const a of args) {
        for (let s = a.offset; s < a.offset + a.size; s++) if (row[s] !== 0) visit(r, s, row[s]);
      }
    }
  }
  return applied;
}
