import { LagradError, UsageError } from '../error.ts';
import { parse, parseProgram } from '../frontend/parse.ts';
import type { Program } from '../program/program.ts';
import type { OptionSpec } from './command.ts';
import type { Io } from './io.ts';
import type { Shape } from '../program/shape.ts';

/** The <source> argument, as `--help` explains it. */
export const SOURCE_HELP = '  <source>  a .lag file, - for standard input, or an expression';

/** The options that pick the point and the output, for every command that reads a program. */
export const POINT_OPTIONS = {
  at: {
    type: 'string',
    multiple: true,
    value: 'x=2,y=-1',
    help: 'input values by name; repeatable',
    default: "the program's input defaults",
  },
  output: {
    type: 'string',
    value: 'NAME',
    help: 'which output is the objective, when the program has several',
    default: 'the only output',
  },
} as const satisfies Record<string, OptionSpec>;

/**
 * `<source>`: a path ending in .lag, `-` for standard input, or else an expression. An
 * expression's inputs take their `shapes` (from `--data`); a program declares its own.
 */
export function loadSource(source: string | undefined, io: Io, shapes?: Readonly<Record<string, Shape>>): Program {
  if (source === undefined)
    throw new UsageError('usage', 'missing <source>: a .lag file, - for standard input, or an expression');
  if (source === '-') return parse(io.readStdin(), { file: '<stdin>', shapes });
  if (source.endsWith('.lag')) {
    let text: string;
    try {
      text = io.readFile(source);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new LagradError(
        source,
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'is a directory'
            : `cannot be read (${code ?? (e as Error).message})`,
      );
    }
    return parseProgram(text, { file: source });
  }
  return parse(source, { shapes });
}

/**
 * The one positional argument of a command: `<source>`. More is an error naming the first extra
 * (an expression with spaces needs quotes).
 */
export function onlySource(positionals: readonly string[]): string | undefined {
  if (positionals.length > 1) {
    throw new UsageError(
      'usage',
      `one <source> expected, but '${positionals[1]}' follows '${positionals[0]}' (quote an expression that has spaces)`,
    );
  }
  return positionals[0];
}

export const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** `--at x=2,y=-1` (repeatable) as input values by name, in a map without a prototype (so `__proto__` is a name like any other). */
export function parseAt(values: readonly string[] | undefined): Record<string, number> {
  const at: Record<string, number> = Object.create(null);
  for (const group of values ?? []) {
    for (const item of group.split(',')) {
      const text = item.trim();
      if (text === '') continue;
      const eq = text.indexOf('=');
      if (eq <= 0) throw new UsageError('--at', `'${text}' is not NAME=NUMBER`);
      const name = text.slice(0, eq).trim();
      const value = text.slice(eq + 1).trim();
      if (!NUMBER.test(value)) throw new UsageError('--at', `'${value}' (for ${name}) is not a number`);
      // Across groups too (`--at x=1 --at x=2`): a second value would silently replace the first.
      if (name in at)
        throw new UsageError('--at', `${name} is given twice (${at[name]} and ${value}); give each input once`);
      at[name] = Number(value);
    }
  }
  return at;
}

/** A numeric flag's value, or an error naming the flag. */
export function numberFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!NUMBER.test(value.trim()) && !/^[+-]?Infinity$/.test(value.trim()))
    throw new UsageError(`--${flag}`, `'${value}' is not a number`);
  return Number(value);
}
