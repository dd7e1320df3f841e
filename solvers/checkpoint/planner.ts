import { UsageError } from '../../src/error.ts';
import { NamedTable } from '../../src/schedule/namedTable.ts';
import type { Program } from '../../src/program/program.ts';

// A checkpointing strategy as `lagrad tradeoff` prices it: the costs of its plans, by replay or in
// closed form, without numerics. The built-in strategies are in planners.ts.

/**
 * The time–space ledger of one checkpointing plan, counted by replaying the plan without numerics
 * (or by closed forms that equal that replay). The `checkpoint` schedule counts the same quantities
 * as it runs: advances, primitiveEvaluations, writes, peakSnapshots, peakSnapshotValues, peakValues,
 * peakBytes.
 */
export interface CheckpointCosts {
  readonly strategy: string;
  /** The steps (stages) the plan reverses: l. */
  readonly stages: number;
  /** The snapshot slots the plan may use (the slot of the initial state included). */
  readonly slots: number;
  /** Constraints evaluated by `advance` actions: the recomputation outside the reverse steps. */
  readonly advances: number;
  /** Every primitive evaluation: advances + each constraint once more inside its reverse step. */
  readonly evaluations: number;
  /** Snapshots written (`store` actions): the cost that matters when snapshots go to slow storage. */
  readonly writes: number;
  /** The most snapshot slots occupied at once. */
  readonly peakSnapshots: number;
  /** The most values held in snapshots at once (a snapshot holds every value still needed later). */
  readonly peakSnapshotValues: number;
  /** The most primal values held at once: snapshots + the current state + the values being evaluated. */
  readonly peakValues: number;
  /** The same in bytes: 8 per scalar value. */
  readonly peakBytes: number;
}

/** A checkpointing strategy as the tradeoff command sees it. */
export interface CheckpointPlanner {
  readonly name: string;
  /** One line for `--help`. */
  readonly summary: string;
  /**
   * The costs on a chain of `steps` steps of one constraint and one value of state each, with
   * `snapshots` slots: in closed form, so a chain of 10⁷ steps costs no more than one of 10.
   * Absent when the strategy does not plan chains by a snapshot count.
   */
  chain?(steps: number, snapshots: number): CheckpointCosts;
  /** The cheapest configuration on that chain holding at most `budget` values; null when none fits. */
  chainWithin?(steps: number, budget: number): CheckpointCosts | null;
  /**
   * The exact costs of the plan the `checkpoint` schedule runs for this strategy under
   * `{ budget }` (or `{ budgetBytes }` with unit 'bytes') on a program; null when no plan of this
   * strategy holds at most `budget` values (bytes).
   */
  within(program: Program, budget: number, unit?: 'values' | 'bytes'): CheckpointCosts | null;
}

/** A name → planner table with loud errors. */
export class PlannerTable extends NamedTable<CheckpointPlanner> {
  constructor(entries: Iterable<CheckpointPlanner> = []) {
    super(
      'strategy',
      entries,
      (name, known) => new UsageError('--strategy', `unknown strategy '${name}'; choose one of ${known}`),
    );
  }
}
