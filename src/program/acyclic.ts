import { LagradError } from '../error.ts';
import type { Program } from './program.ts';

/** The variables of cyclic component k, by name where they have one: `v, c, d`. */
export function cycleMembers(program: Program, k: number, most = 6): string {
  const [start, end] = program.components()[k];
  const named: string[] = [];
  for (let i = start; i < end && named.length < most; i++) {
    const name = program.nameOf(i);
    if (name !== undefined) named.push(name);
  }
  const unnamed = end - start - named.length;
  if (named.length === 0) return `${program.label(start)}…${program.label(end - 1)}`;
  return named.join(', ') + (end - start > named.length ? ` (+${unnamed} unnamed)` : '');
}

/** Refuses a cyclic program for a schedule that needs an order, naming the variables of a cycle. */
export function requireAcyclic(program: Program, schedule: string): void {
  if (!program.cyclic) return;
  throw new LagradError(
    `schedule '${schedule}'`,
    `the program is cyclic (a cycle through ${cycleMembers(program, 0)}); back-substitution needs an acyclic program — use schedule auto or iterative`,
  );
}
