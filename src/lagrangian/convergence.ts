// Why one file of 300+ lines: The convergence monitor and its bounded residual history: one state machine.
import { LagradError } from '../error.ts';
import { formatNumber } from '../numberFormat.ts';
import { cycleMembers } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import { integerSetting, numberSetting } from '../schedule/settings.ts';
import { ResidualHistory } from './residualHistory.ts';
import type { Stats } from './stats.ts';

/** Default relative tolerance of every iteration (fixed points, Newton, multiplier solves). */
export const DEFAULT_TOLERANCE = 1e-12;
/** Default limit on the iterations (sweeps, Newton steps, Krylov steps) of any one loop. */
export const DEFAULT_MAX_ITERATIONS = 1000;
/**
 * The most iterations any loop may be given (a loop of 10⁶ sweeps of a small component takes about
 * a second). Its residual history is bounded whatever the limit (ResidualHistory).
 */
export const MOST_ITERATIONS = 1_000_000;
/**
 * Residuals within this many units of rounding of their scale are rounding noise: a loop that
 * gets there and stops decreasing has converged, whatever the tolerance (64 ulps ≈ 1.4e-14).
 */
export const ROUNDING = 64 * Number.EPSILON;

/** Setting `tolerance`, shared by every schedule that iterates. */
export const tolerance = numberSetting({
  name: 'tolerance',
  min: 0,
  default: DEFAULT_TOLERANCE,
  help: 'relative tolerance of every iteration; 0 iterates to rounding (until the residual is 0 or stops decreasing within 64 ulps of its scale)',
});

/** Setting `maxIterations`, shared by every schedule that iterates. */
export const maxIterations = integerSetting({
  name: 'maxIterations',
  min: 1,
  max: MOST_ITERATIONS,
  default: DEFAULT_MAX_ITERATIONS,
  help: 'most iterations of any one loop (sweeps, Newton steps, Krylov steps)',
});

/** The settings of every iterative solve. */
export const ITERATION_SETTINGS = [tolerance, maxIterations] as const;

/** The iteration settings every iterative solve reads. */
export interface IterationSettings {
  /** Stop when the residual ≤ tolerance · scale (scale: see each solve); 0: to rounding. */
  readonly tolerance: number;
  /** No loop runs more iterations than this. */
  readonly maxIterations: number;
}

/** True when a residual is rounding noise next to its scale (≤ ROUNDING · scale). */
export function atRounding(residual: number, scale: number): boolean {
  return residual <= ROUNDING * scale;
}

/**
 * How one iterative solve went: which quantity of which component, by which method, and the
 * residual after every iteration — the record behind the numeric `stats` of a solution.
 */
export interface Convergence {
  /** 'values' for the fixed-point solve of the constraints, 'multipliers' for (I − J)ᵀλ = w. */
  readonly quantity: 'values' | 'multipliers';
  readonly method: string;
  /** The component's variables by name (`v, c`), or `program` for a sweep over everything. */
  readonly variables: string;
  /** The component's range [start, end) in evaluation order ([0, N) for the whole program). */
  readonly start: number;
  readonly end: number;
  readonly iterations: number;
  /**
   * The residual after each iteration, in the method's own norm (see each method) — every one up
   * to 3000 iterations; beyond, the first and last thousand and a sample between (`kept`).
   */
  readonly residuals: readonly number[];
  /** The 1-based iteration of each of `residuals`, when not every iteration's is kept. */
  readonly kept?: readonly number[];
  /** Observed contraction per iteration: the geometric mean of the residual ratios over the second half of the iterations. */
  readonly rate: number;
  readonly converged: boolean;
}

/** What one more residual says about an iteration. */
export const enum Verdict {
  Continue,
  Converged,
  /** NaN or ±∞. */
  NonFinite,
  /** The residual grows steadily or has grown far beyond its best. */
  Diverged,
  /** At the observed rate the tolerance is out of reach within the limit (or progress stopped). */
  Slow,
  /** The iteration limit is reached. */
  Limit,
}

/** The observed rate averages the ratios of the last half of the iterations, at least 5 of them. */
const RATE_WINDOW = 5;

/**
 * The observed contraction per iteration: the geometric mean of the ratios r_k / r_{k−1} over the
 * second half of the residuals (at least the last 5), i.e. (r_last / r_first)^(1/(last − first)).
 * A long window sees through the periodic patterns of Jacobi-like iterations around a cycle.
 * 0 when there are no two positive residuals.
 */
export function contractionRate(residuals: readonly number[]): number {
  let last = residuals.length - 1;
  while (last > 0 && !(residuals[last] > 0)) last--;
  const first = Math.max(0, last - Math.max(RATE_WINDOW, Math.floor(residuals.length / 2)));
  if (last <= first || !(residuals[first] > 0)) return 0;
  return Math.pow(residuals[last] / residuals[first], 1 / (last - first));
}

/**
 * Watches the residuals of one loop and judges each: converged (≤ tolerance · scale), not finite,
 * diverging, too slow to finish within the limit at its observed rate, or out of iterations. The
 * history it keeps is the loop's `Convergence` record. One monitor per loop; O(1) per iteration.
 */
export class Monitor {
  private readonly history = new ResidualHistory();
  private last = Infinity;
  private before = Infinity;
  private best = Infinity;

  /**
   * `patience`: iterations before growth or slow progress is judged at all (default 20) — a
   * multiplier iteration carries w through acyclic stretches whose partials may amplify it for as
   * many sweeps as the program is deep, and a fixed-point iteration settles its intermediates first.
   */
  constructor(
    private readonly tolerance: number,
    private readonly maxIterations: number,
    private readonly patience = 4 * RATE_WINDOW,
  ) {}

  get iterations(): number {
    return this.history.length;
  }

  /** The last residual recorded (∞ before the first). */
  get residual(): number {
    return this.last;
  }

  /** The residual before the last (∞ before the second). */
  get previous(): number {
    return this.before;
  }

  /** The residuals kept (every one up to 3000 iterations; see ResidualHistory). */
  get residuals(): number[] {
    return this.history.kept().residuals;
  }

  /** As `contractionRate`, from the kept residuals: the two it divides are exact, with their exact distance. */
  rate(): number {
    const h = this.history;
    let last = h.length - 1;
    while (last > 0 && !((h.at(last) ?? 1) > 0)) last--;
    const first = h.near(Math.max(0, last - Math.max(RATE_WINDOW, Math.floor(h.length / 2))));
    const a = h.at(first);
    const b = h.at(last);
    if (last <= first || a === undefined || b === undefined || !(a > 0)) return 0;
    return Math.pow(b / a, 1 / (last - first));
  }

  /**
   * Records the residual after one more iteration and judges it against tolerance · scale. Below
   * the tolerance, or at rounding level (≤ ROUNDING · scale) once it no longer decreases, it has
   * converged — so a tolerance of 0, or one finer than the arithmetic resolves, means "to rounding".
   */
  check(residual: number, scale: number): Verdict {
    const previous = this.residual;
    this.history.push(residual);
    this.before = previous;
    this.last = residual;
    const n = this.history.length;
    if (!(residual - residual === 0)) return Verdict.NonFinite;
    if (residual <= this.tolerance * scale) return Verdict.Converged;
    if (atRounding(residual, scale) && (residual >= previous || residual <= Number.EPSILON * scale))
      return Verdict.Converged;
    if (n >= this.maxIterations) return Verdict.Limit;
    if (residual < this.best) this.best = residual;
    // Twelve orders of magnitude past the best is divergence whatever the patience (and says so
    // before the values overflow).
    if (n >= 3 && residual > 1e12 * this.best) return Verdict.Diverged;
    if (n < this.patience) return Verdict.Continue;
    // Over the second half of the iterations: sustained growth far past the best residual is
    // divergence; no decrease at all is a stall (no fixed point, or rounding noise above the tolerance).
    const rate = this.rate();
    if (rate >= 1.05 && residual > 1e3 * this.best) return Verdict.Diverged;
    if (rate >= 1) return Verdict.Slow;
    // At the observed rate the tolerance is out of reach within the limit: say so now, not at the limit.
    if (n >= Math.max(this.patience, this.maxIterations / 4)) {
      const needed = Math.log((Math.max(this.tolerance, ROUNDING) * scale) / residual) / Math.log(rate);
      if (n + needed > this.maxIterations) return Verdict.Slow;
    }
    return Verdict.Continue;
  }

  /** Adds this loop to a solution's counts: `iterations` summed, the largest `residual` and `rate`. */
  tally(stats: Stats): void {
    stats.iterations = (stats.iterations ?? 0) + this.iterations;
    stats.residual = Math.max(stats.residual ?? 0, this.iterations > 0 ? this.residual : 0);
    stats.rate = Math.max(stats.rate ?? 0, this.rate());
  }

  /** The record of this loop. */
  record(
    program: Program,
    quantity: Convergence['quantity'],
    method: string,
    start: number,
    end: number,
    converged: boolean,
  ): Convergence {
    const { residuals, iterations } = this.history.kept();
    const kept = iterations.length < this.iterations ? { kept: iterations } : {};
    return {
      quantity,
      method,
      variables: rangeLabel(program, start, end),
      start,
      end,
      iterations: this.iterations,
      residuals,
      ...kept,
      rate: this.rate(),
      converged,
    };
  }

  /** `residual 3.2e-5 after 12 sweeps (rate 0.97)`, for messages. */
  describe(unit: string): string {
    const rate = this.rate();
    return `residual ${formatNumber(this.residual)} after ${this.iterations} ${unit}${this.iterations === 1 ? '' : 's'}${rate > 0 ? `, rate ${rateText(rate)}` : ''}`;
  }
}

/** A rate for messages; one within 10⁻³ of 1 as `1 − 1e-7`, which four digits would round to 1. */
function rateText(rate: number): string {
  const gap = 1 - rate;
  return gap !== 0 && Math.abs(gap) < 1e-3
    ? `1 ${gap > 0 ? '−' : '+'} ${formatNumber(Math.abs(gap), 2)}`
    : formatNumber(rate);
}

/**
 * Why an iteration stopped short, as a phrase for its error: `the fixed-point iteration diverges
 * (residual 3e+5 after 14 sweeps, rate 2)`. `what` names the iteration, `unit` its steps.
 */
export function failure(verdict: Verdict, monitor: Monitor, what: string, unit: string, maxIterations: number): string {
  const state = monitor.describe(unit);
  switch (verdict) {
    case Verdict.NonFinite:
      return `${what} produced a non-finite value (${state})`;
    case Verdict.Diverged:
      return `${what} diverges (${state})`;
    case Verdict.Slow: {
      const rate = monitor.rate();
      return rate >= 1 || rate === 0
        ? `${what} makes no progress (${state})`
        : `${what} contracts too slowly to reach the tolerance within ${maxIterations} ${unit}s (${state})`;
    }
    default:
      return `${what} did not converge within ${maxIterations} ${unit}s (${state})`;
  }
}

/** max |a[from .. to)|, the scale residuals are judged against; NaN when some entry is NaN. */
export function maxAbs(a: Float64Array, from: number, to: number): number {
  let most = 0;
  for (let i = from; i < to; i++) {
    const x = Math.abs(a[i]);
    if (x <= most) continue;
    if (x !== x) return NaN;
    most = x;
  }
  return most;
}

/** The variables of a range: a cyclic component's names (`v, c`), or `program` for everything. */
export function rangeLabel(program: Program, start: number, end: number): string {
  const k = componentIndex(program, start);
  if (k >= 0 && program.components()[k][1] === end) return cycleMembers(program, k);
  return start === 0 && end === program.size ? 'program' : `${program.label(start)}…${program.label(end - 1)}`;
}

/** k such that component k starts at `start`, or −1. */
export function componentIndex(program: Program, start: number): number {
  return program.components().findIndex(([first]) => first === start);
}

/**
 * The error for a cyclic component that could not be solved: placed at its first named variable's
 * source, naming its variables — `prog.lag:3:1: cyclic component {v, c}: what`.
 */
export function componentError(program: Program, start: number, end: number, what: string): LagradError {
  let at = start;
  for (let i = start; i < end; i++) {
    if (program.nameOf(i) !== undefined) {
      at = i;
      break;
    }
  }
  return new LagradError(program.where(at), `cyclic component {${rangeLabel(program, start, end)}}: ${what}`);
}
