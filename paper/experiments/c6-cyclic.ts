import { readFileSync } from 'node:fs';
import { pageRank } from '../../examples/dual.ts';
import { grad, parseProgram, unroll, type Program } from '../../src/index.ts';
import { renderSvg } from '../../src/cli/plot.ts';
import { markdownTable, num, sci } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 6: cyclic computations. A fixed point v* = f(v*, x) is a constraint like any other; its
// multipliers solve (I − J)ᵀλ = w with J no longer nilpotent. Against them: backprop through k
// unrolled sweeps (what differentiating through the solver computes) as k grows, and the rate of
// the adjoint fixed-point iteration (Christianson 1994) against the forward iteration's.

const file = (path: string) => parseProgram(readFileSync(path, 'utf8'), { file: path });

interface Case {
  readonly name: string;
  readonly command: string;
  readonly program: Program;
  readonly input: string;
}

/**
 * The contraction per sweep of the unrolled gradient's error, fitted (least squares on log error)
 * where the error is in its geometric regime: below 1e-2 and well above the level where rounding
 * stops it (100 × the smallest error seen).
 */
function observedRate(errors: readonly { k: number; error: number }[]): number {
  const floor = Math.min(...errors.map((e) => e.error));
  const fit = errors.filter((e) => e.error < 1e-2 && e.error > 100 * floor);
  if (fit.length < 2) return NaN;
  const mk = fit.reduce((s, e) => s + e.k, 0) / fit.length;
  const ml = fit.reduce((s, e) => s + Math.log(e.error), 0) / fit.length;
  const slope = fit.reduce((s, e) => s + (e.k - mk) * (Math.log(e.error) - ml), 0) / fit.reduce((s, e) => s + (e.k - mk) ** 2, 0);
  return Math.exp(slope);
}

/** The unrolled gradient is counted as converged within this relative error. */
const CLOSE = 1e-8;

export const cyclicClaim: Experiment = {
  id: 'claim6',
  title: '6. Cyclic computations: fixed points and their multipliers',
  async run(ctx) {
    const cases: Case[] = [
      { name: 'v = cos v + t', command: 'examples/fixed-point.lag', program: file('examples/fixed-point.lag'), input: 't' },
      { name: 'equilibrium layer v = tanh(W v + x), 3 units', command: 'examples/equilibrium.lag', program: file('examples/equilibrium.lag'), input: 'x1' },
      { name: 'PageRank, 40 pages, d = 0.85', command: 'pageRank(40, 0.85) in examples/dual.ts', program: pageRank(40, 0.85), input: 'd' },
    ];
    const ks = ctx.quick ? [1, 2, 4, 8, 16, 24, 32, 48, 64] : [1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128, 192, 256];
    const rows = [];
    const curves = [];
    for (const c of cases) {
      const implicit = grad(c.program, {}, { schedule: 'reverse' });
      const g = implicit.gradient[c.input] as number;
      const forward = implicit.solution.convergence?.find((k) => k.quantity === 'values');
      const adjoint = grad(c.program, {}, { schedule: 'iterative', method: 'fixed-point' });
      const fd = grad(c.program, {}, { schedule: 'fd' }).gradient[c.input] as number;
      const errors = ks.map((k) => {
        const r = grad(unroll(c.program, k), {}, { schedule: 'reverse' });
        return { k, error: Math.abs((r.gradient[c.input] as number) - g) / Math.abs(g), held: r.stats.peakValues };
      });
      curves.push(...errors.map((e) => ({ ...e, error: Math.max(e.error, 1e-17), program: c.name })));
      const forwardRate = forward?.rate ?? NaN;
      rows.push({
        name: c.name,
        command: c.command,
        input: c.input,
        gradient: g,
        fdError: Math.abs(fd - g) / Math.abs(g),
        forwardMethod: forward?.method ?? 'none',
        forwardIterations: forward?.iterations ?? 0,
        forwardRate,
        adjointIterations: adjoint.stats.iterations,
        adjointRate: adjoint.stats.rate,
        adjointError: Math.abs((adjoint.gradient[c.input] as number) - g) / Math.abs(g),
        unrolledRate: observedRate(errors),
        closeAt: errors.find((e) => e.error < CLOSE)?.k ?? null,
        closeHeld: errors.find((e) => e.error < CLOSE)?.held ?? null,
        floor: Math.min(...errors.map((e) => e.error)),
        implicitHeld: implicit.stats.peakValues,
      });
    }
    const figure = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      background: 'white',
      title: { text: 'Backprop through k unrolled sweeps against the multipliers of the fixed point', subtitle: 'relative error of the unrolled gradient; 0 drawn at 1e-17' },
      width: 520,
      height: 300,
      data: { values: curves },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'k', type: 'quantitative', title: 'sweeps unrolled k (a geometric rate is a straight line)' },
        y: { field: 'error', type: 'quantitative', scale: { type: 'log' }, axis: { format: '.0e' }, title: '|∂ unrolled − ∂ implicit| / |∂ implicit|' },
        color: { field: 'program', type: 'nominal', title: null, legend: { orient: 'bottom', direction: 'vertical', labelLimit: 500 } },
      },
    });
    const rateGap = Math.max(...rows.map((r) => Math.abs(r.adjointRate - r.forwardRate)));
    const unrolledGap = Math.max(...rows.map((r) => Math.abs(r.unrolledRate - r.forwardRate)));
    const allClose = rows.every((r) => r.closeAt !== null);
    const slowest = rows.reduce((a, b) => ((b.closeAt ?? Infinity) > (a.closeAt ?? Infinity) ? b : a));
    return {
      criterion: `the adjoint iteration's observed rate is within 0.05 of the forward iteration's, and unrolled backprop comes within ${CLOSE} of the multipliers' gradient`,
      supported: rateGap < 0.05 && allClose,
      verdict: `unrolled backprop approaches the multipliers' gradient at about the loop's own rate (largest gap between the fitted and the forward rate ${unrolledGap.toFixed(2)}); it needs up to ${slowest.closeAt ?? 'more than ' + ks[ks.length - 1]} sweeps (${slowest.name}, holding ${slowest.closeHeld ?? '—'} values against ${slowest.implicitHeld}) to come within ${CLOSE}; the adjoint iteration contracts at the forward iteration's rate (largest gap ${sci(rateGap)})`,
      close: CLOSE,
      rateGap,
      unrolledGap,
      slowestName: slowest.name,
      slowestClose: slowest.closeAt ?? 'never',
      slowestHeld: slowest.closeHeld ?? 'never',
      slowestImplicitHeld: slowest.implicitHeld,
      lastK: ks[ks.length - 1],
      cases: rows,
      table: markdownTable(
        ['fixed point', '∂y/∂input (multipliers)', 'fd rel. error', 'forward: sweeps, rate', 'adjoint fixed-point: iterations, rate', 'unrolled: fitted rate', `unrolled: sweeps to ${CLOSE}, values held`, 'unrolled: error floor', 'implicit: values held'],
        rows.map((r) => [r.name, `∂/∂${r.input} = ${num(r.gradient)}`, sci(r.fdError), `${r.forwardIterations} (${r.forwardMethod}), ${r.forwardRate.toFixed(3)}`, `${r.adjointIterations}, ${r.adjointRate.toFixed(3)}`, r.unrolledRate.toFixed(3), r.closeAt === null ? 'not reached' : `${r.closeAt}, ${r.closeHeld}`, sci(r.floor), r.implicitHeld]),
      ),
      figure: ctx.figure('cyclic', figure),
    };
  },
};
