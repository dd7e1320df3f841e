import { readFileSync } from 'node:fs';
import { pageRank } from '../../examples/dual.ts';
import type { Matrix } from 'ml-matrix';
import { grad, parseProgram, unroll, type Point, type Program, type Value } from '../../src/index.ts';
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
  readonly at?: Point;
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
  const slope =
    fit.reduce((s, e) => s + (e.k - mk) * (Math.log(e.error) - ml), 0) / fit.reduce((s, e) => s + (e.k - mk) ** 2, 0);
  return Math.exp(slope);
}

/** A gradient entry (a number, a vector or a matrix) as its entries. */
function entries(value: Value | undefined): Float64Array {
  if (typeof value === 'number') return Float64Array.of(value);
  if (value instanceof Float64Array) return value;
  return Float64Array.from((value as Matrix).to1DArray());
}

/** max_k |a_k − b_k| / max_k |b_k|. */
function relative(a: Float64Array, b: Float64Array): number {
  let error = 0;
  let scale = 0;
  for (let k = 0; k < b.length; k++) {
    error = Math.max(error, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return error / scale;
}

/** The unrolled gradient is counted as converged within this relative error. */
const CLOSE = 1e-8;

export const cyclicClaim: Experiment = {
  id: 'claim6',
  title: '6. Cyclic computations: fixed points and their multipliers',
  async run(ctx) {
    const layer = JSON.parse(readFileSync('examples/equilibrium-layer.json', 'utf8')) as Point;
    const cases: Case[] = [
      {
        name: 'v = cos v + t',
        command: 'examples/fixed-point.lag',
        program: file('examples/fixed-point.lag'),
        input: 't',
      },
      {
        name: 'equilibrium layer v = tanh(W v + x), 3 units',
        command: 'examples/equilibrium.lag',
        program: file('examples/equilibrium.lag'),
        input: 'x1',
      },
      {
        name: 'PageRank, 40 pages, d = 0.85',
        command: 'pageRank(40, 0.85) in examples/dual.ts',
        program: pageRank(40, 0.85),
        input: 'd',
      },
      {
        name: 'equilibrium layer z = tanh(W z + U x + b), a 4-vector',
        command: 'examples/equilibrium-layer.lag',
        program: file('examples/equilibrium-layer.lag'),
        input: 'W',
        at: layer,
      },
    ];
    const ks = ctx.quick
      ? [1, 2, 4, 8, 16, 24, 32, 48, 64]
      : [1, 2, 3, 4, 6, 8, 12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128, 192, 256];
    const rows = [];
    const curves = [];
    for (const c of cases) {
      const at = c.at ?? {};
      const implicit = grad(c.program, at, { schedule: 'reverse' });
      const g = entries(implicit.gradient[c.input]);
      const forward = implicit.solution.convergence?.find((k) => k.quantity === 'values');
      const adjoint = grad(c.program, at, { schedule: 'iterative', method: 'fixed-point' });
      const fd = entries(grad(c.program, at, { schedule: 'fd' }).gradient[c.input]);
      const errors = ks.map((k) => {
        const r = grad(unroll(c.program, k), at, { schedule: 'reverse' });
        return { k, error: relative(entries(r.gradient[c.input]), g), held: r.stats.peakValues };
      });
      curves.push(...errors.map((e) => ({ ...e, error: Math.max(e.error, 1e-17), program: c.name })));
      const forwardRate = forward?.rate ?? NaN;
      rows.push({
        name: c.name,
        command: c.command,
        input: c.input,
        gradient: g.length === 1 ? num(g[0]) : `‖·‖∞ = ${num(Math.max(...g.map(Math.abs)))}`,
        fdError: relative(fd, g),
        forwardMethod: forward?.method ?? 'none',
        forwardIterations: forward?.iterations ?? 0,
        forwardRate,
        adjointIterations: adjoint.stats.iterations,
        adjointRate: adjoint.stats.rate,
        adjointError: relative(entries(adjoint.gradient[c.input]), g),
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
      title: {
        text: 'Backprop through k unrolled sweeps against the multipliers of the fixed point',
        subtitle: 'relative error of the unrolled gradient; 0 drawn at 1e-17',
      },
      width: 520,
      height: 300,
      data: { values: curves },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'k', type: 'quantitative', title: 'sweeps unrolled k (a geometric rate is a straight line)' },
        y: {
          field: 'error',
          type: 'quantitative',
          scale: { type: 'log' },
          axis: { format: '.0e' },
          title: '|∂ unrolled − ∂ implicit| / |∂ implicit|',
        },
        color: {
          field: 'program',
          type: 'nominal',
          title: null,
          legend: { orient: 'bottom', direction: 'vertical', labelLimit: 500 },
        },
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
        [
          'fixed point',
          '∂y/∂input (multipliers)',
          'fd rel. error',
          'forward: sweeps, rate',
          'adjoint fixed-point: iterations, rate',
          'unrolled: fitted rate',
          `unrolled: sweeps to ${CLOSE}, values held`,
          'unrolled: error floor',
          'implicit: values held',
        ],
        rows.map((r) => [
          r.name,
          `∂/∂${r.input}: ${r.gradient}`,
          sci(r.fdError),
          `${r.forwardIterations} (${r.forwardMethod}), ${r.forwardRate.toFixed(3)}`,
          `${r.adjointIterations}, ${r.adjointRate.toFixed(3)}`,
          r.unrolledRate.toFixed(3),
          r.closeAt === null ? 'not reached' : `${r.closeAt}, ${r.closeHeld}`,
          sci(r.floor),
          r.implicitHeld,
        ]),
      ),
      figure: ctx.figure('cyclic', figure),
    };
  },
};
