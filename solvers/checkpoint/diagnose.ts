import { LagradError } from '../../src/error.ts';
import { checkMultipliers } from '../../src/lagrangian/finite.ts';
import { seed } from '../../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../../src/lagrangian/primal.ts';
import type { Program } from '../../src/program/program.ts';
import { sweepsOf } from '../../src/primitives/sweeps.ts';

// When the executor meets a value or multiplier that is not finite, it redoes the work with every
// value held (O(N) memory, on failure only), so that the one diagnosis in finite.ts names the
// constraint where it first appeared, exactly as `reverse` would.

/** Throws the error naming the first non-finite value's constraint. */
export function failValues(program: Program, inputs: Float64Array): never {
  solvePrimal(program, inputs, new Float64Array(program.slots));
  throw new LagradError('checkpoint', 'a value is not finite');
}

/** Throws the error naming the first non-finite multiplier's constraint. */
export function failMultipliers(program: Program, inputs: Float64Array, weights: Float64Array): never {
  const values = new Float64Array(program.slots);
  solvePrimal(program, inputs, values);
  const lambda = new Float64Array(program.slots);
  seed(program, weights, lambda);
  sweepsOf(program).reverse(values, lambda, lambda, program.inputCount, program.size);
  checkMultipliers(program, values, lambda);
  throw new LagradError('checkpoint', 'a multiplier is not finite');
}
