import { grad } from '../api/grad.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, Flags } from './command.ts';
import { json, table, valueRow } from './format.ts';
import { loadSource, numberFlag, parseAt } from './source.ts';
import { loadData, pointFrom } from './data.ts';

/** Schedule settings passed through to the schedule: numeric ones are converted. */
export const SETTINGS = {
  lanes: 'number',
  method: 'string',
  strategy: 'string',
  snapshots: 'number',
  budget: 'number',
  tolerance: 'number',
  'max-iterations': 'number',
  'max-paths': 'number',
  'max-size': 'number',
  step: 'number',
  primal: 'string',
  restart: 'number',
} as const;

export function settingsOf(flags: Flags): Record<string, string | number> {
  const settings: Record<string, string | number> = {};
  for (const [flag, kind] of Object.entries(SETTINGS)) {
    const value = flags[flag] as string | undefined;
    if (value === undefined) continue;
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    settings[key] = kind === 'number' ? numberFlag(flag, value)! : value;
  }
  return settings;
}

export const gradCommand: Command = {
  name: 'grad',
  summary: 'the gradient and multipliers by a schedule',
  get usage() {
    return `lagrad grad <source> [--at x=2,y=-1] [--data FILE.json] [--schedule NAME] [--multipliers] [--json]

  <source>       a .lag file, - for standard input, or an expression
  --at           input values (override the file's defaults)
  --data         a JSON file of input values, {"X": [[1, 2], [3, 4]], "b": [0, 1], "x": 2} (matrices as rows)
  --schedule     ${schedules.names().join(' | ')} (default auto)
  --output       which output, when there are several
  --multipliers  also print λ of every named variable (its adjoint)
  --json         print {"value", "gradient", "schedule", "stats"[, "multipliers"]} as JSON
  schedule settings: ${Object.keys(SETTINGS).map((s) => `--${s}`).join(' ')}

schedules:
${schedules
  .list()
  .map((s) => `  ${s.name.padEnd(11)}${s.summary}`)
  .join('\n')}`;
  },
  options: {
    at: { type: 'string', multiple: true },
    data: { type: 'string' },
    schedule: { type: 'string' },
    output: { type: 'string' },
    multipliers: { type: 'boolean' },
    json: { type: 'boolean' },
    ...Object.fromEntries(Object.keys(SETTINGS).map((s) => [s, { type: 'string' as const }])),
  },
  run([source], flags, io) {
    const data = loadData(flags.data as string | undefined, io);
    const program = loadSource(source, io, data?.shapes);
    const r = grad(program, pointFrom(program, data, parseAt(flags.at as string[] | undefined)), {
      schedule: (flags.schedule as string | undefined) ?? 'auto',
      output: flags.output as string | undefined,
      multipliers: Boolean(flags.multipliers),
      ...settingsOf(flags),
    });
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
    if (r.solution.convergence?.length) lines.push('convergence', table(r.solution.convergence.map((c) => [`${c.quantity} of {${c.variables}}`, c.method, `${c.iterations} iterations`, `rate ${c.rate.toPrecision(4)}`, `residual ${(c.residuals.at(-1) ?? 0).toPrecision(3)}`]), '  '));
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
