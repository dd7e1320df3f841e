import { UsageError } from '../error.ts';
import { checked, type Schedule, type ScheduleTable } from '../schedule/schedule.ts';
import { requireOptions } from '../schedule/settings.ts';
import { show } from './point.ts';

/**
 * The schedule a call asks for: an object as given, a name looked up in `table`, or `fallback` when
 * none is given. Without a table (the `lagrad/core` entry) a name is an error that says how to pass
 * the schedule itself, so that a bundle holds only the schedules it imports. A Schedule object is
 * `checked` (schedule.ts), as every table's entries are.
 */
export function chooseSchedule(
  choice: string | Schedule | undefined,
  table: ScheduleTable | undefined,
  fallback: Schedule,
): Schedule {
  if (choice === undefined) return fallback;
  if (typeof choice === 'string') {
    if (table) return table.get(choice);
    throw new UsageError(
      `schedule '${choice}'`,
      "names need a table here: import the schedule object from 'lagrad/core' and pass it ({ schedule: reverse }), pass { table }, or use the 'lagrad' entry, which knows every built-in name",
    );
  }
  if (typeof choice !== 'object' || choice === null || typeof (choice as Partial<Schedule>).solve !== 'function') {
    throw new UsageError('schedule', `${show(choice)} is neither a schedule name nor a Schedule object`);
  }
  // A schedule of one's own passes the same boundary as the built-in ones: no non-finite answer.
  return checked(choice);
}

/** The table a call's names resolve in: its `table` option, else `fallback`; options that are not an object are an error. */
export function tableOf(
  options: { readonly table?: ScheduleTable } | undefined,
  fallback: ScheduleTable,
): ScheduleTable {
  requireOptions(options);
  return options?.table ?? fallback;
}
