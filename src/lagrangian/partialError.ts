import { LagradError } from '../error.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import { sweepsOf } from '../primitives/sweeps.ts';

// How a constraint and a partial that does not exist are named in errors, shared by the
// provenance scans and the component solves (which must not import those scans: they use them).

/** The constraint i as `log(-1)`, with its parents' values. */
export function show(program: Program, i: number, values: Float64Array): string {
  const c = program.constraint(i);
  const args = c.parents.map((j) => formatNumber(values[j], 6));
  if (c.constant !== undefined) args.push(`θ=${formatNumber(c.constant, 6)}`);
  return `${c.op}(${args.join(', ')})`;
}

/** `'x'` for a named variable, `#3` for an unnamed one. */
export function quoted(program: Program, i: number): string {
  return program.nameOf(i) !== undefined ? `'${program.label(i)}'` : program.label(i);
}

const finite = (x: number) => x - x === 0;

/**
 * Inside a cyclic component whose solve failed — went non-finite from finite inflow, or met a
 * matrix I − J that looks singular — the first member with a local partial that is not finite
 * (pow(0, θ) by its exponent: log 0 · 0) is the cause: named as any partial that does not exist
 * is. Returns when every member's partials are finite.
 */
export function checkMemberPartials(program: Program, values: Float64Array, start: number, end: number): void {
  const { ops, parentStart, parents } = program;
  const out = new Float64Array(program.maxParents());
  const { partials } = sweepsOf(program);
  for (let i = start; i < end; i++) {
    partials(i, values, out);
    for (let q = 0; q < parentStart[i + 1] - parentStart[i]; q++) {
      if (finite(out[q])) continue;
      const j = parents[parentStart[i] + q];
      throw new LagradError(
        program.where(i),
        `the partial of ${primitives.get(ops[i]).name} with respect to ${quoted(program, j)} at ${show(program, i, values)} is ${out[q]}: the derivative does not exist here`,
      );
    }
  }
}
