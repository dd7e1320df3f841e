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

/**
 * Refuses a program with vector or matrix variables for a schedule that runs on scalars only
 * (checkpointing and the iterative methods, until they learn blocks).
 */
export function requireScalars(program: Program, schedule: string): void {
  if (program.layout === null) return;
  throw new LagradError(
    `schedule '${schedule}'`,
    'does not run on vector or matrix variables yet; use reverse (or forward, dense, paths, fd)',
  );
}

/** Refuses a program with vector or matrix variables for an API that gives one number per input and output (jvp, jacobian). */
export function requireScalarVariables(program: Program, what: string): void {
  if (program.layout === null) return;
  throw new LagradError(
    what,
    'gives one number per input and output; this program has vector or matrix variables: use grad, or vjp with a block of weights',
  );
}

/** Refuses a cyclic program for a schedule that needs an order, naming the variables of a cycle. */
export function requireAcyclic(program: Program, schedule: string): void {
  if (!program.cyclic) return;
  throw new LagradError(
    `schedule '${schedule}'`,
    `the program is cyclic (a cycle through ${cycleMembers(program, 0)}); back-substitution needs an acyclic program — use schedule auto or iterative`,
  );
}
