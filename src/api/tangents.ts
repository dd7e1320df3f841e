import { LagradError } from '../error.ts';
import { type IterationSettings } from '../lagrangian/convergence.ts';
import { CyclicTangents } from '../lagrangian/cyclicTangents.ts';
import { directionProvenance } from '../lagrangian/provenance.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { Program } from '../program/program.ts';
import { sweepsOf } from '../primitives/sweeps.ts';

/**
 * Forward mode from any seeds: T = (I − J)⁻¹E, K directions at once (T[i·K + q] is the tangent of
 * variable i in direction q). The caller writes the inputs' rows of T, E[k·K + q] for input k; the
 * sweep fills every other row — the lane sweep of the forward schedule, with cyclic components
 * solved per component. `values` must already solve the constraints.
 */
export function sweepTangents(
  program: Program,
  values: Float64Array,
  T: Float64Array,
  K: number,
  settings: IterationSettings,
  stats: Stats,
): void {
  const { inputCount, size } = program;
  if (program.cyclic) new CyclicTangents(program, values, settings, stats).sweep(T, K, inputCount);
  else {
    sweepsOf(program).lanes(values, T, K, inputCount, size);
    stats.partialEvaluations += size - inputCount;
    stats.sweeps++;
  }
  // A tangent that is not finite: the first constraint where its direction's tangent went so
  // (provenance.ts), or else the output whose tangent is not finite.
  const outputs = program.outputs;
  for (let k = 0; k < outputs.length; k++) {
    for (let q = 0; q < K; q++) {
      const x = T[outputs[k] * K + q];
      if (x - x === 0) continue;
      directionProvenance(
        program,
        values,
        Float64Array.from({ length: inputCount }, (_, j) => T[j * K + q]),
      );
      throw new LagradError(program.where(outputs[k]), `its tangent is ${x}: the derivative overflows`);
    }
  }
}
