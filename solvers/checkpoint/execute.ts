import { InternalError } from '../../src/error.ts';
import type { Program } from '../../src/program/program.ts';
import type { Plan } from './actions.ts';
import { BlockExecutor } from './blockExecutor.ts';
import { Costs, type Sizes } from './costs.ts';
import type { ExecuteOptions, Execution } from './executor.ts';
import { replay, type PlanObserver } from './replay.ts';
import { RingExecutor, ringFor } from './ringExecutor.ts';
import { Invariants } from './simulate.ts';
import { stageShape, type Stages } from './stages.ts';
import { WindowExecutor } from './windowExecutor.ts';

export { PROGRESS_EVERY, type ExecuteOptions, type Execution } from './executor.ts';

// The executor: the numerics of a plan (actions.ts) over a program cut into stages (stages.ts),
// solving (I − J)ᵀλ = w with the generated kernels while holding only what the plan says to hold.
// It is one observer of the replay (replay.ts), after the simulator's checks (when asked for) and
// before the costs, which count what it holds (costs.ts): it writes the size of each state it
// reaches into the batch, and its stages and working frame give the other sizes. No array of N
// values exists. Two executors do the numerics:
//
//   ringExecutor.ts    stages of one constraint on a program of narrow liveness (a chain): values
//                      and multipliers in rings of slots j & m, the program's own arrays swept in
//                      place, an advance of k steps in one kernel call;
//   windowExecutor.ts  every other scalar program: a window of the program (Frame) holding a
//                      state and the constraints of a sweep, renumbered;
//   blockExecutor.ts   programs with vector and matrix variables: the block rules on a slab of
//                      inputs, state and one stage, states counted in values and in bytes.
//
// Both give the values and multipliers of plain reverse, bit for bit, and count the same.

/**
 * Runs `plan` over `stages` of an acyclic program at `inputs`, objective Σ_o w_o v_o: the values
 * and multipliers are those of plain reverse (same kernels, same order of additions), the memory
 * that of the plan. With `check`, a plan that breaks the state model of actions.ts is a PlanError
 * naming the action.
 */
export function execute(
  program: Program,
  stages: Stages,
  plan: Plan,
  inputs: Float64Array,
  weights: Float64Array,
  options: ExecuteOptions = {},
): Execution {
  if (plan.steps !== stages.count)
    throw new InternalError('checkpoint', `a plan of ${plan.steps} steps cannot run over ${stages.count} stages`);
  const executor = executorFor(program, stages, plan.slots, inputs, weights, options);
  const costs = new Costs(stages, executor.sizes, plan.slots);
  replay(plan, options.check ? [new Invariants(plan.steps, plan.slots), executor, costs] : [executor, costs]);
  Object.assign(executor.stats, {
    advances: costs.advances,
    writes: costs.writes,
    restores: costs.restores,
    peakSnapshots: costs.peakSnapshots,
    ...costs.memory(),
    stages: stages.count,
    slots: plan.slots,
  });
  return executor.result();
}

/** What execute needs of an executor: it observes the replay, says what the costs charge, and gives the result. */
interface Running extends PlanObserver {
  readonly sizes: Sizes;
  readonly stats: Execution['stats'];
  result(): Execution;
}

function executorFor(
  program: Program,
  stages: Stages,
  slots: number,
  inputs: Float64Array,
  weights: Float64Array,
  options: ExecuteOptions,
): Running {
  if (program.layout !== null) return new BlockExecutor(program, stages, slots, inputs, weights, options);
  if (stages.unit && options.ring !== false) {
    const shape = stageShape(program, stages, false);
    const ring = ringFor(program, shape.working);
    if (ring !== null)
      return new RingExecutor(program, stages, slots, inputs, weights, options, shape.working, shape.maxLive, ring);
  }
  return new WindowExecutor(program, stages, slots, inputs, weights, options);
}
