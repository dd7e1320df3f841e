import { LagradError } from '../error.ts';
import { formatCount, formatNumber } from '../numberFormat.ts';
import { integerSetting } from './settings.ts';

// The guard against solves that would not end in reasonable time. A schedule whose cost can
// explode counts, before it starts, the elementary operations it needs — a local partial times a
// tangent or a multiplier, or one primitive evaluation — from closed forms over the program's
// shape (O(N) to count), and refuses above one limit, `maxWork`, that every such schedule shares.
// paths (maxPaths, maxPathEdges) and dense (maxSize) keep limits of their own, in their own units.

/**
 * Default `maxWork`: 10⁹ operations, 5–20 s on the project machine (2·10⁸ products a second for
 * forward mode's lane sweeps, 2–7·10⁷ for whole sweeps with their partials and for primal solves).
 */
export const WORK_LIMIT = 1e9;

/** Setting `maxWork`, shared by forward, fd, iterative and dual. */
export const maxWork = integerSetting({
  name: 'maxWork',
  min: 0,
  max: Infinity,
  default: WORK_LIMIT,
  help: 'forward, fd, iterative, dual: the most operations (a partial times a tangent or multiplier, or a primitive evaluation) a solve may need, counted before it starts; refused above',
});

/**
 * Throws when a solve would need more than `limit` operations: one line saying what would need
 * them, how many, the limit, and what to do instead.
 */
export function requireWork(schedule: string, work: number, limit: number, what: string, instead: string): void {
  if (work <= limit) return;
  throw new LagradError(
    `schedule '${schedule}'`,
    `${what} need about ${formatNumber(work, 2)} operations; the limit is ${formatCount(limit)} (maxWork) — ${instead}`,
  );
}

/** Operations of one sweep over constraints [from, N): one per row and one per parent edge. */
export function sweepWork(
  program: { readonly size: number; readonly parentStart: Int32Array; readonly parents: Int32Array },
  from: number,
): number {
  return program.size - from + (program.parents.length - program.parentStart[from]);
}
