import { objective } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { ScheduleTable } from '../schedule/schedule.ts';
import { auto } from '../../solvers/auto.ts';
import { defaultSchedules } from '../../solvers/schedules.ts';
import { chooseSchedule, tableOf } from './choose.ts';
import { GRAD_OPTIONS, valuesByName, type GradOptions, type Values } from './grad.ts';
import { checkOptions, requireOptions } from '../schedule/settings.ts';
import { byName, resolvePoint, resolveWeights, type Point } from './point.ts';
import { checkWorkspace } from './workspace.ts';

/** The objective and its gradient at a point: the result is the caller's own (copies, no shared buffers). */
export type ValueAndGrad = (at?: Point) => { readonly value: number; readonly gradient: Values };

/**
 * A function of the point returning the objective and its gradient, like JAX's `value_and_grad` and
 * TF.js's `valueAndGrad`: `const f = valueAndGrad(program); f({ x: 1 }).gradient`. The schedule and
 * the objective's weights are resolved once; the solves reuse one workspace (or `options.workspace`).
 */
export function valueAndGrad(program: Program, options: GradOptions = {}): ValueAndGrad {
  return valueAndGradIn(tableOf(options, defaultSchedules), program, options);
}

/** `valueAndGrad` with schedule names resolved in `table` (none: schedules are given as objects). */
export function valueAndGradIn(
  table: ScheduleTable | undefined,
  program: Program,
  options: GradOptions = {},
): ValueAndGrad {
  requireOptions(options);
  const schedule = chooseSchedule(options.schedule, table, auto);
  checkOptions(options, GRAD_OPTIONS, schedule.settings ?? [], {
    schedule: `schedule '${schedule.name}'`,
    others: () => table?.list() ?? [],
  });
  const weights = resolveWeights(program, options.output, options.weights);
  const names = program.inputNames;
  const workspace = options.workspace ?? {
    values: new Float64Array(program.slots),
    lambda: new Float64Array(program.slots),
  };
  checkWorkspace(workspace);
  const { schedule: _schedule, output: _output, weights: _weights, table: _table, ...solve } = options;
  const solveOptions = { ...solve, workspace };
  return (at) => {
    const solution = schedule.solve({ program, inputs: resolvePoint(program, at), weights }, solveOptions);
    const gradient =
      program.layout === null
        ? byName(names, solution.gradient)
        : valuesByName(
            program,
            solution.gradient,
            names.map((_, k) => k),
          );
    return { value: objective(program, weights, solution.values), gradient };
  };
}
