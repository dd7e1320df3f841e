import type { Problem, Schedule, Solution, SolveOptions } from '../src/schedule.ts';
import { reverse } from './reverse.ts';

/**
 * The default: plain reverse (backprop) on acyclic programs. Reports the schedule it picked.
 */
export const auto: Schedule = {
  name: 'auto',
  summary: 'reverse on acyclic programs (the default)',
  solve(problem: Problem, options?: SolveOptions): Solution {
    const chosen = reverse;
    return { ...chosen.solve(problem, options), schedule: chosen.name };
  },
};
