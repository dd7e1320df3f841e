import { requireAcyclic } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import type { Stats } from '../schedule.ts';
import { checkValues } from './finite.ts';

/**
 * Solves the constraints for the values (stationarity of L in λ): v_x = inputs, then
 * v_i = p_i(v_Pa(i)) in evaluation order. Writes into `values` (length ≥ N) and counts into stats.
 */
export function solvePrimal(program: Program, inputs: Float64Array, values: Float64Array, stats?: Stats): void {
  requireAcyclic(program, 'forward pass');
  const { ops, parentStart, parents, constants, inputCount, size } = program;
  values.set(inputs.subarray(0, inputCount));
  primitives.kernels().forward(values, ops, parentStart, parents, constants, inputCount, size);
  if (stats) {
    stats.primitiveEvaluations += size - inputCount;
    stats.sweeps++;
  }
  checkValues(program, values, inputCount, size);
}
