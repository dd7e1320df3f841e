/**
 * A rule is one scalar formula of a primitive: its value or one local partial.
 *
 * As a string it is one JavaScript expression over `a`, `b` (the first and second parent), `c` (the
 * constraint's constant θ), `y` (in a partial, the primitive's own output, as exp and tanh use; in a
 * variadic value, the fold so far) and `Math` — numbers, operators, `?:` and Math functions and
 * constants (ruleExpression.ts has the grammar); anything else is refused at registration. Strings
 * are printed into the schedules' sweeps (sweepSource.ts), so a string rule runs at the speed of
 * hand-written code, and are interpreted where code generation is refused. A function
 * `(a, b, c, y) => number` also works, at the cost of a call.
 */
export type Rule = string | ((a: number, b: number, c: number, y: number) => number);

/** Where a primitive is smooth and defined: sampling ranges for tests and random programs. */
export interface Domain {
  readonly a?: readonly [number, number];
  readonly b?: readonly [number, number];
  readonly c?: readonly [number, number];
}

/**
 * A primitive p of constraint v_i = p(v_Pa(i); θ): its name, arity, value and local partials
 * ∂p/∂v_Pa(i)[k], declared together, once. Every schedule is derived from `value` and `partials`.
 *
 * Arity 0, 1 or 2 reads parents `a`, `b`. A `variadic` primitive is a fold over its parents:
 * its `value` rule is the step y ← value(y, a) from y = identity, and its one partial rule gives
 * ∂p/∂a for the parent `a` it is taken with respect to (reading the final `y` and `c`).
 */
export interface Primitive {
  readonly name: string;
  readonly arity: 0 | 1 | 2 | 'variadic';
  readonly value: Rule;
  readonly partials: readonly Rule[];
  /** Variadic only: the fold's starting value. */
  readonly identity?: number;
  /** True when the constraint carries a constant θ (`c`), as `const` and `powc` do. */
  readonly constant?: boolean;
  /** Where to sample it; defaults to [-3, 3] for every argument. */
  readonly domain?: Domain;
  /** One line for the docs and `--help`. */
  readonly doc?: string;
}

/** Op code 0 is reserved for inputs: variables with no constraint. */
export const INPUT = 0;
