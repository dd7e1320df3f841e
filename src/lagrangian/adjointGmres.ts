import { ComponentOperator } from './blockOperator.ts';
import { componentError, failure, Monitor, Verdict } from './convergence.ts';
import { DEFAULT_RESTART, gmres, type LinearOperator } from './gmres.ts';
import type { BlockContext, BlockSolve } from './blockSolve.ts';
import { pushSweep } from './adjointFixedPoint.ts';
import { holdBytes } from './stats.ts';

/**
 * One component's multipliers by restarted GMRES, each product one or two sweeps over the
 * component's range. By default GMRES accelerates the fixed-point iteration itself: it solves
 * x = Φ(x), Φ one Gauss–Seidel sweep of (I − J_CC)ᵀx = b (`pushSweep`), i.e. (I − Φ')x = Φ(0), whose
 * solution is the same x. One Gauss–Seidel sweep carries a multiplier along a whole chain of the
 * component, so Φ' has the spectrum of the component's loop rather than of its single constraints,
 * and GMRES minimizes over it where the plain iteration would crawl at a rate near 1. With
 * `preconditioner: 'none'` it is plain GMRES on (I − J_CC)ᵀx = b. Residual: |Φ(0) − (I − Φ')x|₂
 * (|b − (I − J_CC)ᵀx|₂ without preconditioner), scale that of the right-hand side.
 */
export const adjointGmres: BlockSolve = (context, start, end, b, x) => {
  const { program, values, settings, stats, history, restart, scratch } = context;
  const m = b.length;
  const from = program.slotOf(start);
  const plain = new ComponentOperator(program, values, start, end, stats, true);
  let operator: LinearOperator = plain;
  let rhs = b;
  if (context.preconditioner !== 'none') {
    operator = new SweepOperator(context, plain, start, end);
    // Φ(0): one sweep from x = 0, whose residual is b.
    rhs = new Float64Array(m);
    scratch.set(b, from);
    pushSweep(program, values, rhs, from, scratch, start, end, stats, true);
  }
  x.fill(0);
  const monitor = new Monitor(settings.tolerance, settings.maxIterations);
  const { verdict, matvecs, bytes } = gmres(operator, rhs, x, monitor, restart ?? DEFAULT_RESTART);
  stats.matvecs = (stats.matvecs ?? 0) + matvecs;
  // The operator's two slabs up to the component's end; with the sweep, Φ(0) and two vectors more.
  const operatorBytes = 8 * (2 * program.slotOf(end) + (operator === plain ? 0 : 3 * m));
  holdBytes(stats, (context.heldBytes ?? 0) + operatorBytes + bytes);
  monitor.tally(stats);
  history?.push(monitor.record(program, 'multipliers', 'gmres', start, end, verdict === Verdict.Converged));
  if (verdict !== Verdict.Converged)
    throw componentError(
      program,
      start,
      end,
      failure(verdict, monitor, 'GMRES on the multipliers', 'iteration', settings.maxIterations),
    );
};

/** y ↦ (I − Φ')y: Φ'y is one Gauss–Seidel sweep from the estimate y with b = 0. */
class SweepOperator implements LinearOperator {
  readonly size: number;
  private readonly product: Float64Array;
  private readonly swept: Float64Array;
  /** The component's first slot. */
  private readonly from: number;

  constructor(
    private readonly context: BlockContext,
    private readonly plain: ComponentOperator,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.size = plain.size;
    this.from = context.program.slotOf(start);
    this.product = new Float64Array(this.size);
    this.swept = new Float64Array(this.size);
  }

  apply(y: Float64Array, out: Float64Array): void {
    const { program, values, scratch, stats } = this.context;
    const { start, end, from, product, swept } = this;
    // The residual of y with b = 0 is J_CCᵀy − y = −(I − J_CC)ᵀy; one sweep takes it into y.
    this.plain.apply(y, product);
    for (let k = 0; k < this.size; k++) scratch[from + k] = -product[k];
    swept.set(y);
    pushSweep(program, values, swept, from, scratch, start, end, stats, true);
    for (let k = 0; k < this.size; k++) out[k] = y[k] - swept[k];
  }
}
