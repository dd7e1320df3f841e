import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';
import { BlockSweeps } from '../primitives/blockSweeps.ts';
import type { Stats } from './stats.ts';
import type { LinearOperator } from './gmres.ts';

/**
 * A cyclic component's block of I − J as a linear operator on its members' slots, x ↦ (I − J_CC)x
 * (Newton's system, the tangents'), or x ↦ (I − J_CC)ᵀx with `transpose` (the multipliers'
 * system), applied with the program's sweeps instead of an assembled matrix: the `tangent` sweep
 * over the component's range is J_CC x when x is zero outside the component, and the `reverse`
 * sweep is J_CCᵀx — the scalar kernels' partials, or the block rules' JVPs and VJPs (matrix-free:
 * W @ z applies W, never forms it). Each application costs one partial evaluation per member and
 * O(slots + edges) work, so Krylov solves scale to components far too large for a dense LU.
 */
export class ComponentOperator implements LinearOperator {
  readonly size: number;
  /** The component's first slot. */
  private readonly from: number;
  /** x at the members' slots (the sweeps address the slab); zero everywhere else, always. */
  private readonly src: Float64Array;
  /** J_CC x (or J_CCᵀx) at the members' slots; what the reverse sweep sends outside is never read. */
  private readonly dst: Float64Array;
  /** The block sweeps (null for scalars): their reverse sends nothing outside the component. */
  private readonly blocks: BlockSweeps | null;

  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly start: number,
    private readonly end: number,
    private readonly stats: Stats,
    private readonly transpose: boolean,
  ) {
    this.from = program.slotOf(start);
    const to = program.slotOf(end);
    this.size = to - this.from;
    // Every parent of a member stands before the component's end: slabs of `to` slots serve.
    this.src = new Float64Array(to);
    this.dst = new Float64Array(to);
    this.blocks = program.layout === null ? null : BlockSweeps.of(program);
  }

  apply(x: Float64Array, y: Float64Array): void {
    const { start, end, from, src, dst, size } = this;
    const sweeps = sweepsOf(this.program);
    src.set(x, from);
    if (this.transpose) {
      dst.fill(0, from, from + size);
      this.stats.partialEvaluations +=
        this.blocks === null
          ? sweeps.reverse(this.values, src, dst, start, end)
          : this.blocks.reverseInside(this.values, src, dst, start, end, start, end);
    } else {
      sweeps.tangent(this.values, src, dst, start, end);
      this.stats.partialEvaluations += end - start;
    }
    for (let k = 0; k < size; k++) y[k] = x[k] - dst[from + k];
  }
}
