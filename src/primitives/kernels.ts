import type { Primitive, Rule } from './primitive.ts';
import { INPUT } from './primitive.ts';

// The sweeps every schedule is built from, generated once per registry from the primitives' value
// and partial rules. One `switch` over op codes in a loop over typed arrays is the fastest scalar
// tape JavaScript has (monomorphic, no call per variable); generating it keeps each primitive
// declared in exactly one place while every sweep is derived from that declaration.
//
// Array names in the generated code: v values, op op codes, ps parent offsets (CSR), pa parents,
// cs constants θ; src/dst the arrays a sweep reads and writes (the same array for a
// Gauss–Seidel sweep such as backprop, two arrays for a Jacobi sweep).

/** v[i] = p_i(v_Pa(i)) for i in [from, to), in order. Inputs are left untouched. */
export type ForwardSweep = (v: Float64Array, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array, from: number, to: number) => void;

/**
 * dst[j] += src[i] · ∂p_i/∂v_j for every parent j of i, for i from to−1 down to from: one
 * application of Jᵀ, which with src = dst is back-substitution of (I − J)ᵀλ = w. Constraints with
 * src[i] = 0 are skipped (they add nothing, even where a partial is not finite). Returns how many
 * constraints had their partials evaluated: the exact count for the schedules' stats.
 */
export type ReverseSweep = (v: Float64Array, src: Float64Array, dst: Float64Array, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array, from: number, to: number) => number;

/** dst[i] = Σ_j ∂p_i/∂v_j · src[j] for i in [from, to), in order: one application of J. Inputs are left untouched. */
export type TangentSweep = (v: Float64Array, src: Float64Array, dst: Float64Array, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array, from: number, to: number) => void;

/** The tangent sweep on K lanes at once: T[i·K + k] = Σ_j ∂p_i/∂v_j · T[j·K + k]. */
export type LaneSweep = (v: Float64Array, T: Float64Array, K: number, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array, from: number, to: number) => void;

/** p_i(v_Pa(i)) of one constraint, without writing it. */
export type ValueOf = (i: number, v: Float64Array, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array) => number;

/** out[k] = ∂p_i/∂v_(k-th parent of i), reading y from v[i]. */
export type PartialsOf = (i: number, v: Float64Array, op: Int32Array, ps: Int32Array, pa: Int32Array, cs: Float64Array, out: Float64Array) => void;

export interface Kernels {
  readonly forward: ForwardSweep;
  readonly reverse: ReverseSweep;
  readonly tangent: TangentSweep;
  readonly lanes: LaneSweep;
  readonly value: ValueOf;
  readonly partials: PartialsOf;
}

const uses = (rule: Rule, name: string) => typeof rule !== 'string' || new RegExp(`\\b${name}\\b`).test(rule);

/** A rule as an expression; function rules are called through the table R. */
function expr(rule: Rule, code: number, which: string): string {
  return typeof rule === 'string' ? `(${rule})` : `R[${code}].${which}(a, b, c, y)`;
}

/** `l · rule`, with the common constant partials folded away. */
function times(l: string, rule: Rule, code: number, which: string): string {
  if (rule === '1') return l;
  if (rule === '-1') return `-${l}`;
  return `${l} * ${expr(rule, code, which)}`;
}

function loads(p: Primitive, rules: readonly Rule[], withY: boolean): string {
  const need = (name: string) => rules.some((r) => uses(r, name));
  const lines: string[] = [];
  if (need('a')) lines.push(p.arity === 0 ? 'const a = 0;' : 'const a = v[pa[s]];');
  if (need('b')) lines.push(p.arity === 2 ? 'const b = v[pa[s + 1]];' : 'const b = 0;');
  if (need('c')) lines.push('const c = cs[i];');
  if (withY && need('y')) lines.push('const y = v[i];');
  return lines.join(' ');
}

/** Loads for the body of a variadic loop: `a` is the parent at q; `c` and `y` are per constraint. */
function variadicLoads(rules: readonly Rule[], withY: boolean): [string, string] {
  const need = (name: string) => rules.some((r) => uses(r, name));
  const outer = [need('c') ? 'const c = cs[i];' : '', withY && need('y') ? 'const y = v[i];' : '', 'const b = 0;'].join(' ');
  const inner = need('a') ? 'const a = v[pa[q]];' : '';
  return [outer, inner];
}

type CaseWriter = (p: Primitive, code: number) => string;

// A multiplier that is exactly 0 adds nothing, so the reverse sweep skips its constraint: no partials
// for variables the objective does not depend on (often most of a program with several outputs).
// Where such a partial is undefined (sqrt at 0), 0·∞ would have made a NaN of a well-defined gradient.
const SKIP_ZERO = 'if (src[i] === 0) continue;\n  ';

/**
 * The loop of a sweep over a switch on op codes; `guard` is a statement run first for each i. With
 * `counted`, the sweep returns how many constraints (inputs excluded) it worked on.
 */
function sweepSource(signature: string, loop: string, caseOf: CaseWriter, table: readonly Primitive[], guard = '', counted = false): string {
  const count = counted ? 'counted++; ' : '';
  const cases = table.map((p, code) => (code === INPUT ? `case ${INPUT}: break;` : `case ${code}: { ${count}${caseOf(p, code)} break; }`));
  const body = `${loop} {\n  ${guard}const s = ps[i];\n  switch (op[i]) {\n    ${cases.join('\n    ')}\n    default: throw new Error('lagrad: unknown op code ' + op[i]);\n  }\n}`;
  return `return function ${signature} {\n${counted ? `let counted = 0;\n${body}\nreturn counted;` : body}\n}`;
}

const forwardCase: CaseWriter = (p, code) => {
  if (p.arity === 'variadic') {
    const [outer, inner] = variadicLoads([p.value], false);
    return `${outer} let y = ${p.identity ?? 0}; for (let q = s, e = ps[i + 1]; q < e; q++) { ${inner} y = ${expr(p.value, code, 'value')}; } v[i] = y;`;
  }
  return `${loads(p, [p.value], false)} const y = 0; v[i] = ${expr(p.value, code, 'value')};`;
};

const reverseCase: CaseWriter = (p, code) => {
  if (p.arity === 'variadic') {
    const [outer, inner] = variadicLoads(p.partials, true);
    return `const l = src[i]; ${outer} for (let q = s, e = ps[i + 1]; q < e; q++) { ${inner} dst[pa[q]] += ${times('l', p.partials[0], code, 'partials[0]')}; }`;
  }
  const adds = p.partials.map((rule, k) => `dst[pa[s + ${k}]] += ${times('l', rule, code, `partials[${k}]`)};`);
  return `const l = src[i]; ${loads(p, p.partials, true)} ${adds.join(' ')}`;
};

const tangentCase: CaseWriter = (p, code) => {
  if (p.arity === 'variadic') {
    const [outer, inner] = variadicLoads(p.partials, true);
    return `${outer} let t = 0; for (let q = s, e = ps[i + 1]; q < e; q++) { ${inner} t += ${times('src[pa[q]]', p.partials[0], code, 'partials[0]')}; } dst[i] = t;`;
  }
  const terms = p.partials.map((rule, k) => times(`src[pa[s + ${k}]]`, rule, code, `partials[${k}]`));
  return `${loads(p, p.partials, true)} dst[i] = ${terms.length ? terms.join(' + ') : '0'};`;
};

const laneCase: CaseWriter = (p, code) => {
  if (p.arity === 'variadic') {
    const [outer, inner] = variadicLoads(p.partials, true);
    return `${outer} const o = i * K; for (let k = 0; k < K; k++) T[o + k] = 0; for (let q = s, e = ps[i + 1]; q < e; q++) { ${inner} const d = ${expr(p.partials[0], code, 'partials[0]')}; const r = pa[q] * K; for (let k = 0; k < K; k++) T[o + k] += d * T[r + k]; }`;
  }
  const partials = p.partials.map((rule, k) => `const d${k} = ${expr(rule, code, `partials[${k}]`)}; const r${k} = pa[s + ${k}] * K;`);
  const sum = p.partials.map((_, k) => `d${k} * T[r${k} + k]`).join(' + ') || '0';
  return `${loads(p, p.partials, true)} ${partials.join(' ')} const o = i * K; for (let k = 0; k < K; k++) T[o + k] = ${sum};`;
};

const valueCase: CaseWriter = (p, code) => forwardCase(p, code).replace(/v\[i\] = ([^;]*);$/, 'return $1;');

const partialsCase: CaseWriter = (p, code) => {
  if (p.arity === 'variadic') {
    const [outer, inner] = variadicLoads(p.partials, true);
    return `${outer} for (let q = s, e = ps[i + 1]; q < e; q++) { ${inner} out[q - s] = ${expr(p.partials[0], code, 'partials[0]')}; }`;
  }
  const writes = p.partials.map((rule, k) => `out[${k}] = ${expr(rule, code, `partials[${k}]`)};`);
  return `${loads(p, p.partials, true)} ${writes.join(' ')}`;
};

function single(signature: string, caseOf: CaseWriter, table: readonly Primitive[], after: string): string {
  const cases = table.map((p, code) => (code === INPUT ? `case ${INPUT}: ${after}` : `case ${code}: { ${caseOf(p, code)} ${after} }`));
  return `return function ${signature} {\n  const s = ps[i];\n  switch (op[i]) {\n    ${cases.join('\n    ')}\n    default: throw new Error('lagrad: unknown op code ' + op[i]);\n  }\n}`;
}

/** Compiles every sweep for a table of primitives indexed by op code (entry 0 is the input slot). */
export function compileKernels(table: readonly Primitive[]): Kernels {
  const make = <T>(source: string): T => new Function('R', source)(table) as T;
  const up = 'for (let i = from; i < to; i++)';
  const down = 'for (let i = to - 1; i >= from; i--)';
  return {
    forward: make(sweepSource('forward(v, op, ps, pa, cs, from, to)', up, forwardCase, table)),
    reverse: make(sweepSource('reverse(v, src, dst, op, ps, pa, cs, from, to)', down, reverseCase, table, SKIP_ZERO, true)),
    tangent: make(sweepSource('tangent(v, src, dst, op, ps, pa, cs, from, to)', up, tangentCase, table)),
    lanes: make(sweepSource('lanes(v, T, K, op, ps, pa, cs, from, to)', up, laneCase, table)),
    value: make(single('value(i, v, op, ps, pa, cs)', valueCase, table, 'return v[i];')),
    partials: make(single('partials(i, v, op, ps, pa, cs, out)', partialsCase, table, 'return;')),
  };
}
