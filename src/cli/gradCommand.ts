import { grad } from '../api/grad.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, Flags, OptionSpec } from './command.ts';
import { json, table } from './format.ts';
import { loadSource, numberFlag, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

/**
 * Schedule settings passed through to the schedule (numeric ones converted), with what `--help`
 * says of each. A setting is read by the schedules named before the colon.
 */
export const SETTINGS: Readonly<Record<string, OptionSpec & { readonly number?: true }>> = {
  lanes: { type: 'string', value: 'K', number: true, help: 'forward: tangent lanes swept together', default: '8' },
  method: { type: 'string', value: 'NAME', help: 'iterative: gauss-seidel | jacobi | fixed-point | gmres', default: 'gauss-seidel' },
  strategy: { type: 'string', value: 'NAME', help: 'checkpoint: store-all | sqrt | revolve | budget', default: 'budget with --budget, else revolve' },
  snapshots: { type: 'string', value: 'C', number: true, help: 'checkpoint: snapshot slots', default: 'sqrt: √N segments; revolve: ⌈log₂(N + 1)⌉' },
  budget: { type: 'string', value: 'N', number: true, help: 'checkpoint: the most values held at once', default: 'none' },
  tolerance: { type: 'string', value: 'TOL', number: true, help: 'cyclic programs, iterative: relative residual that ends a solve', default: '1e-12' },
  'max-iterations': { type: 'string', value: 'N', number: true, help: 'cyclic programs, iterative: iteration limit of every loop', default: '1000' },
  'max-paths': { type: 'string', value: 'N', number: true, help: 'paths: refuse programs with more paths', default: '1e6' },
  'max-size': { type: 'string', value: 'N', number: true, help: 'dense: refuse programs with more variables', default: '4000' },
  step: { type: 'string', value: 'H', number: true, help: 'fd: the difference step', default: 'ε^(1/3)·max(1, |x|) per input' },
  primal: { type: 'string', value: 'NAME', help: 'cyclic programs: auto | fixed-point | newton', default: 'auto' },
  restart: { type: 'string', value: 'M', number: true, help: 'cyclic components solved by GMRES: restart length', default: '40' },
};

export function settingsOf(flags: Flags): Record<string, string | number> {
  const settings: Record<string, string | number> = {};
  for (const [flag, spec] of Object.entries(SETTINGS)) {
    const value = flags[flag] as string | undefined;
    if (value === undefined) continue;
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    settings[key] = spec.number ? numberFlag(flag, value)! : value;
  }
  return settings;
}

export const gradCommand: Command = {
  name: 'grad',
  summary: 'the gradient and multipliers by a schedule',
  synopsis: `lagrad grad <source> [options]\n\n${SOURCE_HELP}`,
  get options() {
    return {
      ...POINT_OPTIONS,
      schedule: { type: 'string', value: 'NAME', help: `the schedule that solves for the multipliers: ${schedules.names().join(' | ')}`, default: 'auto' },
      multipliers: { type: 'boolean', help: 'also print λ of every named variable (its adjoint)' },
      json: { type: 'boolean', help: 'print {"value", "gradient", "schedule", "stats"[, "multipliers"]} as JSON' },
      ...SETTINGS,
    } satisfies Record<string, OptionSpec>;
  },
  get notes() {
    return `schedules:\n${schedules
      .list()
      .map((s) => `  ${s.name.padEnd(11)}${s.summary}`)
      .join('\n')}`;
  },
  run([source], flags, io) {
    const program = loadSource(source, io);
    const r = grad(program, parseAt(flags.at as string[] | undefined), {
      schedule: (flags.schedule as string | undefined) ?? 'auto',
      output: flags.output as string | undefined,
      multipliers: Boolean(flags.multipliers),
      ...settingsOf(flags),
    });
    if (flags.json) {
      const result: Record<string, unknown> = { value: r.value, gradient: r.gradient, schedule: r.schedule, stats: r.stats };
      if (flags.multipliers) result.multipliers = r.multipliers;
      if (r.solution.convergence) result.convergence = r.solution.convergence;
      io.out(json(result, flags) + '\n');
      return 0;
    }
    const lines = [`value     ${r.value}`, `schedule  ${r.schedule}`, 'gradient', table(Object.entries(r.gradient), '  ')];
    if (flags.multipliers) lines.push('multipliers (λ = ∂objective/∂v)', table(Object.entries(r.multipliers), '  '));
    lines.push('stats', table(Object.entries(r.stats).map(([k, v]) => [k, k === 'timeMs' ? Number(v.toFixed(3)) : v]), '  '));
    if (r.solution.convergence?.length) lines.push('convergence', table(r.solution.convergence.map((c) => [`${c.quantity} of {${c.variables}}`, c.method, `${c.iterations} iterations`, `rate ${c.rate.toPrecision(4)}`, `residual ${(c.residuals.at(-1) ?? 0).toPrecision(3)}`]), '  '));
    io.out(lines.join('\n') + '\n');
    return 0;
  },
};
