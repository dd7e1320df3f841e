import { resolvePoint, resolveWeights } from '../api/point.ts';
import { ledger } from '../../solvers/checkpoint/ledger.ts';
import { checkpointPlanners } from '../../solvers/checkpoint/planners.ts';
import { stageShape, type MemoryUnit } from '../../solvers/checkpoint/stages.ts';
import { configure } from '../../solvers/checkpoint/strategies.ts';
import { LagradError, UsageError } from '../error.ts';
import { requireAcyclic } from '../program/acyclic.ts';
import type { Command, Flags, OptionSpec } from './command.ts';
import { DATA_OPTION, loadData, pointFrom } from './data.ts';
import { json, table } from './format.ts';
import type { Io } from './io.ts';
import { curveSvg } from './plot.ts';
import {
  chainCurve,
  chainPlanner,
  closedForm,
  costsOf,
  costsOfPlan,
  programCurve,
  RUN_LIMIT,
  runner,
  type Row,
} from './tradeoffCurve.ts';
import { loadSource, numberFlag, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

// `lagrad tradeoff`: what each checkpointing strategy recomputes and holds, counted exactly.
// On a chain (--chain L) from the planners' closed forms, without numerics; on a program by
// running the `checkpoint` schedule at each budget, so every figure is counted as the work is done
// and every gradient is checked against plain reverse (plans of more than RUN_LIMIT evaluations are
// replayed without numerics instead: the same counts, no gradient check).

export const tradeoffCommand: Command = {
  name: 'tradeoff',
  summary: 'recomputation against memory of each checkpointing strategy, counted exactly',
  synopsis: `lagrad tradeoff --chain L [options]
lagrad tradeoff <source> [options]

${SOURCE_HELP}: run under each plan and checked against reverse;
            or --chain L, a chain of L steps of one value each, priced without numerics (closed forms)`,
  get options() {
    return {
      chain: {
        type: 'string',
        value: 'L',
        help: 'price plans for a chain of L steps instead of a program',
        default: 'none',
      },
      snapshots: {
        type: 'string',
        value: 'C',
        help: 'one plan with C snapshot slots; strategy revolve unless given',
        default: 'the whole curve',
      },
      budget: {
        type: 'string',
        value: 'N',
        help: 'one plan holding at most N values at once; strategy budget unless given',
        default: 'the whole curve',
      },
      'budget-bytes': {
        type: 'string',
        value: 'N',
        help: 'one plan holding at most N bytes at once (a snapshot costs the bytes of its state)',
        default: 'the whole curve',
      },
      bytes: {
        type: 'boolean',
        help: 'budgets and the memory axis in bytes (the default for programs with vector or matrix variables)',
      },
      strategy: {
        type: 'string',
        value: 'NAME',
        help: checkpointPlanners.names().join(' | '),
        default: 'every strategy on the curve',
      },
      points: {
        type: 'string',
        value: 'N',
        help: 'budgets on the curve (at most 1000), from the least any strategy fits to what store-all holds',
        default: '16',
      },
      ...POINT_OPTIONS,
      ...DATA_OPTION,
      json: { type: 'boolean', help: 'print JSON' },
      svg: {
        type: 'string',
        value: 'FILE',
        help: 'also draw the curve, peak values against recomputation, as an SVG plot; needs vega and vega-lite',
        default: 'no plot',
      },
    } satisfies Record<string, OptionSpec>;
  },
  notes: `counts: advances = constraints recomputed by advances; evaluations = every primitive evaluation
(advances + one re-evaluation per constraint in its reverse step); writes = snapshots stored;
peak values = snapshots + working, at most the budget (the least budget a strategy meets is the
peak of its leanest plan); with --bytes (the default on programs with vector or matrix variables,
where a value is a whole block) budgets and peaks are in bytes, 8 per entry, a snapshot costing the
bytes of its state. Plans of more than ${RUN_LIMIT} evaluations are priced, not run.`,
  async run(positionals, flags, io) {
    const source = onlySource(positionals);
    const snapshots = countFlag('snapshots', flags.snapshots);
    const budgetValues = countFlag('budget', flags.budget);
    const budgetBytes = countFlag('budget-bytes', flags['budget-bytes']);
    if (budgetValues !== undefined && budgetBytes !== undefined)
      throw new LagradError('--budget-bytes', 'give --budget (values) or --budget-bytes, not both');
    const budget = budgetValues ?? budgetBytes;
    if (snapshots !== undefined && budget !== undefined)
      throw new LagradError('--snapshots', 'give --snapshots or --budget, not both');
    const strategy = flags.strategy as string | undefined;
    if (strategy !== undefined) checkpointPlanners.get(strategy);
    if (flags.chain !== undefined) {
      if (source !== undefined) throw new UsageError('usage', 'give a <source> or --chain L, not both');
      const steps = countFlag('chain', flags.chain)!;
      if (budgetBytes !== undefined || flags.bytes)
        throw new LagradError('--budget-bytes', 'a chain is priced in values (8 bytes each); use --budget');
      if (snapshots !== undefined || budget !== undefined)
        return chainPoint(steps, strategy ?? 'revolve', snapshots, budget, flags, io);
      return report(chainCurve(steps, strategy, pointsFlag(flags.points), io), `a chain of ${steps} steps`, flags, io);
    }
    const data = loadData(flags.data as string | undefined, io);
    const program = loadSource(source, io, data?.shapes);
    requireAcyclic(program, 'checkpoint');
    const unit: MemoryUnit =
      budgetBytes !== undefined || flags.bytes || (budgetValues === undefined && program.layout !== null)
        ? 'bytes'
        : 'values';
    const inputs = resolvePoint(program, pointFrom(program, data, parseAt(flags.at as string[] | undefined)));
    const weights = resolveWeights(program, flags.output as string | undefined);
    const run = runner(program, inputs, weights);
    if (snapshots !== undefined || budget !== undefined) {
      const name = strategy ?? (budget !== undefined ? 'budget' : 'revolve');
      const settings: Record<string, number> =
        snapshots !== undefined ? { snapshots } : budgetBytes !== undefined ? { budgetBytes } : { budget: budget! };
      // Priced first; run (and checked against reverse) when that is quick, else replayed without numerics.
      const planned = configure(program, { strategy: name, ...settings, maxEvaluations: Infinity });
      const measured = planned.evaluations <= RUN_LIMIT ? run(name, settings) : null;
      const costs = measured
        ? costsOf(measured.stats)
        : costsOfPlan(ledger(planned.plan, planned.stages, stageShape(program, planned.stages)));
      const result = {
        constraints: program.constraintCount,
        ...settings,
        strategy: name,
        ...costs,
        gradientError: measured ? measured.error : 'not run',
      };
      io.out(flags.json ? json(result) + '\n' : fields(result) + '\n');
      return 0;
    }
    const rows = programCurve(program, run, strategy, pointsFlag(flags.points), io, unit);
    return report(rows, source ?? 'program', flags, io, program.constraintCount, unit);
  },
};

/** One plan on a chain: `{"steps", "snapshots", "strategy", "advances", "evaluations", "peakSnapshots", …}`. */
function chainPoint(
  steps: number,
  name: string,
  snapshots: number | undefined,
  budget: number | undefined,
  flags: Flags,
  io: Io,
): number {
  const planner = chainPlanner(name);
  const costs = closedForm(() =>
    snapshots !== undefined ? planner.chain!(steps, snapshots) : planner.chainWithin!(steps, budget!),
  );
  if (costs === null)
    throw new LagradError('--budget', `no ${name} plan of a ${steps}-step chain holds at most ${budget} values`);
  const result = {
    steps,
    ...(snapshots !== undefined ? { snapshots } : { budget }),
    strategy: name,
    advances: costs.advances,
    evaluations: costs.evaluations,
    peakSnapshots: costs.peakSnapshots,
    writes: costs.writes,
    peakValues: costs.peakValues,
    peakBytes: costs.peakBytes,
  };
  io.out(flags.json ? json(result) + '\n' : fields(result) + '\n');
  return 0;
}

/** Prints the curve as a table or JSON, and draws it with --svg. */
async function report(
  rows: Row[],
  title: string,
  flags: Flags,
  io: Io,
  constraints?: number,
  unit: MemoryUnit = 'values',
): Promise<number> {
  const fitting = rows.filter((r) => r.fits);
  if (flags.json) {
    const head = constraints === undefined ? { steps: Number(flags.chain) } : { source: title, constraints, unit };
    io.out(json({ ...head, points: rows }) + '\n');
  } else {
    const bytes = unit === 'bytes';
    const header = [
      'budget',
      'strategy',
      'evaluations',
      '×forward',
      'advances',
      'snapshots',
      'writes',
      'peak values',
      ...(bytes ? ['peak bytes'] : []),
      ...(constraints === undefined ? [] : ['gradient Δ']),
    ];
    const cells = rows.map((r) =>
      r.fits
        ? [
            r.budget,
            r.strategy,
            r.evaluations,
            Number(r.recomputation.toFixed(3)),
            r.advances,
            r.peakSnapshots,
            r.writes,
            r.peakValues,
            ...(bytes ? [r.peakBytes ?? ''] : []),
            ...(constraints === undefined ? [] : [r.gradientError?.toExponential(1) ?? 'not run']),
          ]
        : [r.budget, r.strategy, 'does not fit'],
    );
    io.out(
      `${title}: recomputation against memory (budgets in ${unit} held at once)\n${table([header, ...cells], '  ')}\n`,
    );
  }
  const svg = flags.svg as string | undefined;
  if (svg !== undefined) {
    io.writeFile(svg, await curveSvg(fitting, `lagrad tradeoff: ${title}`, unit));
    if (!flags.json) io.out(`plot: ${svg}\n`);
  }
  return 0;
}

/** A flat record as two aligned columns. */
function fields(record: Record<string, string | number | undefined>): string {
  return table(Object.entries(record).map(([key, value]) => [key, value ?? '']));
}

/** The most budgets on a curve: more would not be read, and each is planned (and run, on a program). */
const MOST_POINTS = 1000;

/** `--points N`: 16 by default, at most MOST_POINTS. */
function pointsFlag(value: unknown): number {
  const points = countFlag('points', value) ?? 16;
  if (points > MOST_POINTS) throw new LagradError('--points', `must be at most ${MOST_POINTS}, got ${points}`);
  return points;
}

/** A count flag: an integer ≥ 1, or one line naming the flag. */
function countFlag(flag: string, value: unknown): number | undefined {
  const x = numberFlag(flag, value as string | undefined);
  if (x === undefined) return undefined;
  if (!Number.isSafeInteger(x) || x < 1) throw new LagradError(`--${flag}`, `must be an integer ≥ 1, got ${value}`);
  return x;
}
