import { ComponentAdjointOperator } from '../../src/lagrangian/blockOperator.ts';
import { componentError, failure, Monitor, Verdict } from '../../src/lagrangian/convergence.ts';
import { DEFAULT_RESTART, gmres } from '../../src/lagrangian/gmres.ts';
import type { BlockSolve } from '../blockReverse.ts';

/**
 * One component's multipliers by restarted GMRES on (I − J_CC)ᵀx = b from x = 0, each product
 * (I − J_CC)ᵀy one reverse sweep over the component's range. Where the fixed-point iteration
 * contracts slowly (spectral radius of J_CC near 1) GMRES needs far fewer products: it minimizes the
 * residual over the whole Krylov space rather than taking the last iterate.
 * Residual: |b − (I − J_CC)ᵀx|₂, scale |b|₂.
 */
export const adjointGmres: BlockSolve = ({ program, values, settings, stats, history, restart }, start, end, b, x) => {
  x.fill(0);
  const monitor = new Monitor(settings.tolerance, settings.maxIterations);
  const { verdict, matvecs } = gmres(new ComponentAdjointOperator(program, values, start, end, stats), b, x, monitor, restart ?? DEFAULT_RESTART);
  stats.matvecs = (stats.matvecs ?? 0) + matvecs;
  monitor.tally(stats);
  history?.push(monitor.record(program, 'multipliers', 'gmres', start, end, verdict === Verdict.Converged));
  if (verdict !== Verdict.Converged) throw componentError(program, start, end, failure(verdict, monitor, 'GMRES on the multipliers', 'iteration', settings.maxIterations));
};
