/**
 * The one error type lagrad throws for bad input: a place (`where`: file:line:col, a variable, a
 * primitive, an option) and what is wrong (`what`). The CLI prints `lagrad: <where>: <what>`.
 */
export class LagradError extends Error {
  constructor(
    readonly where: string,
    readonly what: string,
  ) {
    super(where ? `${where}: ${what}` : what);
    this.name = 'LagradError';
  }
}

/**
 * Bad input in an option (a schedule setting such as `lanes`, or an API option): `where` is the
 * option's API name, which the CLI renders as its flag (`lanes` → `--lanes`).
 */
export class OptionError extends LagradError {
  constructor(
    readonly option: string,
    what: string,
  ) {
    super(option, what);
    this.name = 'OptionError';
  }
}

/**
 * A broken invariant: a bug in lagrad (or in a schedule or primitive registered into it), never a
 * property of the input. Deliberately not a LagradError, so no caller mistakes it for bad input —
 * `verify` reports it as a failure, never as a schedule that declined, and the CLI prints
 * `lagrad: internal error: …` with exit status EXIT_INTERNAL.
 */
export class InternalError extends Error {
  constructor(
    readonly where: string,
    what: string,
  ) {
    super(`${where}: ${what}`);
    this.name = 'InternalError';
  }
}

/**
 * The CLI's exit status for an internal error (a bug, not bad input): 70, EX_SOFTWARE of BSD's
 * sysexits.h, distinct from 1 (an error in the program, its data or numerics) and 2 (usage).
 */
export const EXIT_INTERNAL = 70;

/**
 * A call or command line that is wrong whatever the program: an unknown command, option or name
 * in a table (schedule, strategy), a missing or extra argument, an option's value of the wrong form.
 * The CLI exits with status 2 for these (and for an OptionError, or any error placed at an option,
 * `--name`), 1 for every other LagradError.
 */
export class UsageError extends LagradError {
  constructor(where: string, what: string) {
    super(where, what);
    this.name = 'UsageError';
  }
}
