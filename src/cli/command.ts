import type { ParseArgsConfig } from 'node:util';
import type { Io } from './io.ts';

/** Parsed flags: strings and booleans (repeatable flags as string arrays). */
export type Flags = Record<string, string | boolean | string[] | undefined>;

/** One `lagrad <name>` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `lagrad --help`. */
  readonly summary: string;
  /** The usage text for `lagrad <name> --help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Runs with the positional arguments and flags; returns the exit status. */
  run(positionals: string[], flags: Flags, io: Io): number | Promise<number>;
}
