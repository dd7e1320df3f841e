import type { Problem, Schedule, Solution, SolveOptions } from '../src/schedule/schedule.ts';
import { reverse } from './reverse.ts';

/**
 * The default: plain reverse (backprop) on acyclic programs, block-reverse — reverse over the
 * condensation, one inner solve per cyclic component — on cyclic ones. Both are the `reverse`
 * schedule, which branches once on `program.cyclic`; auto reports it as the schedule that worked.
 */
export const auto: Schedule = {
  name: 'auto',
  summary: 'reverse on acyclic programs, block-reverse on cyclic ones (the default)',
  solve(problem: Problem, options?: SolveOptions): Solution {
    const chosen = reverse;
    return { ...chosen.solve(problem, options), schedule: chosen.name };
  },
};
