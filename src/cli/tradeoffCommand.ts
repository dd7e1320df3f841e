// Why one file of 430+ lines: One command: its flags, the curve and the curve's three outputs (table, JSON, SVG).
import { resolvePoint, resolveWeights } from '../api/point.ts';
import type { CheckpointCosts, CheckpointPlanner } from '../../solvers/checkpoint/planner.ts';
import { ledger } from '../../solvers/checkpoint/ledger.ts';
import { checkpointPlanners } from '../../solvers/checkpoint/planners.ts';
import { stageShape, type MemoryUnit } from '../../solvers/checkpoint/stages.ts';
import { configure } from '../../solvers/checkpoint/strategies.ts';
import { LagradError, UsageError } from '../error.ts';
import { requireAcyclic } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, Flags, OptionSpec } from './command.ts';
import { DATA_OPTION, loadData, pointFrom } from './data.ts';
import { json, table } from './format.ts';
import type { Io } from './io.ts';
import { curveSvg, type CurvePoint } from './plot.ts';
import { progress } from './progress.ts';
import { loadSource, numberFlag, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

// `lagrad tradeoff`: what each checkpointing strategy recomputes and holds, counted exactly.
// On a chain (--chain L) from the planners' closed forms, without numerics; on a program by
// running the `checkpoint` schedule at each budget, so every figure is counted as the work is done
// and every gradient is checked against plain reverse (plans of more than RUN_LIMIT evaluations are
// replayed without numerics instead: the same counts, no gradient check).

/** A row of the curve: a strategy at a budget of values, with its costs, or `fits: false`. */
interface Row extends CurvePoint {
  readonly fits: boolean;
  readonly advances: number;
  readonly peakSnapshots: number;
  /** Snapshots written (store actions). */
  readonly writes: number;
  /** Largest |Δλ_x| / max |λ_x| against reverse (programs, when the plan was run). */
  readonly gradientError?: number;
}

/** Plans costing more primitive evaluations than this are replayed without numerics, not run. */
const RUN_LIMIT = 20_000_000;

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

function chainCurve(steps: number, strategy: string | undefined, points: number, io: Io): Row[] {
  const planners =
    strategy !== undefined ? [chainPlanner(strategy)] : checkpointPlanners.list().filter((p) => p.chainWithin);
  const budgets = grid(Math.min(3, steps + 1), steps + 1, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      rows.push(
        row(
          budget,
          planner.name,
          closedForm(() => planner.chainWithin!(steps, budget)),
          steps,
        ),
      );
      bar.tick();
    }
  }
  bar.stop();
  return rows;
}

type Run = (strategy: string, settings: Record<string, number>) => { stats: Stats; error: number };

/** Runs the checkpoint schedule and measures its gradient against plain reverse's. */
function runner(program: Program, inputs: Float64Array, weights: Float64Array): Run {
  const problem = { program, inputs, weights };
  const reference = schedules.get('reverse').solve(problem).gradient;
  let scale = 0;
  for (const g of reference) scale = Math.max(scale, Math.abs(g));
  return (strategy, settings) => {
    const solution = schedules.get('checkpoint').solve(problem, { strategy, ...settings });
    let error = 0;
    for (let k = 0; k < reference.length; k++) error = Math.max(error, Math.abs(solution.gradient[k] - reference[k]));
    return { stats: solution.stats, error: scale > 0 ? error / scale : error };
  };
}

function programCurve(
  program: Program,
  run: Run,
  strategy: string | undefined,
  points: number,
  io: Io,
  unit: MemoryUnit,
): Row[] {
  const planners = strategy !== undefined ? [checkpointPlanners.get(strategy)] : checkpointPlanners.list();
  const m = program.constraintCount;
  const peak = (c: CheckpointCosts | null) => (c === null ? 1 : unit === 'bytes' ? c.peakBytes : c.peakValues);
  // From the least budget any strategy meets to the most any needs when unconstrained.
  let hi = 1;
  for (const p of planners) hi = Math.max(hi, peak(p.within(program, Number.MAX_SAFE_INTEGER, unit)));
  let lo = hi;
  for (const p of planners) lo = Math.min(lo, leastBudget(program, p, hi, unit));
  const budgets = grid(lo, hi, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      const planned = planner.within(program, budget, unit);
      if (planned === null || planned.evaluations > RUN_LIMIT) {
        // Too long to run: the replayed counts, which the executor's equal (test/checkpoint.test.ts).
        rows.push(row(budget, planner.name, planned, m));
      } else {
        const { stats, error } = run(planner.name, unit === 'bytes' ? { budgetBytes: budget } : { budget });
        rows.push({
          ...row(budget, planner.name, null, m),
          fits: true,
          ...costsOf(stats),
          recomputation: stats.primitiveEvaluations / Math.max(m, 1),
          gradientError: error,
        });
      }
      bar.tick();
    }
  }
  bar.stop();
  return rows;
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

function row(budget: number, strategy: string, costs: CheckpointCosts | null, forward: number): Row {
  if (costs === null)
    return {
      budget,
      strategy,
      fits: false,
      advances: 0,
      evaluations: 0,
      recomputation: 0,
      peakSnapshots: 0,
      writes: 0,
      peakValues: 0,
    };
  return {
    budget,
    strategy,
    fits: true,
    ...costsOfPlan(costs),
    recomputation: costs.evaluations / Math.max(forward, 1),
  };
}

/** The counted costs of a run, under the names of the curve. */
function costsOf(stats: Stats) {
  return {
    advances: stats.advances,
    evaluations: stats.primitiveEvaluations,
    peakSnapshots: stats.peakSnapshots,
    writes: stats.writes,
    peakValues: stats.peakValues,
    peakBytes: stats.peakBytes,
  };
}

/** The replayed costs of a plan, under the same names. */
function costsOfPlan(costs: CheckpointCosts) {
  return {
    advances: costs.advances,
    evaluations: costs.evaluations,
    peakSnapshots: costs.peakSnapshots,
    writes: costs.writes,
    peakValues: costs.peakValues,
    peakBytes: costs.peakBytes,
  };
}

/** The least budget within [1, hi] a planner meets (fitting only gets easier with more budget). */
function leastBudget(program: Program, planner: CheckpointPlanner, hi: number, unit: MemoryUnit): number {
  if (planner.within(program, hi, unit) === null) return hi;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (planner.within(program, mid, unit) === null) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function chainPlanner(name: string): CheckpointPlanner {
  const planner = checkpointPlanners.get(name);
  if (planner.chain && planner.chainWithin) return planner;
  const chained = checkpointPlanners
    .list()
    .filter((p) => p.chain)
    .map((p) => p.name);
  throw new LagradError(
    '--strategy',
    `'${name}' plans programs, not chains by a snapshot count; on a chain use ${chained.join(', ')}`,
  );
}

/** Closed forms refuse counts past 2⁵³ with a RangeError: one line naming the flag. */
function closedForm<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof RangeError) throw new LagradError('--chain', e.message);
    throw e;
  }
}

/** A flat record as two aligned columns. */
function fields(record: Record<string, string | number | undefined>): string {
  return table(Object.entries(record).map(([key, value]) => [key, value ?? '']));
}

/** About n integers from lo to hi, spaced evenly on a log scale, both ends included. */
function grid(lo: number, hi: number, n: number): number[] {
  const budgets = new Set<number>([lo]);
  for (let i = 1; i < n; i++) budgets.add(Math.round(lo * Math.pow(hi / lo, i / (n - 1))));
  budgets.add(hi);
  return [...budgets].sort((x, y) => x - y);
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
