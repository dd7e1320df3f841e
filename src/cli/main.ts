import { parseArgs } from 'node:util';
import { EXIT_INTERNAL, LagradError } from '../error.ts';
import type { Command, Flags } from './command.ts';
import { evalCommand } from './evalCommand.ts';
import { gradCommand } from './gradCommand.ts';
import { graphCommand } from './graphCommand.ts';
import type { Io } from './io.ts';
import { kernelsCommand } from './kernelsCommand.ts';
import { tradeoffCommand } from './tradeoffCommand.ts';
import { verifyCommand } from './verifyCommand.ts';

/** Every subcommand, in the order `lagrad --help` lists them. */
export const commands: Command[] = [evalCommand, gradCommand, verifyCommand, tradeoffCommand, graphCommand, kernelsCommand];

function help(): string {
  const rows = commands.map((c) => `  ${c.name.padEnd(9)}${c.summary}`).join('\n');
  return `lagrad — gradients by solving for Lagrange multipliers

usage: lagrad <command> <source> [options]     (lagrad <command> --help for more)

${rows}

<source> is a .lag file, - for standard input, or an expression such as 'z + sin(x^2 + y*exp(z))'.
`;
}

/**
 * Runs `lagrad <command> …` and returns the exit status. Bad input is one line on standard error,
 * `lagrad: <where>: <what>`, and status 1; an internal error (a bug) is `lagrad: internal error: …`
 * and status 70 (EXIT_INTERNAL); never a stack trace.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name === undefined ? 1 : 0;
  }
  const command = commands.find((c) => c.name === name);
  try {
    if (!command) throw new LagradError(`'${name}'`, `unknown command; choose one of ${commands.map((c) => c.name).join(', ')}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.usage + '\n');
      return 0;
    }
    const { positionals, values } = parseFlags(command, rest);
    return await command.run(positionals, values, io);
  } catch (e) {
    io.err(`lagrad: ${oneLine(e)}\n`);
    // Bad input (a LagradError) is status 1; anything else is a bug in lagrad: EXIT_INTERNAL (70).
    return e instanceof LagradError ? 1 : EXIT_INTERNAL;
  }
}

function parseFlags(command: Command, args: string[]): { positionals: string[]; values: Flags } {
  try {
    // `-` alone is a positional (standard input); negative numbers only appear after `=`.
    return parseArgs({ args, options: command.options, allowPositionals: true, strict: true }) as { positionals: string[]; values: Flags };
  } catch (e) {
    const message = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/^Unknown option '([^']*)'/, "$1: unknown option");
    throw new LagradError(command.name, message.split('\n')[0]);
  }
}

/** Any error as one line: ours as they are, the runtime's named for what they are. */
function oneLine(e: unknown): string {
  if (e instanceof LagradError) return e.message.split('\n')[0];
  if (e instanceof RangeError && /call stack/i.test(e.message)) return 'internal error: the call stack overflowed (please report this program)';
  const message = e instanceof Error ? e.message : String(e);
  return `internal error: ${message.split('\n')[0]}`;
}
