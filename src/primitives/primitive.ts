import type { Shape } from '../program/shape.ts';

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
  /**
   * Its rules on vectors and matrices, when they are not the entrywise ones derived from `value`
   * and `partials` (as `sum`, the total of every entry, declares).
   */
  readonly block?: BlockRules;
}

/**
 * A primitive that exists only on blocks (matmul, transpose, logsumexp…): a shape rule and its
 * value, JVP and VJP, declared once (DESIGN §9). Registered and used like any other.
 */
export interface BlockPrimitive {
  readonly name: string;
  readonly arity: 1 | 2 | 'variadic';
  readonly block: BlockRules;
  readonly constant?: boolean;
  readonly domain?: Domain;
  readonly doc?: string;
  readonly value?: undefined;
  readonly partials?: undefined;
}

/** Any registered primitive: scalar rules (derived entrywise on blocks), or block rules only. */
export type AnyPrimitive = Primitive | BlockPrimitive;

/** True when p has scalar rules (value and partials), so the scalar sweeps can run it. */
export function isScalarPrimitive(p: AnyPrimitive): p is Primitive {
  return p.value !== undefined;
}

/** Where one variable's entries lie in a slab (values, tangents or multipliers: all share the layout). */
export interface Block {
  /** The first entry's index in the slab. */
  readonly offset: number;
  readonly shape: Shape;
  /** Number of entries. */
  readonly size: number;
  /** The shape seen as a row-major matrix: a vector [n] is 1 × n, a scalar 1 × 1. */
  readonly rows: number;
  readonly cols: number;
}

/** A constraint v_i = p_i(v_Pa(i); θ) as block rules see it: its output's block, its arguments', θ. */
export interface BlockSite {
  readonly out: Block;
  readonly args: readonly Block[];
  readonly constant: number;
}

/**
 * A primitive's rules on blocks: J_ij = ∂p_i/∂v_j is a linear map, applied, never built. All
 * three read the values slab `v` (the output's own block included, as exp's partial reads y);
 * the tangent and multiplier slabs share its layout, so `site` offsets address all of them.
 */
export interface BlockRules {
  /** The output shape for these argument shapes, or a message saying why they do not fit. */
  shape(args: readonly Shape[], constant: number): Shape | string;
  /** v[out] = p(v[args]; θ). */
  value(v: Float64Array, site: BlockSite): void;
  /** JVP: dt[out] = Σ_k J_k t[args[k]], overwriting the output block. */
  jvp(v: Float64Array, t: Float64Array, dt: Float64Array, site: BlockSite): void;
  /**
   * VJP: dl[args[k]] += J_kᵀ l[out] for every k whose bit is set in `need` (bit k = 1 << k;
   * others may be skipped, as the gradient of data is not wanted).
   */
  vjp(v: Float64Array, l: Float64Array, dl: Float64Array, site: BlockSite, need: number): void;
}

/** Op code 0 is reserved for inputs: variables with no constraint. */
export const INPUT = 0;
