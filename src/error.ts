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
