import { checked, type Problem, type Schedule, type ScheduleOptions, type Solution } from '../src/schedule/schedule.ts';
import { inPlace } from '../src/schedule/inPlace.ts';
import { BLOCK_SETTINGS, reverse, reverseInPlace } from './reverse.ts';

/**
 * The default, and an alias of `reverse`, which it reports as the schedule that did the work:
 * backprop on acyclic programs, block-reverse (reverse over the condensation, one inner solve per
 * cyclic component) on cyclic ones. It does not choose among schedules, because the objective is
 * one number (Σ_o w_o v_o): one reverse sweep gives the whole gradient and every multiplier in
 * O(N + E), while forward mode needs ⌈inputs / lanes⌉ sweeps and more for the multipliers. Measured
 * on a chain of 10⁶ sines (best of 7, one run): forward takes 1.15× reverse's time with one input,
 * 1.7× with 8 and 8× with 64 — it never wins, and it would return no multipliers of intermediates.
 * The memory-bounded `checkpoint` needs a budget that only the caller knows.
 */
export const auto: Schedule<typeof BLOCK_SETTINGS> = inPlace(
  checked({
    name: 'auto',
    summary: 'the default: an alias of reverse (backprop; block-reverse on cyclic programs)',
    settings: BLOCK_SETTINGS,
    solve(problem: Problem, options?: ScheduleOptions): Solution {
      // reverse's boundary has checked what it returns (finite), so auto's does not scan it again.
      const { values, lambda, gradient, stats, convergence, finite } = reverse.solve(problem, options);
      return { values, lambda, gradient, stats, convergence, finite, schedule: reverse.name };
    },
  }),
  reverseInPlace,
);
