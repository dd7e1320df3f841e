import type { CheckedPrimitive } from './declaration.ts';
import type { RuleFunction } from './ruleExpression.ts';
import { SCALAR, sweepSource, SWEEP_KINDS, type Addressing, type SweepKind } from './sweepSource.ts';

// The sweeps every schedule is built from, over the program's arrays (op codes, parent offsets and
// parents, constants θ). Two implementations with one meaning: generated from sweepSource.ts with
// `new Function` (the fast path), or interpretedKernels.ts (the reference, and the fallback where
// code generation is refused). Schedules reach them through sweepsOf(program) (sweeps.ts).

/**
 * v[i] = p_i(v_Pa(i)) for i in [from, to), in order. Inputs are left untouched. Returns Σ v_i·0
 * over the values written: 0 when every one is finite, NaN when some is NaN or ±∞ (the caller then
 * scans for the constraint to name; finite.ts).
 */
export type ForwardSweep = (
  v: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  from: number,
  to: number,
) => number;

/**
 * dst[j] += src[i] · ∂p_i/∂v_j for every parent j of i, for i from to−1 down to from: one
 * application of Jᵀ, which with src = dst is back-substitution of (I − J)ᵀλ = w. Constraints with
 * src[i] = 0 are skipped (they add nothing, even where a partial is not finite). Returns how many
 * constraints had their partials evaluated: the exact count for the schedules' stats.
 */
export type ReverseSweep = (
  v: Float64Array,
  src: Float64Array,
  dst: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  from: number,
  to: number,
) => number;

/** dst[i] = Σ_j ∂p_i/∂v_j · src[j] for i in [from, to), in order: one application of J. Inputs are left untouched. */
export type TangentSweep = (
  v: Float64Array,
  src: Float64Array,
  dst: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  from: number,
  to: number,
) => void;

/** The tangent sweep on K lanes at once: T[i·K + k] = Σ_j ∂p_i/∂v_j · T[j·K + k]. */
export type LaneSweep = (
  v: Float64Array,
  T: Float64Array,
  K: number,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  from: number,
  to: number,
) => void;

/** p_i(v_Pa(i)) of one constraint, without writing it (v_i itself for an input). */
export type ValueOf = (
  i: number,
  v: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
) => number;

/** out[k] = ∂p_i/∂v_(k-th parent of i), reading y from v[i]. */
export type PartialsOf = (
  i: number,
  v: Float64Array,
  op: Int32Array,
  ps: Int32Array,
  pa: Int32Array,
  cs: Float64Array,
  out: Float64Array,
) => void;

export interface Kernels {
  readonly forward: ForwardSweep;
  readonly reverse: ReverseSweep;
  readonly tangent: TangentSweep;
  readonly lanes: LaneSweep;
  readonly value: ValueOf;
  readonly partials: PartialsOf;
}

/** The name stack traces and profilers show for a generated sweep. */
export const sourceUrl = (kind: SweepKind) => `lagrad/kernels/${kind}.js`;

/** The function rules of the table, by op code, as the generated code calls them: R[code].partials[k](a, b, c, y). */
export function functionRules(
  table: readonly CheckedPrimitive[],
): { value?: RuleFunction; partials: (RuleFunction | undefined)[] }[] {
  const rules: { value?: RuleFunction; partials: (RuleFunction | undefined)[] }[] = [];
  for (const p of table) {
    rules[p.code] = {
      value: p.value.kind === 'function' ? p.value.fn : undefined,
      partials: p.partials.map((rule) => (rule.kind === 'function' ? rule.fn : undefined)),
    };
  }
  return rules;
}

/** Compiles one sweep; its source ends with a sourceURL, so a throwing rule shows `lagrad/kernels/reverse.js`. */
function compile<T>(kind: SweepKind, table: readonly CheckedPrimitive[], R: unknown, at: Addressing): T {
  return new Function('R', `${sweepSource(kind, table, at)}\nreturn ${kind};\n//# sourceURL=${sourceUrl(kind)}`)(
    R,
  ) as T;
}

/** Generates and compiles every sweep for a table of checked primitives (entry 0 is the input slot). */
export function compileKernels(table: readonly CheckedPrimitive[], at: Addressing = SCALAR): Kernels {
  const R = functionRules(table);
  return {
    forward: compile('forward', table, R, at),
    reverse: compile('reverse', table, R, at),
    tangent: compile('tangent', table, R, at),
    lanes: compile('lanes', table, R, at),
    value: compile('value', table, R, at),
    partials: compile('partials', table, R, at),
  };
}

/**
 * Compiles the cases of a table without running them: at registration, a primitive's cases are
 * compiled on their own before it joins the table, so nothing it declares can break the sweeps of
 * every other primitive. Throws the engine's SyntaxError if a case does not compile.
 */
export function compileInIsolation(table: readonly CheckedPrimitive[]): void {
  new Function('R', SWEEP_KINDS.map((kind) => sweepSource(kind, table)).join('\n'));
}
