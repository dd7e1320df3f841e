import { formatNumber } from '../numberFormat.ts';
import { checkMemberPartials } from './partialError.ts';
import { componentError, type Convergence, type IterationSettings } from './convergence.ts';
import { ComponentLu, componentMatrix, denseSolveBytes } from './direct.ts';
import type { Program } from '../program/program.ts';
import { enumSetting, integerSetting } from '../schedule/settings.ts';
import { DEFAULT_RESTART } from './gmres.ts';
import { holdBytes, type Stats } from './stats.ts';

/** Setting `restart`: GMRES's Krylov dimension before it restarts. */
export const restart = integerSetting({
  name: 'restart',
  min: 1,
  default: DEFAULT_RESTART,
  help: 'GMRES: Krylov vectors kept before a restart (multipliers of components over 300 members; iterative method gmres)',
});

/** Setting `preconditioner`: what GMRES on a component's multipliers iterates on. */
export const preconditioner = enumSetting({
  name: 'preconditioner',
  values: ['sweep', 'none'],
  default: 'sweep',
  help: "GMRES on one Gauss–Seidel sweep of the component ('sweep') or on the bare system (I − J)ᵀλ = b ('none')",
});

/** The settings of the Krylov solves of components' multipliers. */
export const KRYLOV_SETTINGS = [restart, preconditioner] as const;

/** What an inner solve of one component's multipliers needs besides the component. */
export interface BlockContext {
  readonly program: Program;
  readonly values: Float64Array;
  readonly settings: IterationSettings;
  readonly stats: Stats;
  readonly history?: Convergence[];
  /** Scratch indexed like `values` (one entry per slot), for sweeps that read or write the slab. */
  readonly scratch: Float64Array;
  /** GMRES restart length (default 40). */
  readonly restart?: number;
  /** GMRES on the Gauss–Seidel sweep (default) or on the bare system ('none'). */
  readonly preconditioner?: 'sweep' | 'none';
  /** Bytes of work arrays block-reverse holds around the inner solve (for `solverBytes`). */
  readonly heldBytes?: number;
}

/**
 * Solves (I − J_CC)ᵀ x = b for the multipliers x of the members of component [start, end), where
 * b holds w and everything the rest of the program already sends back to the members.
 */
export type BlockSolve = (context: BlockContext, start: number, end: number, b: Float64Array, x: Float64Array) => void;

/** (I − J_CC)ᵀ x = b by a dense LU (ml-matrix): O(m³), exact to rounding; a singular block is an error. */
export const directSolve: BlockSolve = ({ program, values, stats, heldBytes }, start, end, b, x) => {
  holdBytes(stats, (heldBytes ?? 0) + denseSolveBytes(b.length, program.slotOf(end)));
  const { lu, singular } = ComponentLu.factor(componentMatrix(program, values, start, end, true, undefined, stats));
  stats.partialEvaluations += end - start;
  stats.directSolves = (stats.directSolves ?? 0) + 1;
  let size = 0;
  for (let k = 0; k < b.length; k++) size = Math.max(size, Math.abs(b[k]));
  if (singular) {
    checkMemberPartials(program, values, start, end); // a NaN in I − J is a partial that does not exist, not a singular matrix
    throw componentError(
      program,
      start,
      end,
      `I − J is singular here (pivot ratio ${formatNumber(lu.pivotRatio)}), so its multipliers are not determined; residual |(I − J)ᵀλ − b|∞ = ${formatNumber(size)} left at λ = 0`,
    );
  }
  lu.solve(b, x);
};
