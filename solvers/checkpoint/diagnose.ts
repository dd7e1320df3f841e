import { LagradError } from '../../src/error.ts';
import { checkMultipliers } from '../../src/lagrangian/finite.ts';
import { seed } from '../../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../../src/lagrangian/primal.ts';
import type { Program } from '../../src/program/program.ts';
import { primitives } from '../../src/primitives/registry.ts';

// When the executor meets a value or multiplier that is not finite, it redoes the work with every
// value held (O(N) memory, on failure only), so that the one diagnosis in finite.ts names the
// constraint where it first appeared, exactly as `reverse` would.

/** Throws the error naming the first non-finite value's constraint. */
export function failValues(program: Program, inputs: Float64Array): never {
  solvePrimal(program, inputs, new Float64Array(program.size));
  throw new LagradError('checkpoint', 'a value is not finite');
}

/** Throws the error naming the first non-finite multiplier's constraint. */
export function failMultipliers(program: Program, inputs: Float64Array, weights: Float64Array): never {
  const values = new Float64Array(program.size);
  solvePrimal(program, inputs, values);
  const lambda = new Float64Array(program.size);
  seed(program, weights, lambda);
  primitives.kernels().reverse(values, lambda, lambda, program.ops, program.parentStart, program.parents, program.constants, program.inputCount, program.size);
  checkMultipliers(program, values, lambda);
  throw new LagradError('checkpoint', 'a multiplier is not finite');
}
