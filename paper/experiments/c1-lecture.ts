import { readFileSync } from 'node:fs';
import { builtinSchedules } from '../../solvers/schedules.ts';
import { largest, markdownTable, num, sci } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 1: the lecture's example f(x, y, z) = z + sin(x² + y·exp(z)) at (2, −1, 0) — its value,
// gradient and the multiplier of every intermediate under every schedule, through the CLI, checked
// against the closed form; and the program drawn by `lagrad graph` (plus a 50-variable network).

const FILE = 'examples/lecture.lag';

interface GradJson {
  value: number;
  gradient: Record<string, number>;
  multipliers?: Record<string, number>;
  schedule: string;
  stats: { sweeps: number; partialEvaluations: number; primitiveEvaluations: number };
}

export const lectureClaim: Experiment = {
  id: 'claim1',
  title: "1. The lecture's example",
  async run(ctx) {
    const values = JSON.parse(await ctx.lagrad(['eval', FILE, '--values', '--json'])).values as Record<string, number>;
    const runs: Record<string, GradJson> = {};
    for (const s of builtinSchedules) {
      // fd differences the inputs only: it has no multipliers of intermediates to give.
      const argv = ['grad', FILE, '--schedule', s.name, '--json', ...(s.name === 'fd' ? [] : ['--multipliers'])];
      runs[s.name] = JSON.parse(await ctx.lagrad(argv));
    }
    const reference = runs.reverse;
    // The closed form: d = x² + y eᶻ; ∂f/∂x = 2x cos d, ∂f/∂y = eᶻ cos d, ∂f/∂z = 1 + y eᶻ cos d.
    const [x, y, z] = [2, -1, 0];
    const d = x * x + y * Math.exp(z);
    const closed = { x: 2 * x * Math.cos(d), y: Math.exp(z) * Math.cos(d), z: 1 + y * Math.exp(z) * Math.cos(d) };
    const names = Object.keys(values);
    const lines = readFileSync(FILE, 'utf8').split('\n');
    const constraint = (name: string) =>
      lines.find((l) => new RegExp(`^${name} = `).test(l))?.split(' = ')[1] ?? 'input';
    const variables = markdownTable(
      ['variable', 'constraint', 'value v', 'multiplier λ = ∂f/∂v'],
      names.map((n) => [`\`${n}\``, `\`${constraint(n)}\``, num(values[n]), num(reference.multipliers![n])]),
    );
    const schedules = Object.entries(runs).map(([name, r]) => {
      const against = r.multipliers ?? r.gradient;
      const difference = largest(Object.keys(against).map((n) => Math.abs(against[n] - reference.multipliers![n])));
      return {
        name,
        value: r.value,
        gradient: r.gradient,
        difference,
        sweeps: r.stats.sweeps,
        partials: r.stats.partialEvaluations,
        compared: r.multipliers ? 'all 9 λ' : 'gradient',
      };
    });
    const scheduleTable = markdownTable(
      [
        'schedule',
        'f',
        '∂f/∂x',
        '∂f/∂y',
        '∂f/∂z',
        'largest |Δλ| against reverse',
        'over',
        'sweeps',
        'partial evaluations',
      ],
      schedules.map((s) => [
        `\`${s.name}\``,
        num(s.value),
        num(s.gradient.x),
        num(s.gradient.y),
        num(s.gradient.z),
        sci(s.difference),
        s.compared,
        s.sweeps,
        s.partials,
      ]),
    );
    const closedError = largest(['x', 'y', 'z'].map((n) => Math.abs(reference.gradient[n] - closed[n as 'x'])));
    const worst = schedules.reduce((w, s) => (s.name !== 'fd' && s.difference > w.difference ? s : w), {
      name: 'none',
      difference: 0,
    } as { name: string; difference: number });
    const fd = schedules.find((s) => s.name === 'fd')!;
    const lectureDot = await ctx.lagrad(['graph', FILE]);
    const networkDot = await ctx.lagrad(['graph', 'examples/network.lag']);
    const network = readFileSync('examples/network.lag', 'utf8');
    const supported = closedError < 1e-14 && worst.difference < 1e-12 && fd.difference < 1e-8;
    return {
      criterion:
        "reverse equals the closed form to 1e-14, every other schedule's multipliers are within 1e-12 of reverse's, finite differences within 1e-8",
      supported,
      verdict: `all ${schedules.length} schedules give f = ${num(reference.value)} and the same multipliers (largest difference ${sci(worst.difference)}, ${worst.name}; fd ${sci(fd.difference)} on the gradient); reverse's gradient differs from the closed form by ${sci(closedError)}`,
      value: reference.value,
      gradient: reference.gradient,
      closedForm: closed,
      closedFormError: closedError,
      multipliers: reference.multipliers,
      values,
      schedules: schedules.length,
      worstSchedule: worst.name,
      worstDifference: worst.difference,
      fdDifference: fd.difference,
      dualIterations: (runs.dual.stats as unknown as { iterations: number }).iterations,
      variableTable: variables,
      scheduleTable,
      figure: await ctx.graph('lecture-graph', lectureDot),
      networkFigure: await ctx.graph('network-graph', networkDot),
      networkVariables: (networkDot.match(/^\s+v\d+ \[label/gm) ?? []).length,
      networkConstraintLines: network.split('\n').filter((l) => / = /.test(l) && !l.startsWith('input')).length,
    };
  },
};
