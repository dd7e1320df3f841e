import { ScheduleTable, type Schedule } from '../src/schedule/schedule.ts';
import type { GivenSettings } from '../src/schedule/settings.ts';
import { auto } from './auto.ts';
import { checkpoint } from './checkpoint/checkpoint.ts';
import { compiled } from './compiled.ts';
import { dense } from './dense.ts';
import { dual } from './dual.ts';
import { fd } from './fd.ts';
import { forward } from './forward.ts';
import { iterative } from './iterative/iterative.ts';
import { paths } from './paths.ts';
import { reverse } from './reverse.ts';

// The built-in schedules, and the table that `grad`, `verify` and the CLI resolve names in by
// default. Nothing is registered by importing a file: the table is built here from this list.

export { auto, reverse, compiled, forward, dense, paths, fd, iterative, dual, checkpoint };
export { ITERATIVE_METHODS, type IterativeMethod } from './iterative/iterative.ts';
export { DUAL_METHODS, type DualMethod } from './dual.ts';
export { checkpointPlanners, builtinPlanners } from './checkpoint/planners.ts';

const builtins = [auto, reverse, compiled, forward, dense, paths, fd, iterative, dual, checkpoint] as const;

/** Every built-in schedule, in the order `--help` lists them. */
export const builtinSchedules: readonly Schedule[] = builtins;

/** The settings of the built-in schedules, typed, as `grad` and `verify` take them (`{ lanes: 4 }`). */
export type BuiltinSettings = GivenSettings<SettingsOf<(typeof builtins)[number]>>;
type SettingsOf<S> = S extends Schedule<infer L> ? L : never;

/** The default table: the built-in schedules by name. `register` adds one for every caller that uses it. */
export const defaultSchedules = new ScheduleTable(builtinSchedules);
