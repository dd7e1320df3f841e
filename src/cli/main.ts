import { parseArgs } from 'node:util';
import { EXIT_INTERNAL, LagradError, OptionError, UsageError } from '../error.ts';
import type { Command, Flags } from './command.ts';
import { evalCommand } from './evalCommand.ts';
import { jsonError } from './format.ts';
import { gradCommand } from './gradCommand.ts';
import { graphCommand } from './graphCommand.ts';
import type { Io } from './io.ts';
import { kernelsCommand } from './kernelsCommand.ts';
import { tradeoffCommand } from './tradeoffCommand.ts';
import { parseArgsOptions, usageOf } from './usage.ts';
import { verifyCommand } from './verifyCommand.ts';
import { version } from './version.ts';

/** Every subcommand, in the order `lagrad --help` lists them. */
export const commands: Command[] = [
  evalCommand,
  gradCommand,
  verifyCommand,
  tradeoffCommand,
  graphCommand,
  kernelsCommand,
];

/** Exit statuses (DESIGN §10; the README's table). */
export const EXIT = { ok: 0, error: 1, usage: 2, internal: EXIT_INTERNAL } as const;

function help(): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(9)}${c.summary}`).join('\n');
  return `lagrad — gradients by solving for Lagrange multipliers

usage: lagrad <command> <source> [options]
       lagrad help <command>      (or lagrad <command> --help)
       lagrad --version

${rows}

<source> is a .lag file, - for standard input, or an expression such as 'z + sin(x^2 + y*exp(z))'.
Exit status: 0 success; 1 an error in the program, its data or its numerics (or a failed verify);
2 a usage error (unknown command or option, a bad option value, a missing or extra argument);
70 an internal error (a bug in lagrad: please report it).
`;
}

/**
 * Runs `lagrad <command> …` and returns the exit status: 0, 1 for an error in the program, its data
 * or its numerics, 2 for a usage error, 70 (EXIT_INTERNAL) for a bug in lagrad. An error is one
 * line on standard error, `lagrad: <where>: <what>` — under --json, `{"error": {"where", "what"}}` —
 * never a stack trace.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  // Decided before parsing, so that a usage error is JSON under --json too.
  const jsonErrors = options(argv).includes('--json');
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      io.err(help());
      return EXIT.usage;
    }
    if (name === '--help' || name === '-h') {
      io.out(help());
      return EXIT.ok;
    }
    if (name === '--version') {
      io.out(`${version()}\n`);
      return EXIT.ok;
    }
    if (name === 'help') {
      if (rest.length > 1) throw new UsageError('help', `takes one command, got ${rest.length}`);
      io.out(rest.length === 0 ? help() : usageOf(find(rest[0])));
      return EXIT.ok;
    }
    const command = find(name);
    if (options(rest).some((a) => a === '--help' || a === '-h')) {
      io.out(usageOf(command));
      return EXIT.ok;
    }
    const { positionals, values } = parseFlags(command, rest);
    return await command.run(positionals, values, io);
  } catch (e) {
    const [where, what] = place(e);
    io.err(jsonErrors ? `${jsonError(where, what)}\n` : `lagrad: ${where ? `${where}: ` : ''}${what}\n`);
    return statusOf(e);
  }
}

/** The arguments before `--` (after it, everything is positional). */
function options(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--');
  return end < 0 ? argv : argv.slice(0, end);
}

function find(name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (!command)
    throw new UsageError(`'${name}'`, `unknown command; choose one of ${commands.map((c) => c.name).join(', ')}`);
  return command;
}

/** Node's parseArgs, with its messages said the way lagrad says errors. */
function parseFlags(command: Command, args: string[]): { positionals: string[]; values: Flags } {
  try {
    // `-` alone is a positional (standard input); negative numbers only appear after `=`.
    const config = parseArgsOptions(command);
    const { positionals, values, tokens } = parseArgs({
      args,
      options: config,
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    // A flag that takes one value, given twice, would silently keep the last: an error instead.
    const seen = new Set<string>();
    for (const t of tokens) {
      if (t.kind !== 'option' || config[t.name]?.multiple) continue;
      if (seen.has(t.name)) throw new UsageError(`--${t.name}`, 'is given more than once; give it once');
      seen.add(t.name);
    }
    return { positionals, values: values as Flags };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message.split('\n')[0];
    const option = /'(-[^' ,<]+)/.exec(message)?.[1] ?? '';
    const what = /^Unknown option/.test(message)
      ? 'unknown option'
      : /argument missing/.test(message)
        ? 'needs a value'
        : /does not take an argument/.test(message)
          ? 'takes no value'
          : /ambiguous/.test(message)
            ? `a value that starts with '-' goes after '=' (${option}=-1)`
            : message.replace(/\. To specify .*$/, '');
    throw new UsageError(command.name, option ? `${option}: ${what}` : what);
  }
}

/** Any error as where and what, one line: ours as they are, the runtime's named for what they are. */
function place(e: unknown): [string, string] {
  if (e instanceof LagradError) return [e.where, e.what.split('\n')[0]];
  if (e instanceof RangeError && /call stack/i.test(e.message))
    return ['internal error', 'the call stack overflowed (please report this program)'];
  const message = e instanceof Error ? e.message : String(e);
  return ['internal error', message.split('\n')[0]];
}

/**
 * 2 for a usage error — a UsageError or OptionError, or any error placed at a command-line option
 * (`--tolerance: …`, a value out of its range) — 1 for any other bad input (a LagradError), and
 * 70 for anything else: a bug in lagrad (an InternalError, or an error of the runtime).
 */
function statusOf(e: unknown): number {
  if (!(e instanceof LagradError)) return EXIT.internal;
  return e instanceof UsageError || e instanceof OptionError || e.where.startsWith('--') ? EXIT.usage : EXIT.error;
}
