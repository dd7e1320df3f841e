/**
 * Counted costs of one solve — counted as the work is done, never estimated — so schedules can be
 * compared. Evaluations count constraints: one primitive evaluation is one v_i = p_i(…), one
 * partial evaluation is all local partials ∂p_i/∂v_Pa(i) of one constraint.
 */
export interface Stats {
  primitiveEvaluations: number;
  partialEvaluations: number;
  /** The most primal values held at once (snapshots and working values included). */
  peakValues: number;
  /** The most bytes of primal values held at once: 8 per entry (a block of r·c entries holds 8·r·c). */
  peakBytes: number;
  /** Sweeps over the constraints (forward, reverse, tangent or iteration sweeps). */
  sweeps: number;
  /** Wall time of the solve, milliseconds. */
  timeMs: number;
  /** Schedule-specific counts (paths, iterations, advances, residuals…). */
  [count: string]: number;
}

/** Zeroed stats for a schedule to fill as it works. */
export function emptyStats(): Stats {
  return { primitiveEvaluations: 0, partialEvaluations: 0, peakValues: 0, peakBytes: 0, sweeps: 0, timeMs: 0 };
}

/**
 * Records `solverBytes`, the most bytes a solve's own work arrays held at once beyond the values
 * and the multipliers (Krylov bases, dense LU factors, sweep scratch): each solve passes the
 * lengths of the arrays it allocated, where it allocates them, and the largest total is kept.
 */
export function holdBytes(stats: Stats, bytes: number): void {
  if (!((stats.solverBytes ?? 0) >= bytes)) stats.solverBytes = bytes;
}

// In Node, globalThis.performance is an accessor (a getter run at every read): read it once.
const clock = globalThis.performance;

/** The monotonic clock in milliseconds (performance.now), for Stats.timeMs. */
export function now(): number {
  return clock.now();
}
