import { grad } from '../api/grad.ts';
import { formatNumber } from '../numberFormat.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command } from './command.ts';
import { json, table } from './format.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, settingOptions, settingsFromFlags, settingsHelp } from './settingFlags.ts';
import { loadSource, onlySource, parseAt } from './source.ts';
import { solveProgress } from './solveProgress.ts';

export const gradCommand: Command = {
  name: 'grad',
  summary: 'the gradient and multipliers by a schedule',
  get usage() {
    return `lagrad grad <source> [--at x=2,y=-1] [--schedule NAME] [--multipliers] [--json] [settings]

  <source>       a .lag file, - for standard input, or an expression
  --at           input values (override the file's defaults)
  --schedule     ${schedules.names().join(' | ')} (default auto)
  --output       which output, when there are several
  --multipliers  also print λ of every named variable (its adjoint)
  --json         print {"value", "gradient", "schedule", "stats"[, "multipliers"]} as JSON

${settingsHelp(schedules.list())}`;
  },
  get options() {
    return {
      at: { type: 'string', multiple: true },
      schedule: { type: 'string' },
      output: { type: 'string' },
      multipliers: { type: 'boolean' },
      json: { type: 'boolean' },
      ...settingOptions(settingsRead(schedules.list())),
    } as const;
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const program = loadSource(onlySource(positionals), io);
    const schedule = (flags.schedule as string | undefined) ?? 'auto';
    // A long solve (many tangent sweeps, inputs, paths or iterations) shows a bar on a terminal.
    const bar = io.interactive ? solveProgress(io, `grad --schedule ${schedule}`) : null;
    let r;
    try {
      r = asFlags(() =>
        grad(program, parseAt(flags.at as string[] | undefined), {
          schedule,
          output: flags.output as string | undefined,
          multipliers: Boolean(flags.multipliers),
          ...(bar && { progress: bar.report }),
          ...settings,
        }),
      );
    } finally {
      bar?.stop();
    }
    if (flags.json) {
      const result: Record<string, unknown> = { value: r.value, gradient: r.gradient, schedule: r.schedule, stats: r.stats };
      if (flags.multipliers) result.multipliers = r.multipliers;
      if (r.solution.convergence) result.convergence = r.solution.convergence;
      io.out(json(result) + '\n');
      return 0;
    }
    const lines = [`value     ${r.value}`, `schedule  ${r.schedule}`, 'gradient', table(Object.entries(r.gradient), '  ')];
    if (flags.multipliers) lines.push('multipliers (λ = ∂objective/∂v)', table(Object.entries(r.multipliers), '  '));
    lines.push('stats', table(Object.entries(r.stats).map(([k, v]) => [k, k === 'timeMs' ? Number(v.toFixed(3)) : v]), '  '));
    if (r.solution.convergence?.length) lines.push('convergence', table(r.solution.convergence.map((c) => [`${c.quantity} of {${c.variables}}`, c.method, `${c.iterations} iterations`, `rate ${formatNumber(c.rate)}`, `residual ${formatNumber(c.residuals.at(-1) ?? 0, 3)}`]), '  '));
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
