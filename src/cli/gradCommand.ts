import { grad } from '../api/grad.ts';
import { formatNumber } from '../numberFormat.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command } from './command.ts';
import { loadData, pointFrom } from './data.ts';
import { json, table, valueRow } from './format.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, settingOptions, settingsFromFlags, settingsHelp } from './settingFlags.ts';
import { countProgress } from './progress.ts';
import { loadSource, onlySource, parseAt } from './source.ts';

export const gradCommand: Command = {
  name: 'grad',
  summary: 'the gradient and multipliers by a schedule',
  get usage() {
    return `lagrad grad <source> [--at x=2,y=-1] [--data FILE.json] [--schedule NAME] [--multipliers] [--json] [settings]

  <source>       a .lag file, - for standard input, or an expression
  --at           input values (override the file's defaults)
  --data         a JSON file of input values, {"X": [[1, 2], [3, 4]], "b": [0, 1], "x": 2} (matrices as rows)
  --schedule     ${schedules.names().join(' | ')} (default auto)
  --output       which output, when there are several
  --multipliers  also print λ of every named variable (its adjoint)
  --json         print {"value", "gradient", "schedule", "stats"[, "multipliers"]} as JSON

${settingsHelp(schedules.list())}`;
  },
  get options() {
    return {
      at: { type: 'string', multiple: true },
      data: { type: 'string' },
      schedule: { type: 'string' },
      output: { type: 'string' },
      multipliers: { type: 'boolean' },
      json: { type: 'boolean' },
      ...settingOptions(settingsRead(schedules.list())),
    } as const;
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const data = loadData(flags.data as string | undefined, io);
    const program = loadSource(onlySource(positionals), io, data?.shapes);
    const point = pointFrom(program, data, parseAt(flags.at as string[] | undefined));
    const schedule = (flags.schedule as string | undefined) ?? 'auto';
    const r = asFlags(() =>
      grad(program, point, {
        schedule,
        output: flags.output as string | undefined,
        multipliers: Boolean(flags.multipliers),
        ...settings,
        // Checkpointing can run long (few snapshots on a long program): a bar on a terminal.
        ...(schedule === 'checkpoint' ? { progress: countProgress(io, 'checkpoint') } : {}),
      }),
    );
    if (flags.json) {
      const result: Record<string, unknown> = { value: r.value, gradient: r.gradient, schedule: r.schedule, stats: r.stats };
      if (flags.multipliers) result.multipliers = r.multipliers;
      if (r.solution.convergence) result.convergence = r.solution.convergence;
      io.out(json(result) + '\n');
      return 0;
    }
    const lines = [`value     ${r.value}`, `schedule  ${r.schedule}`, 'gradient', table(Object.entries(r.gradient).map(([name, g]) => valueRow(name, g)), '  ')];
    if (flags.multipliers) lines.push('multipliers (λ = ∂objective/∂v)', table(Object.entries(r.multipliers).map(([name, l]) => valueRow(name, l)), '  '));
    lines.push('stats', table(Object.entries(r.stats).map(([k, v]) => [k, k === 'timeMs' ? Number(v.toFixed(3)) : v]), '  '));
    if (r.solution.convergence?.length) lines.push('convergence', table(r.solution.convergence.map((c) => [`${c.quantity} of {${c.variables}}`, c.method, `${c.iterations} iterations`, `rate ${formatNumber(c.rate)}`, `residual ${formatNumber(c.residuals.at(-1) ?? 0, 3)}`]), '  '));
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
