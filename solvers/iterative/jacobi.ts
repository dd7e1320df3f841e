import { LagradError } from '../../src/error.ts';
import { maxAbs, Monitor, Verdict, type IterationSettings } from '../../src/lagrangian/convergence.ts';
import type { Program } from '../../src/program/program.ts';
import { sweepsOf } from '../../src/primitives/sweeps.ts';
import type { Stats } from '../../src/lagrangian/stats.ts';
import { globalFailure } from './failure.ts';
import { seededProvenance } from '../../src/lagrangian/provenance.ts';

/**
 * Jacobi on (I − J)ᵀλ = w over the whole program: λ ← w + Jᵀλ, every multiplier from the previous
 * sweep's (one reverse sweep with src ≠ dst), starting from λ = w. The residual of λ is exactly the
 * change the next sweep makes, max |λ⁺ − λ|, judged against max(|w|∞, |λ|∞).
 *
 * On an acyclic program J is nilpotent: after k sweeps λ = Σ_{m ≤ k} (Jᵀ)^m w, which is exact once
 * k reaches the longest path, and the sweep after that changes nothing — Jacobi stops after exactly
 * `depth` sweeps, depth being the number of variables on the longest path back from an output.
 */
export function jacobi(
  program: Program,
  values: Float64Array,
  w: Float64Array,
  lambda: Float64Array,
  settings: IterationSettings,
  stats: Stats,
  progress?: (done: number, total: number) => void,
): Monitor {
  const { inputCount, size, slots } = program;
  const { tolerance, maxIterations } = settings;
  const { reverse } = sweepsOf(program);
  let current = lambda;
  let next: Float64Array = new Float64Array(slots);
  const change = new Float64Array(slots);
  current.set(w);
  const wScale = maxAbs(w, 0, slots);
  // A sweep moves λ one constraint further back, so growth along the way is no verdict until λ
  // has crossed the program: as many sweeps as its longest chain. Nor is a small change: a
  // multiplier far smaller than the others (1e-200 beside 1) is still on its way, and a norm would
  // not see it — before that many sweeps only a change of exactly 0 (a fixed point) ends the loop.
  const depth = longestChain(program);
  if (depth > maxIterations) {
    throw new LagradError(
      `schedule 'iterative'`,
      `Jacobi needs at least ${depth} sweeps here (the longest chain of constraints), more than maxIterations = ${maxIterations}; use gauss-seidel, or raise maxIterations`,
    );
  }
  const monitor = new Monitor(tolerance, maxIterations, 20 + 2 * depth);
  for (;;) {
    next.set(w);
    stats.partialEvaluations += reverse(values, current, next, inputCount, size);
    stats.sweeps++;
    for (let s = 0; s < slots; s++) change[s] = next[s] - current[s];
    [current, next] = [next, current];
    progress?.(monitor.iterations + 1, maxIterations);
    const residual = maxAbs(change, 0, slots);
    const verdict = monitor.check(residual, Math.max(wScale, maxAbs(current, 0, slots)));
    if (verdict === Verdict.Converged && (residual === 0 || monitor.iterations >= depth)) break;
    if (verdict === Verdict.Converged && monitor.iterations < maxIterations) continue;
    if (verdict === Verdict.NonFinite) seededProvenance(program, values, w);
    if (verdict !== Verdict.Continue) throw globalFailure(program, change, 'Jacobi', verdict, monitor, maxIterations);
  }
  if (current !== lambda) lambda.set(current);
  return monitor;
}

/** The most variables on one chain of parents j < i (edges closing a cycle are skipped). O(N + E). */
export function longestChain(program: Program): number {
  const { parentStart, parents, inputCount, size } = program;
  const level = new Int32Array(size).fill(1);
  let most = size > 0 ? 1 : 0;
  for (let i = inputCount; i < size; i++) {
    let l = 1;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      const j = parents[e];
      if (j < i && level[j] + 1 > l) l = level[j] + 1;
    }
    level[i] = l;
    if (l > most) most = l;
  }
  return most;
}
