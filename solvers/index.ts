// The package entry: the core API of src/ with the built-in schedules registered in the
// process-wide table, so `grad(program, at, { schedule: 'forward' })` finds them by name.
// (src/ never imports solvers/; this file is where the two meet.)
import { checkpointPlanners, schedules, type Schedule } from '../src/index.ts';
import { auto } from './auto.ts';
import { builtinPlanners } from './checkpoint/planners.ts';
import { checkpoint } from './checkpoint/schedule.ts';
import { dense } from './dense.ts';
import { fd } from './fd.ts';
import { forward } from './forward.ts';
import { iterative } from './iterative/index.ts';
import { paths } from './paths.ts';
import { reverse } from './reverse.ts';

export * from '../src/index.ts';
export { auto, forward, reverse };
export { dense, paths, fd };
export { iterative, ITERATIVE_METHODS, type IterativeMethod } from './iterative/index.ts';
export { blockReverse, type BlockMethod } from './blockReverse.ts';
export { checkpoint, checkpointGrad, type CheckpointGradOptions } from './checkpoint/schedule.ts';
export { builtinPlanners } from './checkpoint/planners.ts';

/** Every built-in schedule, in the order `--help` lists them. */
export const builtinSchedules: readonly Schedule[] = [auto, reverse, forward, dense, paths, fd, iterative, checkpoint];

for (const schedule of builtinSchedules) schedules.register(schedule);
for (const planner of builtinPlanners) checkpointPlanners.register(planner);
