import { checkMemberPartials } from './partialError.ts';
import { formatNumber } from '../numberFormat.ts';
import { Matrix } from 'ml-matrix';
import { componentError, failure, Monitor, Verdict, type IterationSettings } from './convergence.ts';
import { ComponentLu, componentMatrix, DIRECT_LIMIT } from './direct.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { BlockSweeps } from '../primitives/blockSweeps.ts';
import { ComponentOperator } from './blockOperator.ts';
import { gmres } from './gmres.ts';
import type { Stats } from './stats.ts';

/**
 * Tangent sweeps (I − J)T = E on a cyclic program, K lanes at once (T[i·K + q]): the lane sweep
 * over each acyclic stretch, and for each cyclic component C a solve of (I − J_CC)T_C = R_C, R_C
 * being what flows in from outside C (and the seeds E inside it).
 *
 * R_C comes from the lane sweep itself: swept once over C from T_C = 0 it gives c = (I − L)⁻¹R_C
 * (L: the members' partials on members earlier in C, which the sweep has already updated), so
 * R_C = (I − L)c. Components up to 300 members are then solved by a dense LU of I − J_CC, factored
 * once per solve and reused by every group of lanes; larger ones by repeating the lane sweep over C
 * (Gauss–Seidel on the tangents, the forward iteration's own rate) until it settles.
 */
export class CyclicTangents {
  private readonly factors: ({ lu: ComponentLu; A: Matrix } | undefined)[] = [];
  /** What flows into a component, for `sweepSlab` (one entry per slot). */
  private rhs: Float64Array | null = null;

  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly settings: IterationSettings,
    private readonly stats: Stats,
  ) {}

  /**
   * Sweeps rows from..N−1 of T (rows before `from` are inputs or zero); lane q is seeded with
   * +1 on row seedFirst + q for q < seedCount (a constraint's perturbation, for multipliers).
   */
  sweep(T: Float64Array, K: number, from: number, seedFirst = -1, seedCount = 0): void {
    const components = this.program.components();
    const size = this.program.size;
    let low = from;
    for (let k = 0; k < components.length; k++) {
      const [start, end] = components[k];
      if (end <= low) continue;
      if (start < low) low = start; // `from` inside a component: the whole component depends on it
      this.lanes(T, K, low, start, seedFirst, seedCount);
      T.fill(0, start * K, end * K);
      this.lanes(T, K, start, end, seedFirst, seedCount);
      if (end - start <= DIRECT_LIMIT) this.direct(T, K, k, start, end);
      else this.iterate(T, K, start, end, seedFirst, seedCount);
      low = end;
    }
    this.lanes(T, K, low, size, seedFirst, seedCount);
    this.stats.sweeps++;
  }

  /**
   * One tangent over a program with vector and matrix variables (K = 1; T addressed by slot): the
   * JVP sweep over each acyclic stretch, and for each cyclic component C the solve
   * (I − J_CC)T_C = R_C over its slots, R_C being what flows in — one JVP sweep over C with T_C = 0
   * gives J_C,outside T — plus a seed inside C. Up to 300 slots by a dense LU of I − J_CC (from
   * unit VJPs, factored once and reused by every tangent), GMRES on the JVPs beyond. Rows before
   * `from` hold the inputs' tangents or zeros; slot `seed` (≥ 0) gets +1 right after its own row
   * is swept: a perturbation of its constraint, for multipliers.
   */
  sweepSlab(T: Float64Array, from: number, seed = -1): void {
    const { program, values, stats } = this;
    const layout = program.layout!;
    const sweeps = BlockSweeps.of(program);
    const seedVariable = seed >= 0 ? layout.variableOf(seed) : -1;
    const rhs = (this.rhs ??= new Float64Array(program.slots));
    const stretch = (a: number, b: number) => {
      if (seedVariable >= a && seedVariable < b) {
        sweeps.tangent(values, T, T, a, seedVariable + 1);
        T[seed] += 1;
        sweeps.tangent(values, T, T, seedVariable + 1, b);
      } else {
        sweeps.tangent(values, T, T, a, b);
      }
      stats.partialEvaluations += b - a;
    };
    const components = program.components();
    let low = from;
    for (let k = 0; k < components.length; k++) {
      const [start, end] = components[k];
      if (end <= low) continue;
      if (start < low) low = start; // `from` inside a component: the whole component depends on it
      stretch(low, start);
      const first = layout.offset[start];
      const last = layout.offset[end];
      T.fill(0, first, last);
      sweeps.tangent(values, T, rhs, start, end);
      stats.partialEvaluations += end - start;
      if (seedVariable >= start && seedVariable < end) rhs[seed] += 1;
      this.solveSlots(k, start, end, rhs.subarray(first, last), T.subarray(first, last));
      low = end;
    }
    stretch(low, program.size);
    stats.sweeps++;
  }

  /** x = (I − J_CC)⁻¹ b over component k's slots: the LU factored once, or GMRES on JVPs above 300 slots. */
  private solveSlots(k: number, start: number, end: number, b: Float64Array, x: Float64Array): void {
    const { program, values, stats, settings } = this;
    if (b.length <= DIRECT_LIMIT) {
      let factor = this.factors[k];
      if (factor === undefined) {
        const A = componentMatrix(program, values, start, end, false, undefined, stats);
        stats.partialEvaluations += end - start;
        const { lu, singular } = ComponentLu.factor(A);
        if (singular)
          throw componentError(
            program,
            start,
            end,
            `I − J is singular here (pivot ratio ${formatNumber(lu.pivotRatio)}), so its tangents are not determined`,
          );
        factor = this.factors[k] = { lu, A };
      }
      factor.lu.solve(b, x);
      return;
    }
    x.fill(0);
    const monitor = new Monitor(settings.tolerance, settings.maxIterations);
    const { verdict, matvecs } = gmres(new ComponentOperator(program, values, start, end, stats, false), b, x, monitor);
    stats.matvecs = (stats.matvecs ?? 0) + matvecs;
    monitor.tally(stats);
    if (verdict !== Verdict.Converged)
      throw componentError(
        program,
        start,
        end,
        failure(verdict, monitor, 'GMRES on the tangents', 'iteration', settings.maxIterations),
      );
  }

  /** The lane sweep over [from, to), adding each seed right after its own row is swept. */
  private lanes(T: Float64Array, K: number, from: number, to: number, seedFirst: number, seedCount: number): void {
    const { lanes } = sweepsOf(this.program);
    let p = from;
    for (let q = 0; q < seedCount; q++) {
      const j = seedFirst + q;
      if (j < from || j >= to) continue;
      lanes(this.values, T, K, p, j + 1);
      T[j * K + q] += 1;
      p = j + 1;
    }
    lanes(this.values, T, K, p, to);
    this.stats.partialEvaluations += to - from;
  }

  /** T_C ← (I − J_CC)⁻¹(I − L)c for the sweep's result c on the component's rows. */
  private direct(T: Float64Array, K: number, k: number, start: number, end: number): void {
    const m = end - start;
    let factor = this.factors[k];
    if (factor === undefined) {
      const A = componentMatrix(this.program, this.values, start, end);
      this.stats.partialEvaluations += m;
      const { lu, singular } = ComponentLu.factor(A);
      if (singular) checkMemberPartials(this.program, this.values, start, end); // a NaN in I − J: a partial that does not exist
      if (singular)
        throw componentError(
          this.program,
          start,
          end,
          `I − J is singular here (pivot ratio ${formatNumber(lu.pivotRatio)}), so its tangents are not determined`,
        );
      factor = this.factors[k] = { lu, A };
    }
    const { lu, A } = factor;
    // R = (I − L)c: A's strictly lower part is −L.
    const R = new Matrix(m, K);
    for (let r = 0; r < m; r++) {
      for (let q = 0; q < K; q++) {
        let x = T[(start + r) * K + q];
        for (let j = 0; j < r; j++) x += A.get(r, j) * T[(start + j) * K + q];
        R.set(r, q, x);
      }
    }
    const solution = lu.solveColumns(R);
    for (let r = 0; r < m; r++) for (let q = 0; q < K; q++) T[(start + r) * K + q] = solution.get(r, q);
  }

  /** Repeats the lane sweep over a large component until the tangents change by ≤ tolerance · max|T_C|. */
  private iterate(T: Float64Array, K: number, start: number, end: number, seedFirst: number, seedCount: number): void {
    const rows = (end - start) * K;
    const before = new Float64Array(rows);
    const monitor = new Monitor(this.settings.tolerance, this.settings.maxIterations);
    for (;;) {
      before.set(T.subarray(start * K, end * K));
      this.lanes(T, K, start, end, seedFirst, seedCount);
      let change = 0;
      let scale = 0;
      for (let r = 0; r < rows; r++) {
        const t = T[start * K + r];
        const d = Math.abs(t - before[r]);
        if (!(d <= change)) change = d;
        scale = Math.max(scale, Math.abs(t));
      }
      const verdict = monitor.check(change, scale);
      if (verdict === Verdict.Converged) break;
      if (verdict !== Verdict.Continue)
        throw componentError(
          this.program,
          start,
          end,
          failure(verdict, monitor, 'the tangent iteration', 'sweep', this.settings.maxIterations),
        );
    }
    monitor.tally(this.stats);
  }
}
