import { resolvePoint, resolveWeights } from '../api/point.ts';
import type { CheckpointCosts, CheckpointPlanner } from '../../solvers/checkpoint/planner.ts';
import { checkpointPlanners } from '../../solvers/checkpoint/planners.ts';
import { LagradError } from '../error.ts';
import { requireAcyclic } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, Flags } from './command.ts';
import { json, table } from './format.ts';
import type { Io } from './io.ts';
import { curveSvg, type CurvePoint } from './plot.ts';
import { progress } from './progress.ts';
import { loadSource, numberFlag, parseAt } from './source.ts';

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
  /** Largest |Δλ_x| / max |λ_x| against reverse (programs, when the plan was run). */
  readonly gradientError?: number;
}

export const tradeoffCommand: Command = {
  name: 'tradeoff',
  summary: 'recomputation against memory of each checkpointing strategy, counted exactly',
  get usage() {
    return `lagrad tradeoff --chain L [--snapshots C | --budget N] [--strategy NAME] [--json] [--svg FILE]
lagrad tradeoff <source> [--at x=2,y=-1] [--snapshots C | --budget N] [--strategy NAME] [--json] [--svg FILE]

  --chain L      a chain of L steps, one value of state each: planned without numerics (closed forms)
  <source>       a .lag file, - for standard input, or an expression: run under each plan
  --snapshots C  one plan with C snapshot slots (default strategy revolve)
  --budget N     one plan holding at most N values at once (default strategy budget)
                 without either: the whole curve, every strategy fitted to budgets from the least
                 that any fits to what store-all holds
  --strategy     ${checkpointPlanners.names().join(' | ') || 'store-all | sqrt | revolve | budget'} (default: all, for the curve)
  --points N     budgets on the curve (default 16, at most 1000)
  --at, --output the point and output, for a program
  --json         print JSON
  --svg FILE     also draw the curve (peak values against recomputation) as an SVG plot

counts: advances = constraints recomputed by advances; evaluations = every primitive evaluation
(advances + one re-evaluation per constraint in its reverse step); peak values = snapshots + working.`;
  },
  options: {
    chain: { type: 'string' },
    snapshots: { type: 'string' },
    budget: { type: 'string' },
    strategy: { type: 'string' },
    points: { type: 'string' },
    at: { type: 'string', multiple: true },
    output: { type: 'string' },
    json: { type: 'boolean' },
    svg: { type: 'string' },
  },
  async run([source], flags, io) {
    const snapshots = countFlag('snapshots', flags.snapshots);
    const budget = countFlag('budget', flags.budget);
    if (snapshots !== undefined && budget !== undefined) throw new LagradError('--snapshots', 'give --snapshots or --budget, not both');
    const strategy = flags.strategy as string | undefined;
    if (strategy !== undefined) checkpointPlanners.get(strategy);
    if (flags.chain !== undefined) {
      if (source !== undefined) throw new LagradError('usage', 'give a <source> or --chain L, not both');
      const steps = countFlag('chain', flags.chain)!;
      if (snapshots !== undefined || budget !== undefined) return chainPoint(steps, strategy ?? 'revolve', snapshots, budget, flags, io);
      return report(chainCurve(steps, strategy, pointsFlag(flags.points), io), `a chain of ${steps} steps`, flags, io);
    }
    const program = loadSource(source, io);
    requireAcyclic(program, 'checkpoint');
    const inputs = resolvePoint(program, parseAt(flags.at as string[] | undefined));
    const weights = resolveWeights(program, flags.output as string | undefined);
    const run = runner(program, inputs, weights);
    if (snapshots !== undefined || budget !== undefined) {
      const name = strategy ?? (budget !== undefined ? 'budget' : 'revolve');
      const { stats, error } = run(name, snapshots !== undefined ? { snapshots } : { budget: budget! });
      const result = { constraints: program.constraintCount, ...(snapshots !== undefined ? { snapshots } : { budget }), strategy: name, ...costsOf(stats), gradientError: error };
      io.out(flags.json ? json(result) + '\n' : fields(result) + '\n');
      return 0;
    }
    const rows = programCurve(program, run, strategy, pointsFlag(flags.points), io);
    return report(rows, source ?? 'program', flags, io, program.constraintCount);
  },
};

/** One plan on a chain: `{"steps", "snapshots", "strategy", "advances", "evaluations", "peakSnapshots", …}`. */
function chainPoint(steps: number, name: string, snapshots: number | undefined, budget: number | undefined, flags: Flags, io: Io): number {
  const planner = chainPlanner(name);
  const costs = closedForm(() => (snapshots !== undefined ? planner.chain!(steps, snapshots) : planner.chainWithin!(steps, budget!)));
  if (costs === null) throw new LagradError('--budget', `no ${name} plan of a ${steps}-step chain holds at most ${budget} values`);
  const result = {
    steps,
    ...(snapshots !== undefined ? { snapshots } : { budget }),
    strategy: name,
    advances: costs.advances,
    evaluations: costs.evaluations,
    peakSnapshots: costs.peakSnapshots,
    peakValues: costs.peakValues,
  };
  io.out(flags.json ? json(result) + '\n' : fields(result) + '\n');
  return 0;
}

function chainCurve(steps: number, strategy: string | undefined, points: number, io: Io): Row[] {
  const planners = strategy !== undefined ? [chainPlanner(strategy)] : checkpointPlanners.list().filter((p) => p.chainWithin);
  const budgets = grid(Math.min(3, steps + 1), steps + 1, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      rows.push(row(budget, planner.name, closedForm(() => planner.chainWithin!(steps, budget)), steps));
      bar.tick();
    }
  }
  bar.stop();
  return rows;
}

/** Plans costing more primitive evaluations than this are replayed without numerics, not run. */
const RUN_LIMIT = 20_000_000;

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

function programCurve(program: Program, run: Run, strategy: string | undefined, points: number, io: Io): Row[] {
  const planners = strategy !== undefined ? [checkpointPlanners.get(strategy)] : checkpointPlanners.list();
  const m = program.constraintCount;
  // From the least budget any strategy meets to the most any needs when unconstrained.
  let hi = 1;
  for (const p of planners) hi = Math.max(hi, p.within(program, Number.MAX_SAFE_INTEGER)?.peakValues ?? 1);
  let lo = hi;
  for (const p of planners) lo = Math.min(lo, leastBudget(program, p, hi));
  const budgets = grid(lo, hi, points);
  const bar = progress(io, budgets.length * planners.length, 'tradeoff');
  const rows: Row[] = [];
  for (const budget of budgets) {
    for (const planner of planners) {
      const planned = planner.within(program, budget);
      if (planned === null || planned.evaluations > RUN_LIMIT) {
        // Too long to run: the replayed counts, which the executor's equal (test/checkpoint.test.ts).
        rows.push(row(budget, planner.name, planned, m));
      } else {
        const { stats, error } = run(planner.name, { budget });
        rows.push({ ...row(budget, planner.name, null, m), fits: true, ...costsOf(stats), recomputation: stats.primitiveEvaluations / Math.max(m, 1), gradientError: error });
      }
      bar.tick();
    }
  }
  bar.stop();
  return rows;
}

/** Prints the curve as a table or JSON, and draws it with --svg. */
async function report(rows: Row[], title: string, flags: Flags, io: Io, constraints?: number): Promise<number> {
  const fitting = rows.filter((r) => r.fits);
  if (flags.json) {
    const head = constraints === undefined ? { steps: Number(flags.chain) } : { source: title, constraints };
    io.out(json({ ...head, points: rows }) + '\n');
  } else {
    const header = ['budget', 'strategy', 'evaluations', '×forward', 'advances', 'snapshots', 'peak values', ...(constraints === undefined ? [] : ['gradient Δ'])];
    const cells = rows.map((r) =>
      r.fits
        ? [r.budget, r.strategy, r.evaluations, Number(r.recomputation.toFixed(3)), r.advances, r.peakSnapshots, r.peakValues, ...(constraints === undefined ? [] : [r.gradientError?.toExponential(1) ?? 'not run'])]
        : [r.budget, r.strategy, 'does not fit'],
    );
    io.out(`${title}: recomputation against memory (budgets in values held at once)\n${table([header, ...cells], '  ')}\n`);
  }
  const svg = flags.svg as string | undefined;
  if (svg !== undefined) {
    io.writeFile(svg, await curveSvg(fitting, `lagrad tradeoff: ${title}`));
    if (!flags.json) io.out(`plot: ${svg}\n`);
  }
  return 0;
}

function row(budget: number, strategy: string, costs: CheckpointCosts | null, forward: number): Row {
  if (costs === null) return { budget, strategy, fits: false, advances: 0, evaluations: 0, recomputation: 0, peakSnapshots: 0, peakValues: 0 };
  return { budget, strategy, fits: true, advances: costs.advances, evaluations: costs.evaluations, recomputation: costs.evaluations / Math.max(forward, 1), peakSnapshots: costs.peakSnapshots, peakValues: costs.peakValues };
}

function costsOf(stats: Stats) {
  return { advances: stats.advances, evaluations: stats.primitiveEvaluations, peakSnapshots: stats.peakSnapshots, peakValues: stats.peakValues };
}

/** The least budget within [1, hi] a planner meets (fitting only gets easier with more budget). */
function leastBudget(program: Program, planner: CheckpointPlanner, hi: number): number {
  if (planner.within(program, hi) === null) return hi;
  let lo = 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (planner.within(program, mid) === null) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function chainPlanner(name: string): CheckpointPlanner {
  const planner = checkpointPlanners.get(name);
  if (planner.chain && planner.chainWithin) return planner;
  const chained = checkpointPlanners.list().filter((p) => p.chain).map((p) => p.name);
  throw new LagradError('--strategy', `'${name}' plans programs, not chains by a snapshot count; on a chain use ${chained.join(', ')}`);
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
