// The package entry: the core API of src/ with the built-in schedules registered in the
// process-wide table, so `grad(program, at, { schedule: 'forward' })` finds them by name.
// (src/ never imports solvers/; this file is where the two meet.)
import { schedules, type Schedule } from '../src/index.ts';
import { auto } from './auto.ts';
import { dense } from './dense.ts';
import { fd } from './fd.ts';
import { forward } from './forward.ts';
import { paths } from './paths.ts';
import { reverse } from './reverse.ts';

export * from '../src/index.ts';
export { auto, forward, reverse };
export { dense, paths, fd };

/** Every built-in schedule, in the order `--help` lists them. */
export const builtinSchedules: readonly Schedule[] = [auto, reverse, forward, dense, paths, fd];

for (const schedule of builtinSchedules) schedules.register(schedule);
