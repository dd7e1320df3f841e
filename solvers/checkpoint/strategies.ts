import type { CheckpointCosts } from './planner.ts';
import { LagradError } from '../../src/error.ts';
import type { Program } from '../../src/program/program.ts';
import { renamed, type Plan } from './actions.ts';
import { budgetPlan } from './budget.ts';
import { EXACT_STAGES, ledger, mostSlotsWithin } from './ledger.ts';
import { revolvePlan } from './revolve.ts';
import { stageShape, uniformStages, type Stages } from './stages.ts';
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
}

/** What the executor runs: the program cut into stages and a plan over them. */
export interface Configuration {
  readonly strategy: StrategyName;
  readonly stages: Stages;
  readonly plan: Plan;
}

/**
 * The stages and plan for a strategy and its settings; bad settings or a budget the strategy cannot
 * meet are one-line errors naming the flag. Strategy defaults to `budget` when a budget is given,
 * else `revolve`; revolve's snapshots default to ⌈log₂(N + 1)⌉.
 */
export function configure(program: Program, settings: CheckpointSettings): Configuration {
  const budget = positiveInteger('--budget', settings.budget);
  const snapshots = positiveInteger('--snapshots', settings.snapshots);
  if (budget !== undefined && snapshots !== undefined) throw new LagradError('--snapshots', 'give --snapshots or --budget, not both');
  const strategy = strategyName(settings.strategy ?? (budget !== undefined ? 'budget' : 'revolve'));
  if (budget !== undefined) {
    const fitted = fit(program, strategy, budget);
    if (fitted === null) throw new LagradError('--budget', `no ${strategy} plan holds at most ${budget} values here (the smallest needs ${smallestBudget(program, strategy)}); raise the budget`);
    return fitted;
  }
  const constraints = program.size - program.inputCount;
  switch (strategy) {
    case 'store-all':
      return storeAll(program);
    case 'sqrt':
      return sqrt(program, snapshots === undefined ? Math.ceil(Math.sqrt(constraints)) : Math.ceil(constraints / (snapshots + 1)));
    case 'revolve':
      return revolve(program, snapshots ?? Math.max(1, Math.ceil(Math.log2(constraints + 1))));
    case 'budget':
      throw new LagradError('--strategy budget', 'needs --budget N, the most values to hold at once');
  }
}

/** The strategy's configuration holding at most `budget` values (counted by ledger.ts), or null. */
export function fit(program: Program, strategy: StrategyName, budget: number): Configuration | null {
  const constraints = program.size - program.inputCount;
  switch (strategy) {
    case 'store-all': {
      const c = storeAll(program);
      return peakOf(program, c) <= budget ? c : null;
    }
    case 'sqrt': {
      let best: { configuration: Configuration; evaluations: number } | null = null;
      for (const candidate of sqrtCandidates(program)) {
        if (candidate.costs.peakValues > budget) continue;
        if (best === null || candidate.costs.evaluations < best.evaluations) best = { configuration: candidate.configuration, evaluations: candidate.costs.evaluations };
      }
      return best && best.configuration;
    }
    case 'revolve': {
      // c·M + W ≤ budget (c snapshots of at most M values, a one-constraint stage with its state)
      // guarantees a fit; the exact replay then finds how many more slots still fit.
      const stages = uniformStages(program, 1);
      const shape = stageShape(program, stages, stages.count <= EXACT_STAGES);
      if (shape.working > budget) return null;
      const bound = shape.maxLive === 0 ? constraints : Math.floor((budget - shape.working) / shape.maxLive);
      if (bound < 1 && constraints >= 2) return null;
      const slots = shape.live ? mostSlotsWithin(stages, shape, budget, Math.max(bound, 1), (c) => revolvePlan(stages.count, c)) : bound;
      return revolve(program, Math.max(slots, 1));
    }
    case 'budget': {
      const planned = budgetPlan(program, budget);
      return planned && { strategy: 'budget', ...planned };
    }
  }
}

function storeAll(program: Program): Configuration {
  const stages = uniformStages(program, Math.max(program.size - program.inputCount, 1));
  return { strategy: 'store-all', stages, plan: storeAllPlan(stages.count) };
}

function sqrt(program: Program, length: number): Configuration {
  const stages = uniformStages(program, Math.max(length, 1));
  return { strategy: 'sqrt', stages, plan: renamed(storeAllPlan(stages.count), 'sqrt') };
}

function revolve(program: Program, snapshots: number): Configuration {
  const stages = uniformStages(program, 1);
  return { strategy: 'revolve', stages, plan: revolvePlan(stages.count, snapshots) };
}

/** sqrt with segment lengths on a geometric grid (ratio 1.25), each with its ledger. */
function sqrtCandidates(program: Program): { configuration: Configuration; costs: CheckpointCosts }[] {
  const constraints = program.size - program.inputCount;
  const candidates = [];
  for (let k = 1; k <= Math.max(constraints, 1); k = Math.max(k + 1, Math.floor(k * 1.25))) {
    const configuration = sqrt(program, k);
    candidates.push({ configuration, costs: ledger(configuration.plan, configuration.stages, stageShape(program, configuration.stages)) });
  }
  return candidates;
}

function peakOf(program: Program, c: Configuration): number {
  return ledger(c.plan, c.stages, stageShape(program, c.stages)).peakValues;
}

/** The least budget a strategy can meet on this program (for the error message). */
function smallestBudget(program: Program, strategy: StrategyName): number {
  if (strategy === 'store-all') return peakOf(program, storeAll(program));
  if (strategy === 'sqrt') return Math.min(...sqrtCandidates(program).map((c) => c.costs.peakValues));
  const { maxLive, working } = stageShape(program, uniformStages(program, 1), false);
  return working + (program.size - program.inputCount >= 2 ? maxLive : 0);
}

function strategyName(name: unknown): StrategyName {
  if (typeof name === 'string' && (STRATEGIES as readonly string[]).includes(name)) return name as StrategyName;
  throw new LagradError('--strategy', `unknown strategy '${String(name)}'; choose one of ${STRATEGIES.join(', ')}`);
}

function positiveInteger(flag: string, x: unknown): number | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) throw new LagradError(flag, `must be an integer ≥ 1, got ${String(x)}`);
  return x;
}
