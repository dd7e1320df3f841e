import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import type { Stats } from './stats.ts';
import type { LinearOperator } from './gmres.ts';

/**
 * A cyclic component's block of I − J as a linear operator, x ↦ (I − J_CC)x (Newton's system), or
 * x ↦ (I − J_CC)ᵀx with `transpose` (the multipliers' system), applied with the registry's generated
 * sweeps instead of an assembled matrix: the `tangent` sweep over the component's range is J_CC x
 * when x is zero outside the component, and the `reverse` sweep is J_CCᵀx. Each application costs
 * m partial evaluations and O(m + edges) work, so Krylov solves scale to components far too large
 * for a dense LU.
 */
export class ComponentOperator implements LinearOperator {
  readonly size: number;
  /** x at the members' indices (the sweeps read by variable index); zero everywhere else, always. */
  private readonly src: Float64Array;
  /** J_CC x (or J_CCᵀx) at the members' indices; what the reverse sweep sends outside is never read. */
  private readonly dst: Float64Array;

  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly start: number,
    private readonly end: number,
    private readonly stats: Stats,
    private readonly transpose: boolean,
  ) {
    this.size = end - start;
    this.src = new Float64Array(end);
    this.dst = new Float64Array(end);
  }

  apply(x: Float64Array, y: Float64Array): void {
    const { start, end, src, dst } = this;
    const sweeps = sweepsOf(this.program);
    src.set(x, start);
    if (this.transpose) {
      dst.fill(0, start, end);
      this.stats.partialEvaluations += sweeps.reverse(this.values, src, dst, start, end);
    } else {
      sweeps.tangent(this.values, src, dst, start, end);
      this.stats.partialEvaluations += this.size;
    }
    for (let k = 0; k < this.size; k++) y[k] = x[k] - dst[start + k];
  }
}
