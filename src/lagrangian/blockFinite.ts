import { LagradError } from '../error.ts';
import { shapeText, slotLabel } from '../program/layout.ts';
import type { Program } from '../program/program.ts';
import { ALL, BlockSweeps } from '../primitives/blockSweeps.ts';
import { primitives } from '../primitives/registry.ts';
import { seed } from './lagrangian.ts';

// finite.ts for programs with vector and matrix variables: after a sweep, and only when some entry
// is not finite, find the constraint that made it and name it, with the entry. Never a silent NaN.

/** The constraint i as `matmul([150, 4], [4, 3])`: shapes for blocks, values for scalars. */
export function showBlock(program: Program, i: number, values: Float64Array): string {
  const layout = program.layout!;
  const c = program.constraint(i);
  const args = c.parents.map((j) => (layout.rank[j] === 0 ? format(values[layout.offset[j]]) : shapeText(layout, j)));
  if (c.constant !== undefined) args.push(`θ=${format(c.constant)}`);
  return `${c.op}(${args.join(', ')})`;
}

const format = (x: number) => (Number.isFinite(x) ? String(Number(x.toPrecision(6))) : String(x));

/** Throws, naming the first entry of variables [from, to) that is NaN or infinite. */
export function checkBlockValues(program: Program, values: Float64Array, from: number, to: number): void {
  const offset = program.layout!.offset;
  let sum = 0;
  for (let s = offset[from]; s < offset[to]; s++) sum += values[s] * 0; // 0 unless some entry is NaN or ±∞
  if (sum === 0) return;
  for (let s = offset[from]; s < offset[to]; s++) {
    const x = values[s];
    if (x - x === 0) continue;
    const i = program.layout!.variableOf(s);
    if (i < program.inputCount) throw new LagradError(`input ${quoted(program, s)}`, `${x} is not a finite number`);
    throw new LagradError(
      program.where(i),
      `${quoted(program, s)} = ${x} in ${showBlock(program, i, values)}: not a finite number`,
    );
  }
}

/**
 * Throws when some multiplier is not finite, naming the constraint whose VJP turns a finite
 * multiplier into a non-finite one (the derivative does not exist there), or else the overflow.
 */
export function checkBlockMultipliers(program: Program, values: Float64Array, lambda: Float64Array): void {
  let bad = -1;
  for (let s = 0; s < program.slots; s++) {
    if (lambda[s] - lambda[s] !== 0) {
      bad = s;
      break;
    }
  }
  if (bad < 0) return;
  const sweeps = BlockSweeps.of(program);
  const scratch = new Float64Array(program.slots);
  for (let i = program.size - 1; i >= program.inputCount; i--) {
    const site = sweeps.sites[i]!;
    if (!finiteRange(lambda, site.out.offset, site.out.size)) continue;
    if (blame(program, sweeps, i, values, lambda, scratch)) return;
  }
  throw new LagradError(
    program.where(program.layout!.variableOf(bad)),
    `the multiplier ${quoted(program, bad)} is ${lambda[bad]} (overflow)`,
  );
}

/** Throws, naming the first constraint whose local derivative (its VJP of ones) is not finite at these values. */
export function checkBlockPartials(program: Program, values: Float64Array): void {
  const sweeps = BlockSweeps.of(program);
  const ones = new Float64Array(program.slots).fill(1);
  const scratch = new Float64Array(program.slots);
  for (let i = program.inputCount; i < program.size; i++) blame(program, sweeps, i, values, ones, scratch);
}

/**
 * Applies constraint i's VJP to lambda alone; throws when a parent receives a non-finite entry:
 * where the local derivative itself (the VJP of ones) is finite there, the finite multipliers times
 * it overflowed; else the derivative does not exist.
 */
function blame(
  program: Program,
  sweeps: BlockSweeps,
  i: number,
  values: Float64Array,
  lambda: Float64Array,
  scratch: Float64Array,
): boolean {
  const site = sweeps.sites[i]!;
  for (const a of site.args) scratch.fill(0, a.offset, a.offset + a.size);
  sweeps.rules[i].vjp(values, lambda, scratch, site, ALL);
  for (const a of site.args) {
    for (let s = a.offset; s < a.offset + a.size; s++) {
      if (scratch[s] - scratch[s] === 0) continue;
      const op = primitives.get(program.ops[i]).name;
      const got = scratch[s];
      const ones = new Float64Array(program.slots).fill(1);
      for (const b of site.args) scratch.fill(0, b.offset, b.offset + b.size);
      sweeps.rules[i].vjp(values, ones, scratch, site, ALL);
      if (scratch[s] - scratch[s] === 0) {
        throw new LagradError(
          program.where(i),
          `the multiplier ${quoted(program, s)} overflows: the multipliers of ${label(program, i)} times the derivative of ${showBlock(program, i, values)} give ${got}`,
        );
      }
      throw new LagradError(
        program.where(i),
        `the derivative of ${op} with respect to ${quoted(program, s)} at ${showBlock(program, i, values)} is ${got}: it does not exist here`,
      );
    }
  }
  return false;
}

/**
 * For a gradient that came out non-finite by another route (forward's tangents, an LU): the
 * multipliers by back-substitution from these weights, and the first constraint where they go
 * non-finite, if they do (then this throws, naming it).
 */
export function blockMultiplierProvenance(program: Program, values: Float64Array, weights: Float64Array): void {
  const lambda = new Float64Array(program.slots);
  seed(program, weights, lambda, true);
  BlockSweeps.of(program).reverse(values, lambda, lambda, program.inputCount, program.size);
  checkBlockMultipliers(program, values, lambda);
}

/** 'y' or #3, for a variable. */
function label(program: Program, i: number): string {
  const name = program.nameOf(i);
  return name === undefined ? `#${i}` : `'${name}'`;
}

function finiteRange(x: Float64Array, from: number, n: number): boolean {
  for (let s = from; s < from + n; s++) if (x[s] - x[s] !== 0) return false;
  return true;
}

/** 'X'[2, 1] or 'x' for a slot (#i for an unnamed variable). */
function quoted(program: Program, s: number): string {
  const label = slotLabel(program, s);
  const bracket = label.indexOf('[');
  return label.startsWith('#')
    ? label
    : bracket < 0
      ? `'${label}'`
      : `'${label.slice(0, bracket)}'${label.slice(bracket)}`;
}
