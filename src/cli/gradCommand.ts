import { grad } from '../api/grad.ts';
import { formatNumber } from '../numberFormat.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, OptionSpec } from './command.ts';
import { DATA_OPTION, loadData, pointFrom, startsFrom } from './data.ts';
import { json, table, valueRow } from './format.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, schedulesHelp, settingsFromFlags, settingSpecs } from './settingFlags.ts';
import { countProgress } from './progress.ts';
import { loadSource, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

export const gradCommand: Command = {
  name: 'grad',
  summary: 'the gradient and multipliers by a schedule',
  synopsis: `lagrad grad <source> [options]\n\n${SOURCE_HELP}`,
  get options() {
    return {
      ...POINT_OPTIONS,
      ...DATA_OPTION,
      schedule: {
        type: 'string',
        value: 'NAME',
        help: `the schedule that solves for the multipliers: ${schedules.names().join(' | ')}`,
        default: 'auto',
      },
      multipliers: { type: 'boolean', help: 'also print λ of every named variable (its adjoint)' },
      json: { type: 'boolean', help: 'print {"value", "gradient", "schedule", "stats"[, "multipliers"]} as JSON' },
      ...settingSpecs(settingsRead(schedules.list())),
    } satisfies Record<string, OptionSpec>;
  },
  get notes() {
    return schedulesHelp(schedules.list());
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const data = loadData(flags.data as string | undefined, io);
    const program = startsFrom(loadSource(onlySource(positionals), io, data?.shapes), data);
    const point = pointFrom(program, data, parseAt(flags.at as string[] | undefined));
    const schedule = (flags.schedule as string | undefined) ?? 'auto';
    // A long solve (tangent sweeps, inputs, paths, iterations, checkpointed evaluations) shows a
    // bar on a terminal, stopped when the solve ends however early.
    const report = io.interactive ? countProgress(io, `grad --schedule ${schedule}`) : null;
    let total = 0;
    const progress = (done: number, most: number) => {
      total = most;
      report!(done, most);
    };
    let r;
    try {
      r = asFlags(() =>
        grad(program, point, {
          schedule,
          output: flags.output as string | undefined,
          multipliers: Boolean(flags.multipliers),
          ...settings,
          ...(report && { progress }),
        }),
      );
    } finally {
      if (report && total > 0) report(total, total);
    }
    if (flags.json) {
      const result: Record<string, unknown> = {
        value: r.value,
        gradient: r.gradient,
        schedule: r.schedule,
        stats: r.stats,
      };
      if (flags.multipliers) result.multipliers = r.multipliers;
      if (r.solution.convergence) result.convergence = r.solution.convergence;
      io.out(json(result, flags) + '\n');
      return 0;
    }
    const lines = [
      `value     ${r.value}`,
      `schedule  ${r.schedule}`,
      'gradient',
      table(
        Object.entries(r.gradient).map(([name, g]) => valueRow(name, g)),
        '  ',
      ),
    ];
    if (flags.multipliers)
      lines.push(
        'multipliers (λ = ∂objective/∂v)',
        table(
          Object.entries(r.multipliers).map(([name, l]) => valueRow(name, l)),
          '  ',
        ),
      );
    lines.push(
      'stats',
      table(
        Object.entries(r.stats).map(([k, v]) => [k, k === 'timeMs' ? Number(v.toFixed(3)) : v]),
        '  ',
      ),
    );
    if (r.solution.convergence?.length)
      lines.push(
        'convergence',
        table(
          r.solution.convergence.map((c) => [
            `${c.quantity} of {${c.variables}}`,
            c.method,
            `${c.iterations} iterations`,
            `rate ${formatNumber(c.rate)}`,
            `residual ${formatNumber(c.residuals.at(-1) ?? 0, 3)}`,
          ]),
          '  ',
        ),
      );
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
