import type { Problem, Schedule, ScheduleOptions, Solution } from '../src/schedule/schedule.ts';
import { BLOCK_SETTINGS, reverse } from './reverse.ts';

/**
 * The default, and an alias of `reverse`, which it reports as the schedule that did the work:
 * backprop on acyclic programs, block-reverse (reverse over the condensation, one inner solve per
 * cyclic component) on cyclic ones. It does not choose among schedules, because the objective is
 * one number (Σ_o w_o v_o): one reverse sweep gives the whole gradient and every multiplier in
 * O(N + E), while forward mode needs ⌈inputs / lanes⌉ sweeps and more for the multipliers, so it
 * can win only a constant factor on programs with a handful of inputs, and would then return no
 * multipliers of intermediates; the memory-bounded `checkpoint` needs a budget that only the
 * caller knows.
 */
export const auto: Schedule<typeof BLOCK_SETTINGS> = {
  name: 'auto',
  summary: 'the default: an alias of reverse (backprop; block-reverse on cyclic programs)',
  settings: BLOCK_SETTINGS,
  solve(problem: Problem, options?: ScheduleOptions): Solution {
    return { ...reverse.solve(problem, options), schedule: reverse.name };
  },
};
