import type { Io } from './io.ts';

/** Parsed flags: strings and booleans (repeatable flags as string arrays). */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** One option of a command, as `--help` shows it and the argument parser reads it. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once; the values are collected in order. */
  readonly multiple?: boolean;
  /** The value's placeholder in `--help`: `NAME`, `N`, `FILE`. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly help: string;
  /** The default, as `--help` states it; a flag (boolean) is off unless given. */
  readonly default?: string;
  /** Parsed but not listed in `--help`: an option accepted only to say why it does not apply here. */
  readonly hidden?: true;
}

/** One `lagrad <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `lagrad --help`. */
  readonly summary: string;
  /** The command's forms after `usage:`, one per line, and what its arguments are. */
  readonly synopsis: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** More text for `--help`, after the options. */
  readonly notes?: string;
  /** Runs with the positional arguments and flags; returns the exit status. */
  run(positionals: string[], flags: Flags, io: Io): number | Promise<number>;
}
