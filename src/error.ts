/**
 * The one error type lagrad throws for bad input: a place (`where`: file:line:col, a variable, a
 * primitive, a CLI flag) and what is wrong (`what`). The CLI prints `lagrad: <where>: <what>`.
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
 * A call or command line that is wrong whatever the program: an unknown command, option or name
 * in a table (schedule, strategy), a missing or extra argument, an option's value of the wrong form.
 * The CLI exits with status 2 for these (and for any error placed at an option, `--name`), 1 for
 * every other LagradError.
 */
export class UsageError extends LagradError {
  constructor(where: string, what: string) {
    super(where, what);
    this.name = 'UsageError';
  }
}
