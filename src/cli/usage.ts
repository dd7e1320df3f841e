import type { ParseArgsConfig } from 'node:util';
import type { Command, OptionSpec } from './command.ts';

// `--help` for every command from its option specs, so each option has its one line and its
// default, and the options every command takes (--timing, --help) in one place.

/** Options every command takes, added to its own. */
export const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  timing: {
    type: 'boolean',
    help: 'add timings (stats.timeMs) to --json output; without it --json prints the same bytes on every run',
  },
  help: { type: 'boolean', help: 'print this help' },
};

/** The options of a command, its own and the common ones. */
export function optionsOf(command: Command): Readonly<Record<string, OptionSpec>> {
  return { ...command.options, ...COMMON_OPTIONS };
}

/** The option table node:util's parseArgs reads. */
export function parseArgsOptions(command: Command): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(optionsOf(command)))
    options[name] = { type: spec.type, ...(spec.multiple ? { multiple: true } : {}) };
  return options;
}

/** `--at x=2,y=-1`: the flag with its placeholder. */
function flag(name: string, spec: OptionSpec): string {
  return spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
}

/** One option's line: description and default (a flag's default, off, is said once in the heading). */
function line(spec: OptionSpec): string {
  return spec.default === undefined ? spec.help : `${spec.help} (default ${spec.default})`;
}

/** `lagrad <command> --help`. */
export function usageOf(command: Command): string {
  const options = Object.entries(optionsOf(command)).filter(([, spec]) => !spec.hidden);
  const width = Math.max(...options.map(([name, spec]) => flag(name, spec).length)) + 2;
  const rows = options.map(([name, spec]) => `  ${flag(name, spec).padEnd(width)}${line(spec)}`);
  const usage = command.synopsis
    .split('\n')
    .map((l, k) => (k === 0 ? `usage: ${l}` : l.startsWith('  ') || l === '' ? l : `       ${l}`))
    .join('\n');
  return `${usage}\n\noptions (a flag without a value is off unless given):\n${rows.join('\n')}\n${command.notes ? `\n${command.notes}\n` : ''}`;
}
