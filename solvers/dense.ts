import { checkMemberPartials } from '../src/lagrangian/partialError.ts';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { LagradError } from '../src/error.ts';
import { ComponentLu, componentMatrix } from '../src/lagrangian/direct.ts';
import { formatNumber } from '../src/numberFormat.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS, solvePrimal } from '../src/lagrangian/primal.ts';
import { componentError } from '../src/lagrangian/convergence.ts';
import { emptyStats } from '../src/lagrangian/stats.ts';
import { visitSlotJacobian } from '../src/lagrangian/slotJacobian.ts';
import type { Program } from '../src/program/program.ts';
import type { Stats } from '../src/lagrangian/stats.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { integerSetting, readSettings } from '../src/schedule/settings.ts';

/**
 * The largest N the dense schedule accepts by default, everywhere (grad, verify, the CLI): the
 * O(N³) LU takes about 1.5 s at N = 1000 on the project machine, 12 s at 2000 and minutes at 4000,
 * and (I − J)ᵀ with its factors 2·N² doubles. Option `maxSize`.
 */
export const DENSE_LIMIT = 1000;

/** Setting `maxSize`: the largest N the dense schedule accepts. */
export const maxSize = integerSetting({
  name: 'maxSize',
  min: 1,
  max: Infinity,
  default: DENSE_LIMIT,
  help: 'dense: the most variables it accepts (2·N² doubles, O(N³) time); refused above before anything is allocated',
});

const SETTINGS = [maxSize, ...PRIMAL_SETTINGS] as const;

/**
 * The reference solve: assemble the whole dual system (I − J)ᵀλ = w as one dense ml-matrix matrix
 * and solve it by LU with partial pivoting. It assumes no order of the variables, so it serves
 * cyclic programs as well once their values are known (solvePrimal finds them). Always returns
 * every multiplier. O(N³) time and O(N²) memory: refused above `maxSize` (default 1000) before
 * anything is allocated.
 *
 * With vector and matrix variables the unknowns are the entries of every multiplier (N is then
 * program.slots), and J is materialised entry by entry from the VJPs (slotJacobian.ts).
 */
export const dense: Schedule<typeof SETTINGS> = checked({
  name: 'dense',
  summary: `the whole system (I − J)ᵀλ = w in one LU solve (ml-matrix): the reference; O(N³), N ≤ ${DENSE_LIMIT}`,
  settings: SETTINGS,
  solve({ program, inputs, weights }: Problem, options: ScheduleOptions = {}): Solution {
    const start = performance.now();
    const settings = readSettings(SETTINGS, options);
    const { size, inputCount, slots } = program;
    const limit = settings.maxSize;
    if (slots > limit) {
      const megabytes = Math.ceil((2 * slots * slots * 8) / 2 ** 20);
      const unknowns =
        program.layout === null ? `${size} variables need` : `${slots} entries of ${size} variables need`;
      throw new LagradError(
        `schedule 'dense'`,
        `${unknowns} a ${slots}×${slots} matrix and its LU factors (${megabytes} MB, O(N³) time); the limit is N ≤ ${limit} (maxSize) — use reverse`,
      );
    }
    const stats = emptyStats();
    const values = buffer(options.workspace?.values, slots);
    solvePrimal(program, inputs, values, stats, settings);
    // Row j of (I − J)ᵀ is the equation of v_j: λ_j − Σ_{i: j ∈ Pa(i)} J_ij λ_i = w_j. The whole
    // program is one block, assembled as a cyclic component's is (for blocks, entry by entry).
    const A =
      program.layout === null ? componentMatrix(program, values, 0, size, true) : slotSystem(program, values, stats);
    stats.partialEvaluations += size - inputCount;
    stats.peakValues = size;
    stats.peakBytes = 8 * slots;
    stats.matrixOrder = slots;
    stats.matrixEntries = slots * slots;
    const w = new Float64Array(slots);
    seed(program, weights, w);
    // Each cyclic component's block is judged singular as block-reverse and forward judge it (a
    // pivot below m·ε of its largest entry), so every schedule that solves it refuses the same
    // systems; the acyclic rest is unit triangular, which an LU solves whatever its scale.
    for (const [first, end] of program.components()) {
      const block = ComponentLu.factor(componentMatrix(program, values, first, end, true));
      if (block.singular) checkMemberPartials(program, values, first, end); // a NaN in I − J: a partial that does not exist
      if (block.singular)
        throw componentError(
          program,
          first,
          end,
          `I − J is singular here (pivot ratio ${formatNumber(block.lu.pivotRatio)}), so its multipliers are not determined`,
        );
    }
    const lu = new LuDecomposition(A);
    if (lu.isSingular()) {
      throw new LagradError(
        `schedule 'dense'`,
        '(I − J)ᵀ is singular at this point: the multipliers are not unique (a cyclic component whose linearization has eigenvalue 1)',
      );
    }
    const solution = lu.solve(Matrix.columnVector(w));
    const lambda = buffer(options.workspace?.lambda, slots);
    for (let j = 0; j < slots; j++) lambda[j] = solution.get(j, 0);
    stats.timeMs = performance.now() - start;
    return { values, lambda, gradient: lambda.slice(0, program.inputSlots), stats };
  },
});

/** (I − J)ᵀ over the entries of every variable: entry (s, r) is δ_sr − ∂v_r/∂v_s. */
function slotSystem(program: Program, values: Float64Array, stats: Stats): Matrix {
  const A = Matrix.eye(program.slots, program.slots);
  stats.vjps = visitSlotJacobian(program, values, (r, s, partial) => A.set(s, r, A.get(s, r) - partial));
  return A;
}
