import { LagradError } from '../error.ts';
import type { Layout } from '../program/layout.ts';
import type { Program } from '../program/program.ts';
import type { Block, BlockRules, BlockSite } from './primitive.ts';
import { codegenEpoch } from './codegen.ts';
import { blockAt, primitives } from './registry.ts';

// The sweeps of a program with vector and matrix variables (program.layout ≠ null), as the scalar
// kernels offer them — evaluate, apply Jᵀ in reverse order (backprop when in place), apply
// J (forward tangents when in place) — over Float64Array slabs addressed through the layout, one
// call of a primitive's block rule per constraint. Bound to one program: the block records and
// sites are built once, on first use, and kept with it; the rules follow a switch to the
// interpreter (codegen.ts). `sweepsOf(program)` (sweeps.ts) hands these out for block programs.

const cache = new WeakMap<Program, BlockSweeps>();

/** Every multiplier wanted: all bits of a VJP's `need` set. */
export const ALL = -1;

export class BlockSweeps {
  private bound: BlockRules[];
  private epoch: number;
  /** Each constraint as its rules see it (null for inputs). */
  readonly sites: readonly (BlockSite | null)[];
  /** Where each variable's entries lie. */
  readonly blocks: readonly Block[];
  readonly layout: Layout;
  /**
   * 1 for a constraint that is its own parent (`z = W @ z` in a cycle): its rules would read the
   * block they write, so its sweeps read a copy of the arguments (`copies`) instead.
   */
  private readonly selfLoop: Uint8Array;
  private copies: Float64Array | null = null;

  private constructor(readonly program: Program) {
    const layout = program.layout;
    if (layout === null)
      throw new LagradError('program', 'has no vector or matrix variables; the scalar sweeps run it');
    this.layout = layout;
    const { size, inputCount, ops, parentStart, parents, constants } = program;
    const blocks: Block[] = new Array(size);
    for (let i = 0; i < size; i++) blocks[i] = blockAt(layout.offset[i], layout.shape(i));
    const sites: (BlockSite | null)[] = new Array(size).fill(null);
    for (let i = inputCount; i < size; i++) {
      const args: Block[] = [];
      for (let e = parentStart[i]; e < parentStart[i + 1]; e++) args.push(blocks[parents[e]]);
      sites[i] = { out: blocks[i], args, constant: constants[i] };
    }
    this.blocks = blocks;
    this.sites = sites;
    this.selfLoop = new Uint8Array(size);
    for (let i = inputCount; i < size; i++)
      for (let e = parentStart[i]; e < parentStart[i + 1]; e++) if (parents[e] === i) this.selfLoop[i] = 1;
    this.bound = this.lookUp();
    this.epoch = codegenEpoch();
  }

  /** Block rules of each constraint's primitive (inputs: unused), current with the choice of interpreter. */
  get rules(): readonly BlockRules[] {
    if (this.epoch !== codegenEpoch()) {
      this.bound = this.lookUp();
      this.epoch = codegenEpoch();
    }
    return this.bound;
  }

  private lookUp(): BlockRules[] {
    const { size, inputCount, ops } = this.program;
    const rules: BlockRules[] = new Array(size);
    for (let i = inputCount; i < size; i++) rules[i] = primitives.blockRules(ops[i]);
    return rules;
  }

  /** The sweeps of a program with a layout, built on first use. */
  static of(program: Program): BlockSweeps {
    let sweeps = cache.get(program);
    if (sweeps === undefined) cache.set(program, (sweeps = new BlockSweeps(program)));
    return sweeps;
  }

  /** v_i = p_i(v_Pa(i)) for i in [from, to), in order. */
  forward(v: Float64Array, from: number, to: number): void {
    const { rules, sites, selfLoop } = this;
    for (let i = from; i < to; i++) {
      if (selfLoop[i] === 1) this.valueInto(i, v, v, sites[i]!.out.offset);
      else rules[i].value(v, sites[i]!);
    }
  }

  /** The arguments of constraint i copied out of `slab` into a slab of their own, at the same offsets. */
  private argumentsOf(i: number, slab: Float64Array): Float64Array {
    const copies = (this.copies ??= new Float64Array(this.layout.slots));
    for (const a of this.sites[i]!.args) copies.set(slab.subarray(a.offset, a.offset + a.size), a.offset);
    return copies;
  }

  /** p_i(v_Pa(i)) of a constraint that is its own parent into out[at …], computed on a copy of its arguments. */
  private valueInto(i: number, v: Float64Array, out: Float64Array, at: number): void {
    const site = this.sites[i]!;
    const copies = this.argumentsOf(i, v);
    this.rules[i].value(copies, site);
    out.set(copies.subarray(site.out.offset, site.out.offset + site.out.size), at);
  }

  /**
   * dst[Pa(i)] += J_iᵀ src[i] for i from to − 1 down to from: one application of Jᵀ, or with
   * src = dst the back-substitution of (I − J)ᵀλ = w. A constraint whose src block is all zero is
   * skipped, as one whose parents' multipliers are not `needed` (by variable; null: all). Returns
   * how many constraints had their VJP applied.
   */
  reverse(
    v: Float64Array,
    src: Float64Array,
    dst: Float64Array,
    from: number,
    to: number,
    needed: Uint8Array | null = null,
  ): number {
    const { rules, sites } = this;
    const { parentStart, parents } = this.program;
    let count = 0;
    for (let i = to - 1; i >= from; i--) {
      const site = sites[i]!;
      if (isZero(src, site.out.offset, site.out.size)) continue;
      let need = ALL;
      if (needed !== null) {
        need = 0;
        for (let e = parentStart[i], k = 0; e < parentStart[i + 1]; e++, k++)
          if (needed[parents[e]] === 1) need |= k < 31 ? 1 << k : ALL;
        if (need === 0) continue;
      }
      if (this.selfLoop[i] === 1 && src === dst) rules[i].vjp(v, this.argumentsOf(i, src), dst, site, need);
      else rules[i].vjp(v, src, dst, site, need);
      count++;
    }
    return count;
  }

  /**
   * `reverse` over [from, to) that sends multipliers only to parents inside [low, high) (a cyclic
   * component holding the range): a VJP into a parent outside it (the weight W of a product z @ W
   * in a cycle) is skipped. The inner solves of a cyclic
   * component never read those, and in a layer z = tanh(z @ W + …) they cost as much as the rest.
   */
  reverseInside(
    v: Float64Array,
    src: Float64Array,
    dst: Float64Array,
    from: number,
    to: number,
    low: number,
    high: number,
  ): number {
    const { rules, sites } = this;
    const { parentStart, parents } = this.program;
    let count = 0;
    for (let i = to - 1; i >= from; i--) {
      const site = sites[i]!;
      if (isZero(src, site.out.offset, site.out.size)) continue;
      let need = 0;
      for (let e = parentStart[i], k = 0; e < parentStart[i + 1]; e++, k++)
        if (parents[e] >= low && parents[e] < high) need |= k < 31 ? 1 << k : ALL;
      if (need === 0) continue;
      if (this.selfLoop[i] === 1 && src === dst) rules[i].vjp(v, this.argumentsOf(i, src), dst, site, need);
      else rules[i].vjp(v, src, dst, site, need);
      count++;
    }
    return count;
  }

  /** dst[i] = Σ_j J_ij src[j] for i in [from, to), in order; with src = dst, the tangents (I − J)v̇ = seed. */
  tangent(v: Float64Array, src: Float64Array, dst: Float64Array, from: number, to: number): void {
    const { rules, sites, selfLoop } = this;
    for (let i = from; i < to; i++) {
      if (selfLoop[i] === 1 && src === dst) rules[i].jvp(v, this.argumentsOf(i, src), dst, sites[i]!);
      else rules[i].jvp(v, src, dst, sites[i]!);
    }
  }

  /** p_i(v_Pa(i)) into out[at … at + size_i) (at = 0 by default), leaving v as it was. */
  valueOf(i: number, v: Float64Array, out: Float64Array, at = 0): void {
    if (this.selfLoop[i] === 1) return this.valueInto(i, v, out, at);
    const site = this.sites[i]!;
    const { offset, size } = site.out;
    out.set(v.subarray(offset, offset + size), at);
    this.rules[i].value(v, site);
    for (let e = 0; e < size; e++) {
      const y = v[offset + e];
      v[offset + e] = out[at + e];
      out[at + e] = y;
    }
  }

  /** True when some constraint is its own parent. */
  get hasSelfLoops(): boolean {
    return this.selfLoop.includes(1);
  }
}

/** True when x[from … from + n) are all 0. */
function isZero(x: Float64Array, from: number, n: number): boolean {
  for (let e = from; e < from + n; e++) if (x[e] !== 0) return false;
  return true;
}
