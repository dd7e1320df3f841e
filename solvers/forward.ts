import type { Convergence } from '../src/lagrangian/convergence.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../src/lagrangian/primal.ts';
import type { Program } from '../src/program/program.ts';
import { sweepsOf } from '../src/primitives/sweeps.ts';
import { type Stats, emptyStats } from '../src/lagrangian/stats.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { CyclicTangents } from '../src/lagrangian/cyclicTangents.ts';
import { objective } from '../src/lagrangian/lagrangian.ts';
import { BlockSweeps } from '../src/primitives/blockSweeps.ts';
import { integerSetting, readSettings, type SettingValues } from '../src/schedule/settings.ts';
import { maxWork, requireWork, sweepWork } from '../src/schedule/work.ts';

/** Default number of tangent lanes swept together (vector mode). */
const LANES = 8;

/** Setting `lanes`: the tangents swept together. */
export const lanes = integerSetting({
  name: 'lanes',
  min: 1,
  default: LANES,
  help: 'forward: tangent lanes K swept together (vector mode): ⌈inputs / K⌉ sweeps, K·N tangents held (K ≤ the inputs)',
});

const SETTINGS = [lanes, maxWork, ...PRIMAL_SETTINGS] as const;

/**
 * Forward mode: tangent sweeps v̇ = J v̇ + e_k, i.e. (I − J) v̇ = e_k, one lane per input, K lanes
 * per sweep (option `lanes`, default 8). The gradient is ∂objective/∂x_k = Σ_o w_o v̇_o.
 * Cost: ⌈n_inputs / K⌉ sweeps of O(K·(N + E)).
 *
 * With `multipliers: true` it also finds λ_j of every intermediate as the tangent of the objective
 * when v_j is perturbed with its constraint cut: one lane per variable, sweeping from j on, so
 * O(N·(N + E)) in all — the price of forward mode for adjoints.
 *
 * Both are counted before any sweep (`forwardWork`: a lane times a row or a parent edge) and
 * refused above `maxWork` (default 10⁹): the gradient of a program with many inputs, and the
 * multipliers of a long one, are reverse's work.
 *
 * On a cyclic program each cyclic component's tangents solve (I − J_CC)v̇_C = (what flows in),
 * per component (forwardBlocks.ts), between the lane sweeps over the acyclic stretches.
 */
export const forward: Schedule<typeof SETTINGS> = checked({
  name: 'forward',
  derivation: 'tangents',
  summary: 'tangent sweeps (I − J)v̇ = e_k, K inputs per sweep; multipliers of intermediates cost O(N²)',
  settings: SETTINGS,
  solve(problem: Problem, options: ScheduleOptions = {}): Solution {
    const settings = readSettings(SETTINGS, options);
    if (problem.program.layout !== null) return forwardOverBlocks(problem, options, settings);
    const start = performance.now();
    const { program, inputs, weights } = problem;
    const { inputCount, size } = program;
    const K = Math.min(settings.lanes, Math.max(inputCount, 1));
    const work = forwardWork(program, K, Boolean(options.multipliers));
    const what = options.multipliers
      ? `tangent sweeps for the multipliers of all ${size} variables (one lane each)`
      : `tangent sweeps for ${inputCount} inputs (one lane each)`;
    requireWork('forward', work, settings.maxWork, what, 'use reverse');
    const stats = emptyStats();
    stats.lanes = K;
    const values = buffer(options.workspace?.values, size);
    const history: Convergence[] = [];
    solvePrimal(program, inputs, values, stats, { ...settings, history });
    const blocks = program.cyclic ? new CyclicTangents(program, values, settings, stats) : null;
    stats.peakValues = size;
    stats.peakBytes = 8 * size;
    // A reused buffer may hold the last solve's tangents: every sweep writes each row past the inputs
    // before reading it (a cyclic component's rows are cleared by its solve).
    const T = buffer(options.workspace?.tangents, size * K);
    const gradient = new Float64Array(inputCount);
    const groups = Math.ceil(inputCount / K) + (options.multipliers ? Math.ceil((size - inputCount) / K) : 0);
    for (let first = 0; first < inputCount; first += K) {
      const count = Math.min(K, inputCount - first);
      T.fill(0, 0, inputCount * K);
      for (let q = 0; q < count; q++) T[(first + q) * K + q] = 1;
      if (blocks) blocks.sweep(T, K, inputCount);
      else sweep(program, values, T, K, inputCount, size, stats);
      for (let q = 0; q < count; q++) gradient[first + q] = objectiveTangent(program, weights, T, K, q);
      options.progress?.(first / K + 1, groups);
    }
    let lambda: Float64Array | null = null;
    if (options.multipliers) {
      lambda = buffer(options.workspace?.lambda, size);
      lambda.set(gradient);
      intermediateMultipliers(program, values, weights, T, K, lambda, stats, blocks, (done) =>
        options.progress?.(Math.ceil(inputCount / K) + done, groups),
      );
    }
    stats.timeMs = performance.now() - start;
    return { values, lambda, gradient, stats, ...(program.cyclic ? { convergence: history } : {}) };
  },
});

/**
 * The lane operations of a forward solve: ⌈inputs / K⌉ sweeps of K lanes over the constraints for
 * the gradient, and with multipliers one more group of K lanes from each K-th variable on.
 */
export function forwardWork(program: Program, K: number, multipliers: boolean): number {
  const { inputCount, size } = program;
  let work = Math.ceil(inputCount / K) * K * sweepWork(program, inputCount);
  if (multipliers) for (let first = inputCount; first < size; first += K) work += K * sweepWork(program, first);
  return work;
}

/**
 * Forward mode over vector and matrix variables: one tangent sweep of JVPs per input entry (per
 * entry of the inputs in `wrt`), v̇ = e_s, the gradient entry ⟨w, v̇_o⟩; with `multipliers`, one
 * sweep per entry of every intermediate, from its constraint on. Each sweep touches every entry
 * at least once: counted as slots operations, and refused above `maxWork` before any.
 */
function forwardOverBlocks(
  { program, inputs, weights, wrt }: Problem,
  options: ScheduleOptions,
  settings: SettingValues<typeof SETTINGS>,
): Solution {
  const start = performance.now();
  const { inputCount, size, slots, inputSlots } = program;
  const sweepsNeeded = inputSlots + (options.multipliers ? slots - inputSlots : 0);
  requireWork(
    'forward',
    sweepsNeeded * slots,
    settings.maxWork,
    `tangent sweeps for ${sweepsNeeded} entries (one each, over all ${slots} entries)`,
    'use reverse',
  );
  const offset = program.layout!.offset;
  const sweeps = BlockSweeps.of(program);
  const stats = emptyStats();
  stats.lanes = 1;
  const values = buffer(options.workspace?.values, slots);
  const history: Convergence[] = [];
  solvePrimal(program, inputs, values, stats, { ...settings, history });
  // On a cyclic program each component's tangents are solved for where it stands (sweepSlab).
  const cyclic = program.cyclic ? new CyclicTangents(program, values, settings, stats) : null;
  stats.peakValues = size;
  stats.peakBytes = 8 * slots;
  const T = buffer(options.workspace?.tangents, slots);
  const gradient = new Float64Array(inputSlots);
  for (let k = 0; k < inputCount; k++) {
    if (wrt !== undefined && wrt[k] === 0) continue;
    for (let s = offset[k]; s < offset[k + 1]; s++) {
      T.fill(0, 0, inputSlots);
      T[s] = 1;
      if (cyclic) {
        cyclic.sweepSlab(T, inputCount);
      } else {
        sweeps.tangent(values, T, T, inputCount, size);
        stats.partialEvaluations += size - inputCount;
        stats.sweeps++;
      }
      gradient[s] = objective(program, weights, T);
    }
  }
  let lambda: Float64Array | null = null;
  if (options.multipliers) {
    lambda = buffer(options.workspace?.lambda, slots);
    lambda.set(gradient);
    for (let j = inputCount; j < size; j++) {
      for (let s = offset[j]; s < offset[j + 1]; s++) {
        // v_j's entry s perturbed with its constraint cut: everything before it still, then on.
        if (cyclic) {
          T.fill(0, 0, offset[j]);
          cyclic.sweepSlab(T, j, s);
        } else {
          T.fill(0, 0, offset[j + 1]);
          T[s] = 1;
          sweeps.tangent(values, T, T, j + 1, size);
          stats.partialEvaluations += size - j - 1;
          stats.sweeps++;
        }
        lambda[s] = objective(program, weights, T);
      }
    }
  }
  stats.timeMs = performance.now() - start;
  return { values, lambda, gradient, stats, ...(program.cyclic ? { convergence: history } : {}) };
}

function sweep(
  program: Program,
  values: Float64Array,
  T: Float64Array,
  K: number,
  from: number,
  to: number,
  stats: Stats,
): void {
  sweepsOf(program).lanes(values, T, K, from, to);
  stats.partialEvaluations += to - from;
  stats.sweeps++;
}

/** Σ_o w_o v̇_o on lane q. */
function objectiveTangent(program: Program, weights: Float64Array, T: Float64Array, K: number, q: number): number {
  let total = 0;
  for (let k = 0; k < program.outputs.length; k++) total += weights[k] * T[program.outputs[k] * K + q];
  return total;
}

/**
 * λ_j for j ≥ inputCount, K at a time: lane q perturbs v_{j+q} directly (its row is set to 1 after
 * its constraint is swept, which cuts the constraint), and the sweep carries that to the outputs.
 */
function intermediateMultipliers(
  program: Program,
  values: Float64Array,
  weights: Float64Array,
  T: Float64Array,
  K: number,
  lambda: Float64Array,
  stats: Stats,
  blocks: CyclicTangents | null,
  step: (groups: number) => void,
): void {
  const { inputCount, size } = program;
  const { lanes } = sweepsOf(program);
  for (let first = inputCount; first < size; first += K) {
    const count = Math.min(K, size - first);
    T.fill(0);
    step((first - inputCount) / K);
    if (blocks) {
      blocks.sweep(T, K, first, first, count);
      for (let q = 0; q < count; q++) lambda[first + q] = objectiveTangent(program, weights, T, K, q);
      continue;
    }
    // Row by row through the seeded block (each seed must land after its own row is swept), then
    // on through the rest: one sweep from `first` in all.
    for (let q = 0; q < count; q++) {
      const j = first + q;
      lanes(values, T, K, j, j + 1);
      T[j * K + q] = 1;
    }
    stats.partialEvaluations += count;
    sweep(program, values, T, K, first + count, size, stats);
    for (let q = 0; q < count; q++) lambda[first + q] = objectiveTangent(program, weights, T, K, q);
  }
}
