import type { CheckpointCosts } from './planner.ts';
import { LagradError } from '../../src/error.ts';
import type { Program } from '../../src/program/program.ts';
import { renamed, type Plan } from './actions.ts';
import { budgetPlan, leastBudgetPeak, place } from './budget.ts';
import { EXACT_STAGES, ledger, mostSlotsWithin, peakIn } from './ledger.ts';
import { firstLive, lastEdges, liveBytes } from './liveness.ts';
import { revolveAdvances, revolvePlan } from './revolve.ts';
import { cutStages, sizesIn, stageShape, uniformStages, type MemoryUnit, type Stages } from './stages.ts';
import { storeAllPlan } from './storeAll.ts';

// From a strategy name and its settings to what the executor runs: the stages and a plan over them.
//
//   store-all  one stage: every value kept from one forward sweep (a tape), no snapshot — exactly
//              plain reverse: N evaluations, N values.
//   sqrt       stages of k constraints, every stage start stored, each stage re-evaluated once with
//              its values kept while it is reversed (Chen, Xu, Zhang & Guestrin 2016): ~2N
//              evaluations, N/k snapshots + k working values; k = ⌈√N⌉, or N/(snapshots + 1).
//   revolve    one stage per constraint, binomial checkpointing with `snapshots` slots (Griewank &
//              Walther 2000): the fewest advances for that many snapshots.
//   budget     stages and slots chosen to hold at most `budget` values (budget.ts).
//
// With `budget` every strategy picks its setting to fit in that many values, or says it cannot.

/** The strategies, in the order `--help` lists them. */
export const STRATEGIES = ['store-all', 'sqrt', 'revolve', 'budget'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface CheckpointSettings {
  readonly strategy?: unknown;
  readonly snapshots?: unknown;
  readonly budget?: unknown;
  /** A budget in bytes instead of values. */
  readonly budgetBytes?: unknown;
  /** Refuse plans of more primitive evaluations than this (default {@link MAX_EVALUATIONS}). */
  readonly maxEvaluations?: unknown;
}

/**
 * The default limit on a plan's primitive evaluations: 10⁹, tens of seconds of work. Few snapshots
 * on a long program cost ~N²/(2c)·… evaluations (revolve with one slot on 10⁵ steps: 5·10⁹), so a plan
 * is priced before it runs and refused above the limit, which `maxEvaluations` (`--max-evaluations`)
 * raises.
 */
export const MAX_EVALUATIONS = 1e9;

/** What the executor runs: the program cut into stages and a plan over them. */
export interface Configuration {
  readonly strategy: StrategyName;
  readonly stages: Stages;
  readonly plan: Plan;
  /**
   * The primitive evaluations the plan will run (advances + every constraint once in its reverse
   * step), priced without running it: exact by closed forms for store-all, sqrt and revolve, and for
   * budget plans the planner's price (exact up to EXACT_STAGES stages, else its estimate).
   */
  readonly evaluations: number;
  /** The setting that chose the plan, for messages: `with 3 snapshots`, `within 40 values`. */
  readonly setting: string;
}

/**
 * The stages and plan for a strategy and its settings; bad settings or a budget the strategy cannot
 * meet are one-line errors naming the flag, and so is a plan of more than `maxEvaluations` primitive
 * evaluations. Strategy defaults to `budget` when a budget is given, else `revolve`; revolve's
 * snapshots default to ⌈log₂(N + 1)⌉.
 */
export function configure(program: Program, settings: CheckpointSettings): Configuration {
  const values = positiveInteger('--budget', settings.budget);
  const bytes = positiveInteger('--budget-bytes', settings.budgetBytes);
  const snapshots = positiveInteger('--snapshots', settings.snapshots);
  const limit = evaluationLimit(settings.maxEvaluations);
  if (values !== undefined && bytes !== undefined)
    throw new LagradError('--budget-bytes', 'give --budget (values) or --budget-bytes, not both');
  const budget = values ?? bytes;
  const unit: MemoryUnit = bytes !== undefined ? 'bytes' : 'values';
  if (budget !== undefined && snapshots !== undefined)
    throw new LagradError(
      '--snapshots',
      `give --snapshots or ${unit === 'bytes' ? '--budget-bytes' : '--budget'}, not both`,
    );
  const strategy = strategyName(settings.strategy ?? (budget !== undefined ? 'budget' : 'revolve'));
  const configuration =
    budget !== undefined ? fitted(program, strategy, budget, unit) : chosen(program, strategy, snapshots);
  if (configuration.evaluations > limit) {
    const constraints = Math.max(program.size - program.inputCount, 1);
    throw new LagradError(
      'checkpoint',
      `${configuration.strategy} ${configuration.setting} would run ${configuration.evaluations} primitive evaluations ` +
        `(${Math.round(configuration.evaluations / constraints)}× the ${constraints} constraints), over the limit of ${limit}; ` +
        `give more snapshots or a larger budget, or raise the limit (--max-evaluations N, or the option maxEvaluations)`,
    );
  }
  return configuration;
}

function fitted(program: Program, strategy: StrategyName, budget: number, unit: MemoryUnit): Configuration {
  const configuration = fit(program, strategy, budget, unit);
  const flag = unit === 'bytes' ? '--budget-bytes' : '--budget';
  if (configuration === null)
    throw new LagradError(
      flag,
      `no ${strategy} plan holds at most ${budget} ${unit} here (the smallest needs ${smallestBudget(program, strategy, unit)}); raise the budget`,
    );
  return configuration;
}

function chosen(program: Program, strategy: StrategyName, snapshots: number | undefined): Configuration {
  const constraints = program.size - program.inputCount;
  switch (strategy) {
    case 'store-all':
      return storeAll(program);
    case 'sqrt':
      return sqrt(
        program,
        snapshots === undefined ? Math.ceil(Math.sqrt(constraints)) : Math.ceil(constraints / (snapshots + 1)),
      );
    case 'revolve':
      return revolve(program, snapshots ?? Math.max(1, Math.ceil(Math.log2(constraints + 1))));
    case 'budget':
      throw new LagradError(
        '--strategy budget',
        'needs --budget N, the most values to hold at once (or --budget-bytes N)',
      );
  }
}

/**
 * The strategy's configuration holding at most `budget` values, or bytes with `unit` 'bytes'
 * (counted by ledger.ts), or null; non-null exactly when budget ≥ smallestBudget(program, strategy,
 * unit), so that the least budget that fits is the peak its plan measures.
 */
export function fit(
  program: Program,
  strategy: StrategyName,
  budget: number,
  unit: MemoryUnit = 'values',
): Configuration | null {
  const within = `within ${budget} ${unit}`;
  switch (strategy) {
    case 'store-all': {
      const c = storeAll(program);
      return peakOf(program, c, unit) <= budget ? c : null;
    }
    case 'sqrt': {
      let best: { configuration: Configuration; evaluations: number } | null = null;
      for (const candidate of sqrtCandidates(program)) {
        if (peakIn(candidate.costs, unit) > budget) continue;
        if (best === null || candidate.costs.evaluations < best.evaluations)
          best = { configuration: candidate.configuration, evaluations: candidate.costs.evaluations };
      }
      return best && { ...best.configuration, setting: within };
    }
    case 'revolve': {
      // One slot, x₀'s, holds the least a revolve plan can (see leastRevolvePeak); c·M + W ≤ budget
      // (c snapshots of at most M, a stage with its state) guarantees c slots fit, and the exact
      // replay then finds how many more still do.
      const stages = revolveStages(program);
      const shape = stageShape(program, stages, stages.count <= EXACT_STAGES);
      const sizes = sizesIn(shape, unit);
      if (leastRevolvePeak(sizes, stages.count) > budget) return null;
      const bound = sizes.maxLive === 0 ? stages.count : Math.floor((budget - sizes.working) / sizes.maxLive);
      const least = Math.max(bound, 1);
      const slots = shape.live
        ? mostSlotsWithin(stages, shape, budget, least, (c) => revolvePlan(stages.count, c), unit)
        : least;
      return { ...revolve(program, slots), setting: within };
    }
    case 'budget': {
      const planned = budgetPlan(program, budget, unit);
      return planned && { strategy: 'budget', ...planned, setting: within };
    }
  }
}

/**
 * The least a revolve plan over stages holds, reached with one slot: x₀ stays in its slot until the
 * end, and the first advance holds the working frame W beside it, so every plan holds |x₀| + W at
 * some instant; with one slot nothing more (each step is reached from x₀ by an advance, then
 * reversed in a frame of at most W). A single stage holds its frame W only; no stage, nothing.
 */
export function leastRevolvePeak(
  shape: { readonly working: number; readonly initial: number },
  stages: number,
): number {
  if (stages === 0) return 0;
  return stages === 1 ? shape.working : shape.initial + shape.working;
}

function storeAll(program: Program): Configuration {
  const stages = uniformStages(program, Math.max(program.size - program.inputCount, 1));
  return {
    strategy: 'store-all',
    stages,
    plan: storeAllPlan(stages.count),
    evaluations: program.size - program.inputCount,
    setting: 'keeping every value',
  };
}

function sqrt(program: Program, length: number): Configuration {
  const stages = uniformStages(program, Math.max(length, 1));
  // Every stage but the last is advanced once, then each is evaluated once more as it is reversed.
  const advanced = stages.count >= 2 ? stages.start(stages.count - 1) - stages.start(0) : 0;
  return {
    strategy: 'sqrt',
    stages,
    plan: renamed(storeAllPlan(stages.count), 'sqrt'),
    evaluations: advanced + program.size - program.inputCount,
    setting: `with segments of ${length}`,
  };
}

function revolve(program: Program, snapshots: number): Configuration {
  const stages = revolveStages(program);
  const plan = revolvePlan(stages.count, snapshots);
  const constraints = program.size - program.inputCount;
  // Advances in steps; in constraints exactly for unit steps, else by the mean step (a price for the limit).
  const advances = revolveAdvances(stages.count, snapshots);
  const evaluations = stages.unit
    ? advances + constraints
    : Math.ceil((advances * constraints) / Math.max(stages.count, 1)) + constraints;
  return {
    strategy: 'revolve',
    stages,
    plan,
    evaluations,
    setting: `with ${snapshots} snapshot${snapshots === 1 ? '' : 's'}`,
  };
}

/**
 * Revolve's steps. On scalars, one per constraint. With vector and matrix variables a state inside
 * a layer can be wider than between layers (an RNN step holds W·h and U·x at once), and every
 * snapshot costs the bytes of its state: so a step is one or two constraints, cut at the narrower
 * state in bytes (budget.ts's placement at T = 2), and an RNN's snapshots are single hidden states.
 */
export function revolveStages(program: Program): Stages {
  if (program.layout === null) return uniformStages(program, 1);
  return cutStages(place(program, liveBytes(program), 2));
}

/** sqrt with segment lengths on a geometric grid (ratio 1.25), each with its ledger. */
function sqrtCandidates(program: Program): { configuration: Configuration; costs: CheckpointCosts }[] {
  const constraints = program.size - program.inputCount;
  const candidates = [];
  for (let k = 1; k <= Math.max(constraints, 1); k = Math.max(k + 1, Math.floor(k * 1.25))) {
    const configuration = sqrt(program, k);
    candidates.push({
      configuration,
      costs: ledger(configuration.plan, configuration.stages, stageShape(program, configuration.stages)),
    });
  }
  return candidates;
}

function peakOf(program: Program, c: Configuration, unit: MemoryUnit): number {
  return peakIn(ledger(c.plan, c.stages, stageShape(program, c.stages)), unit);
}

/** The least budget (in values, or bytes) a strategy meets on this program: what its leanest plan measures. */
export function smallestBudget(program: Program, strategy: StrategyName, unit: MemoryUnit = 'values'): number {
  switch (strategy) {
    case 'store-all':
      return peakOf(program, storeAll(program), unit);
    case 'sqrt':
      return Math.min(...sqrtCandidates(program).map((c) => peakIn(c.costs, unit)));
    case 'revolve': {
      const stages = revolveStages(program);
      return leastRevolvePeak(sizesIn(stageShape(program, stages, false), unit), stages.count);
    }
    case 'budget':
      return leastBudgetPeak(program, unit);
  }
}

function strategyName(name: unknown): StrategyName {
  if (typeof name === 'string' && (STRATEGIES as readonly string[]).includes(name)) return name as StrategyName;
  throw new LagradError('--strategy', `unknown strategy '${String(name)}'; choose one of ${STRATEGIES.join(', ')}`);
}

function positiveInteger(flag: string, x: unknown): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1)
    throw new LagradError(flag, `must be an integer ≥ 1, got ${String(x)}`);
  return x;
}

function evaluationLimit(x: unknown): number {
  if (x === undefined) return MAX_EVALUATIONS;
  if (typeof x !== 'number' || Number.isNaN(x) || x < 1)
    throw new LagradError('--max-evaluations', `must be a number ≥ 1 (Infinity for no limit), got ${String(x)}`);
  return x;
}
