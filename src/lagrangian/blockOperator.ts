import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import type { Stats } from '../schedule.ts';
import type { LinearOperator } from './gmres.ts';

// A cyclic component's block of I − J as a linear operator, applied with the registry's generated
// sweeps instead of an assembled matrix: the `tangent` sweep over the component's range is J_CC x
// (with x zero outside the component) and the `reverse` sweep is J_CCᵀ x. Each application costs
// m partial evaluations and O(m + edges) work, so Krylov solves scale to components far too large
// for a dense LU. The scratch arrays are indexed like `values` (the sweeps read parents by index).

/** x ↦ (I − J_CC) x: Newton's linear system on a component, applied with the tangent sweep. */
export class ComponentTangentOperator implements LinearOperator {
  readonly size: number;
  /** Zero except on [start, end) while applying: parents outside the component must read 0. */
  private readonly src: Float64Array;
  private readonly dst: Float64Array;

  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly start: number,
    private readonly end: number,
    private readonly stats: Stats,
  ) {
    this.size = end - start;
    this.src = new Float64Array(end);
    this.dst = new Float64Array(end);
  }

  apply(x: Float64Array, y: Float64Array): void {
    const { ops, parentStart, parents, constants } = this.program;
    const { start, end, src, dst } = this;
    src.set(x, start);
    primitives.kernels().tangent(this.values, src, dst, ops, parentStart, parents, constants, start, end);
    for (let k = 0; k < this.size; k++) y[k] = x[k] - dst[start + k];
    src.fill(0, start, end);
    this.stats.partialEvaluations += this.size;
  }
}

/** x ↦ (I − J_CC)ᵀ x: the multipliers' system on a component, applied with the reverse sweep. */
export class ComponentAdjointOperator implements LinearOperator {
  readonly size: number;
  private readonly src: Float64Array;
  /** Receives J_CCᵀ x on [start, end); what the sweep adds to parents outside is never read. */
  private readonly dst: Float64Array;

  constructor(
    private readonly program: Program,
    private readonly values: Float64Array,
    private readonly start: number,
    private readonly end: number,
    private readonly stats: Stats,
  ) {
    this.size = end - start;
    this.src = new Float64Array(end);
    this.dst = new Float64Array(end);
  }

  apply(x: Float64Array, y: Float64Array): void {
    const { ops, parentStart, parents, constants } = this.program;
    const { start, end, src, dst } = this;
    src.set(x, start);
    dst.fill(0, start, end);
    primitives.kernels().reverse(this.values, src, dst, ops, parentStart, parents, constants, start, end);
    for (let k = 0; k < this.size; k++) y[k] = x[k] - dst[start + k];
    this.stats.partialEvaluations += this.size;
  }
}
