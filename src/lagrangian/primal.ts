import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { enumSetting, settingValues } from '../schedule/settings.ts';
import { type Stats, emptyStats, holdBytes } from './stats.ts';
import {
  componentError,
  ITERATION_SETTINGS,
  Monitor,
  Verdict,
  type Convergence,
  type IterationSettings,
} from './convergence.ts';
import { checkValues } from './finite.ts';
import { fixedPointFailure, fixedPointSweeps } from './fixedPointSweeps.ts';
import { newton, NEWTON_STEPS } from './newton.ts';
import { componentOutputs } from './componentValues.ts';

/** Setting `primal`: how cyclic components are solved for their values. */
export const primal = enumSetting({
  name: 'primal',
  values: ['auto', 'fixed-point', 'newton'],
  default: 'auto',
  help: 'how cyclic components are solved: fixed-point sweeps, Newton, or (auto) sweeps handing over to Newton when they diverge, stall or pass 200',
});

/** How cyclic components are solved: iterate, Newton, or iterate and fall back to Newton (default). */
export type PrimalMethod = (typeof primal.values)[number];

/** The settings of the primal solve: `primal`, `tolerance`, `maxIterations`. */
export const PRIMAL_SETTINGS = [primal, ...ITERATION_SETTINGS] as const;

/** Under 'auto', the fixed-point iteration gets at most this many sweeps before Newton takes over. */
export const AUTO_SWEEPS = 200;

export interface PrimalOptions {
  /** For cyclic components (default 'auto'). */
  readonly primal?: PrimalMethod;
  /** Relative tolerance of the component solves (default 1e-12; 0: to rounding). */
  readonly tolerance?: number;
  /** Limit on sweeps (and Newton steps, at most 100) per component (default 1000). */
  readonly maxIterations?: number;
  /** Receives one record per component solve (and per fallback). */
  readonly history?: Convergence[];
  /**
   * Receives, per component in condensation order, the observed rate of the fixed-point sweeps
   * that solved it (Infinity when Newton did): block-reverse picks its inner solve by it.
   */
  readonly rates?: Float64Array;
}

/**
 * Solves the constraints for the values (stationarity of L in λ): v_x = inputs, then
 * v_i = p_i(v_Pa(i)) in evaluation order. Writes into `values` (length ≥ N) and counts into stats.
 *
 * On a cyclic program the acyclic stretches are evaluated in order as above and each cyclic
 * component, a system v_C = p_C(v), is solved where it stands, from its `init` values (default 0):
 * by Gauss–Seidel sweeps, by Newton's method, or (`primal: 'auto'`, the default) by sweeps that hand
 * over to Newton when they diverge, stall or would take more than 200 sweeps. Stats gain
 * `components`, `primalIterations` (sweeps and Newton steps), `newtonSteps` and `primalResidual`
 * (the largest |v_C − p_C(v)|∞ left). A component that cannot be solved is one error naming its
 * variables and the residual reached.
 */
export function solvePrimal(
  program: Program,
  inputs: Float64Array,
  values: Float64Array,
  stats?: Stats,
  options?: PrimalOptions,
): void {
  if (program.layout !== null && !program.cyclic) return solveBlocks(program, inputs, values, stats);
  const { inputCount, size } = program;
  const inputSlots = program.inputSlots;
  for (let k = 0; k < inputSlots; k++) values[k] = inputs[k]; // no subarray view per call
  if (program.cyclic) {
    solveCyclic(program, values, stats ?? emptyStats(), options ?? {});
    return;
  }
  // The sweep folds its values' finiteness into what it returns; the scan that names the bad
  // constraint runs only when one is not finite.
  if (sweepsOf(program).forward(values, inputCount, size) !== 0) checkValues(program, values, inputCount, size);
  if (stats) {
    stats.primitiveEvaluations += size - inputCount;
    stats.sweeps++;
  }
}

/** The forward sweep of an acyclic program with vector and matrix variables. */
function solveBlocks(program: Program, inputs: Float64Array, values: Float64Array, stats?: Stats): void {
  const { inputCount, size } = program;
  const inputSlots = program.inputSlots;
  for (let s = 0; s < inputSlots; s++) values[s] = inputs[s];
  sweepsOf(program).forward(values, inputCount, size);
  if (stats) {
    stats.primitiveEvaluations += size - inputCount;
    stats.sweeps++;
  }
  checkValues(program, values, inputCount, size);
}

function solveCyclic(program: Program, values: Float64Array, stats: Stats, options: PrimalOptions): void {
  const { inputCount, size } = program;
  const { primal: method, ...settings } = settingValues(PRIMAL_SETTINGS, options);
  const history = options.history;
  const { forward } = sweepsOf(program);
  const previous = new Float64Array(program.largestCycleSlots);
  holdBytes(stats, 8 * previous.length);
  stats.components = program.components().length;
  stats.largestComponent = program.largestCycle;
  stats.primalIterations ??= 0;
  stats.newtonSteps ??= 0;
  stats.primalResidual ??= 0;
  // The acyclic stretch before each component in order, then the component; then the last stretch.
  const stretch = (from: number, to: number) => {
    if (forward(values, from, to) !== 0) checkValues(program, values, from, to);
    stats.primitiveEvaluations += to - from;
  };
  let from = inputCount;
  const components = program.components();
  for (let c = 0; c < components.length; c++) {
    const [start, end] = components[c];
    stretch(from, start);
    program.startValues(values, start, end);
    const rate = solveComponent(program, values, start, end, method, settings, stats, previous, history);
    if (options.rates !== undefined) options.rates[c] = rate;
    from = end;
  }
  stretch(from, size);
  stats.sweeps++;
}

/** Solves one component; returns the sweeps' observed rate when they solved it, Infinity when Newton did. */
function solveComponent(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  method: PrimalMethod,
  settings: IterationSettings,
  stats: Stats,
  previous: Float64Array,
  history?: Convergence[],
): number {
  let iterated = '';
  if (method !== 'newton') {
    const budget = method === 'auto' ? Math.min(settings.maxIterations, AUTO_SWEEPS) : settings.maxIterations;
    const monitor = new Monitor(settings.tolerance, budget);
    const verdict = fixedPointSweeps(program, values, start, end, monitor, stats, previous);
    stats.primalIterations += monitor.iterations;
    history?.push(monitor.record(program, 'values', 'fixed-point', start, end, verdict === Verdict.Converged));
    if (verdict === Verdict.Converged) {
      finish(program, values, start, end, stats, previous);
      return monitor.rate();
    }
    iterated = fixedPointFailure(program, values, start, end, verdict, monitor, budget);
    if (method === 'fixed-point') throw componentError(program, start, end, iterated);
    // Newton from where the sweeps got, unless they ran off: then from the starting values again.
    if (verdict === Verdict.Diverged || verdict === Verdict.NonFinite) program.startValues(values, start, end);
  }
  const monitor = new Monitor(settings.tolerance, Math.min(settings.maxIterations, NEWTON_STEPS));
  const result = newton(program, values, start, end, settings, monitor, stats);
  stats.primalIterations += monitor.iterations;
  stats.newtonSteps += monitor.iterations;
  history?.push(monitor.record(program, 'values', 'newton', start, end, result.converged));
  if (!result.converged)
    throw componentError(
      program,
      start,
      end,
      `no fixed point found: ${iterated ? `${iterated}, and ` : ''}${result.failure}`,
    );
  finish(program, values, start, end, stats, previous);
  return Infinity;
}

/** Checks the solved component and records the residual |v_C − p_C(v)|∞ it leaves (over every entry of its members). */
function finish(
  program: Program,
  values: Float64Array,
  start: number,
  end: number,
  stats: Stats,
  outputs: Float64Array,
): void {
  checkValues(program, values, start, end);
  componentOutputs(program, values, start, end, outputs);
  const from = program.slotOf(start);
  const to = program.slotOf(end);
  let residual = 0;
  for (let s = from; s < to; s++) {
    const r = Math.abs(values[s] - outputs[s - from]);
    if (r > residual) residual = r;
  }
  stats.primitiveEvaluations += end - start;
  stats.primalResidual = Math.max(stats.primalResidual, residual);
}
