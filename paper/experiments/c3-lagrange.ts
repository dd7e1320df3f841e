import fc from 'fast-check';
import { DEFAULT_TOLERANCES, verify, type VerifyReport } from '../../src/index.ts';
import { renderSvg } from '../../src/cli/plot.ts';
import { arbitraryProgram } from '../../test/helpers/randomPrograms.ts';
import { arbitraryCyclicProgram } from '../../test/helpers/randomCyclic.ts';
import { markdownTable, sci } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 3: backprop is the method of Lagrange multipliers. `verify` on thousands of random programs
// (the test suite's generators, acyclic and cyclic, drawn from fixed seeds): at the multipliers
// reverse returns, the largest KKT residuals (primal: the constraints; dual: (I − J)ᵀλ = w), the
// dot-product test ⟨λ, J v̇⟩ = ⟨Jᵀλ, v̇⟩, how far the other schedules' multipliers are from
// reverse's (forward, dense, paths), and finite differences.

const CHECKS = ['primal', 'dual', 'dotProduct', 'multipliers', 'finiteDifference'] as const;
const LABELS: Record<(typeof CHECKS)[number], string> = {
  primal: 'primal residual (constraints)',
  dual: 'dual residual (I − J)ᵀλ − w',
  dotProduct: 'dot-product test',
  multipliers: 'schedule disagreement',
  finiteDifference: 'finite differences',
};

interface Family {
  readonly name: string;
  readonly programs: number;
  readonly ok: number;
  readonly variables: { readonly min: number; readonly max: number; readonly mean: number };
  readonly worst: Record<string, number>;
  readonly failures: readonly string[];
  readonly reports: readonly VerifyReport[];
}

function study(
  name: string,
  cases: readonly { program: VerifyReport['program']; at: Record<string, number>; weights?: Record<string, number> }[],
): Family {
  const reports = cases.map((c) =>
    verify(c.program, c.at, c.weights && Object.keys(c.weights).length > 1 ? { weights: c.weights } : {}),
  );
  const worst = Object.fromEntries(CHECKS.map((check) => [check, Math.max(0, ...reports.map((r) => value(r, check)))]));
  const sizes = cases.map((c) => c.program.size);
  return {
    name,
    programs: cases.length,
    ok: reports.filter((r) => r.ok).length,
    variables: {
      min: Math.min(...sizes),
      max: Math.max(...sizes),
      mean: sizes.reduce((s, x) => s + x, 0) / sizes.length,
    },
    worst,
    failures: reports.filter((r) => !r.ok).map((r) => `${r.worst!.name} ${sci(r.worst!.value)} at ${r.worst!.label}`),
    reports,
  };
}

/** A check's value in a report (finite differences only where they apply). */
function value(report: VerifyReport, check: (typeof CHECKS)[number]): number {
  const c = report.checks.find((k) => k.name === check);
  return c && c.applicable ? c.value : 0;
}

export const lagrangeClaim: Experiment = {
  id: 'claim3',
  title: '3. Backprop is the method of Lagrange multipliers',
  async run(ctx) {
    const [acyclicCount, cyclicCount] = ctx.quick ? [100, 30] : [3000, 1000];
    const acyclic = study(
      'acyclic',
      fc.sample(arbitraryProgram({ inputs: 4, constraints: 40, outputs: 3 }), { numRuns: acyclicCount, seed: 3 }),
    );
    const cyclic = study(
      'cyclic',
      fc.sample(arbitraryCyclicProgram({ members: 6 }), { numRuns: cyclicCount, seed: 4 }),
    );
    const families = [acyclic, cyclic];
    const tolerance = DEFAULT_TOLERANCES;
    const dots = families.flatMap((f) =>
      f.reports.flatMap((r) =>
        CHECKS.map((check) => ({
          family: f.name,
          check: LABELS[check],
          value: Math.max(value(r, check), 1e-18),
          tolerance: tolerance[check],
        })),
      ),
    );
    // Histograms, not one mark per program: thousands of marks would make a multi-megabyte SVG.
    const x = {
      field: 'decade',
      type: 'quantitative',
      bin: { extent: [-18, -4], step: 0.25 },
      scale: { domain: [-18, -4] },
      axis: { labelExpr: "'1e' + datum.value" },
      title: 'largest relative error in one program (log10; 0 drawn at 1e-18)',
    };
    const figure = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      background: 'white',
      title: {
        text: 'verify on random programs: each check, relative to what rounding can resolve',
        subtitle: "programs per bin, stacked by family; red: the check's tolerance in verify",
      },
      data: { values: dots },
      transform: [
        { calculate: 'max(-18, min(-4.01, log(datum.value) / LN10))', as: 'decade' },
        { calculate: 'log(datum.tolerance) / LN10', as: 'limit' },
      ],
      facet: {
        row: {
          field: 'check',
          type: 'nominal',
          title: null,
          header: { labelAngle: 0, labelAlign: 'left', labelOrient: 'top', labelFontWeight: 'bold' },
          sort: CHECKS.map((c) => LABELS[c]),
        },
      },
      spec: {
        width: 560,
        height: 60,
        layer: [
          {
            mark: { type: 'bar' },
            encoding: {
              x,
              y: { aggregate: 'count', type: 'quantitative', title: 'programs' },
              color: { field: 'family', type: 'nominal', title: null },
            },
          },
          {
            mark: { type: 'rule', color: '#c0392b', strokeWidth: 2 },
            encoding: { x: { aggregate: 'max', field: 'limit', type: 'quantitative' } },
          },
        ],
      },
    });
    const rows = CHECKS.map((check) => [
      LABELS[check],
      sci(acyclic.worst[check]),
      sci(cyclic.worst[check]),
      sci(tolerance[check]),
    ]);
    const total = acyclic.programs + cyclic.programs;
    const passed = acyclic.ok + cyclic.ok;
    const summary = (f: Family) => ({
      programs: f.programs,
      ok: f.ok,
      variables: f.variables,
      worst: f.worst,
      failures: f.failures.slice(0, 5),
    });
    return {
      criterion: 'every program passes every check of verify at its default tolerances',
      supported: passed === total,
      verdict: `${passed} of ${total} random programs (${cyclic.programs} cyclic) pass every check; largest dual residual ${sci(Math.max(acyclic.worst.dual, cyclic.worst.dual))}, schedule disagreement ${sci(Math.max(acyclic.worst.multipliers, cyclic.worst.multipliers))}`,
      total,
      passed,
      acyclic: summary(acyclic),
      cyclic: summary(cyclic),
      table: markdownTable(
        ['check (relative)', `worst of ${acyclic.programs} acyclic`, `worst of ${cyclic.programs} cyclic`, 'tolerance'],
        rows,
      ),
      figure: ctx.figure('verify', figure),
    };
  },
};
