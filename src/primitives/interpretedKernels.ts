import type { CheckedPrimitive, CheckedRule } from './declaration.ts';
import type { Kernels } from './kernels.ts';
import { INPUT } from './primitive.ts';
import { interpretRule, type RuleFunction } from './ruleExpression.ts';

// The sweeps without generated code: for each constraint, read its parents and call its primitive's
// value or partial rules as functions (the loop of JAX's autodidax). Same signatures, same order of
// operations and so the same bits as the generated sweeps: the tests' oracle for them, and what runs
// where code generation is refused. String rules are interpreted (ruleExpression.ts), never compiled.

interface Rules {
  readonly arity: 0 | 1 | 2 | 'variadic';
  readonly identity: number;
  readonly value: RuleFunction;
  readonly partials: readonly RuleFunction[];
}

const asFunction = (rule: CheckedRule): RuleFunction => (rule.kind === 'function' ? rule.fn : interpretRule(rule.node));

/** The reference sweeps for a table of checked primitives (entry 0 is the input slot). */
export function interpretedKernels(table: readonly CheckedPrimitive[]): Kernels {
  const rules: Rules[] = [];
  for (const p of table)
    rules[p.code] = {
      arity: p.primitive.arity,
      identity: p.identity,
      value: asFunction(p.value),
      partials: p.partials.map(asFunction),
    };
  const rulesOf = (code: number): Rules => {
    const r = code === INPUT ? undefined : rules[code];
    if (r === undefined) throw new Error('lagrad: unknown op code ' + code);
    return r;
  };

  /** p_i(v_Pa(i)): a fold over the parents for a variadic primitive. */
  function valueAt(r: Rules, i: number, v: Float64Array, ps: Int32Array, pa: Int32Array, cs: Float64Array): number {
    const s = ps[i];
    if (r.arity === 'variadic') {
      let y = r.identity;
      for (let q = s; q < ps[i + 1]; q++) y = r.value(v[pa[q]], 0, cs[i], y);
      return y;
    }
    return r.value(r.arity >= 1 ? v[pa[s]] : 0, r.arity === 2 ? v[pa[s + 1]] : 0, cs[i], 0);
  }

  /** ∂p_i/∂v_j for the parent j = pa[q], reading y from v_i. */
  function partialAt(
    r: Rules,
    i: number,
    q: number,
    v: Float64Array,
    ps: Int32Array,
    pa: Int32Array,
    cs: Float64Array,
  ): number {
    if (r.arity === 'variadic') return r.partials[0](v[pa[q]], 0, cs[i], v[i]);
    const s = ps[i];
    return r.partials[q - s](r.arity >= 1 ? v[pa[s]] : 0, r.arity === 2 ? v[pa[s + 1]] : 0, cs[i], v[i]);
  }

  return {
    forward(v, op, ps, pa, cs, from, to) {
      let finite = 0;
      for (let i = from; i < to; i++) {
        if (op[i] === INPUT) continue;
        const vi = valueAt(rulesOf(op[i]), i, v, ps, pa, cs);
        v[i] = vi;
        finite += vi * 0;
      }
      return finite;
    },

    reverse(v, src, dst, op, ps, pa, cs, from, to) {
      let counted = 0;
      for (let i = to - 1; i >= from; i--) {
        if (src[i] === 0 || op[i] === INPUT) continue;
        const r = rulesOf(op[i]);
        counted++;
        const l = src[i];
        for (let q = ps[i]; q < ps[i + 1]; q++) dst[pa[q]] += l * partialAt(r, i, q, v, ps, pa, cs);
      }
      return counted;
    },

    tangent(v, src, dst, op, ps, pa, cs, from, to) {
      for (let i = from; i < to; i++) {
        if (op[i] === INPUT) continue;
        const r = rulesOf(op[i]);
        // A fixed arity sums its terms as `t0 + t1` (no leading 0 +, which would turn −0 into 0); a fold starts from 0.
        const s = ps[i];
        let t = r.arity === 'variadic' || s === ps[i + 1] ? 0 : src[pa[s]] * partialAt(r, i, s, v, ps, pa, cs);
        for (let q = r.arity === 'variadic' ? s : s + 1; q < ps[i + 1]; q++)
          t += src[pa[q]] * partialAt(r, i, q, v, ps, pa, cs);
        dst[i] = t;
      }
    },

    lanes(v, T, K, op, ps, pa, cs, from, to) {
      for (let i = from; i < to; i++) {
        if (op[i] === INPUT) continue;
        const r = rulesOf(op[i]);
        const o = i * K;
        const s = ps[i];
        if (r.arity === 'variadic') {
          // The row may be among its own parents (a self-loop of a cyclic component): its old
          // value is scaled by those partials first, then the other parents are added to it.
          let self = 0;
          for (let q = s; q < ps[i + 1]; q++) if (pa[q] === i) self += partialAt(r, i, q, v, ps, pa, cs);
          if (self === 0) for (let k = 0; k < K; k++) T[o + k] = 0;
          else for (let k = 0; k < K; k++) T[o + k] *= self;
          for (let q = s; q < ps[i + 1]; q++) {
            if (pa[q] === i) continue;
            const d = partialAt(r, i, q, v, ps, pa, cs);
            const row = pa[q] * K;
            for (let k = 0; k < K; k++) T[o + k] += d * T[row + k];
          }
          continue;
        }
        // Every partial first, then each lane as d0·T0 + d1·T1: the row may be its own parent's.
        const d0 = r.arity >= 1 ? partialAt(r, i, s, v, ps, pa, cs) : 0;
        const d1 = r.arity === 2 ? partialAt(r, i, s + 1, v, ps, pa, cs) : 0;
        const r0 = r.arity >= 1 ? pa[s] * K : 0;
        const r1 = r.arity === 2 ? pa[s + 1] * K : 0;
        for (let k = 0; k < K; k++)
          T[o + k] = r.arity === 0 ? 0 : r.arity === 1 ? d0 * T[r0 + k] : d0 * T[r0 + k] + d1 * T[r1 + k];
      }
    },

    value(i, v, op, ps, pa, cs) {
      return op[i] === INPUT ? v[i] : valueAt(rulesOf(op[i]), i, v, ps, pa, cs);
    },

    partials(i, v, op, ps, pa, cs, out) {
      if (op[i] === INPUT) return;
      const r = rulesOf(op[i]);
      for (let q = ps[i]; q < ps[i + 1]; q++) out[q - ps[i]] = partialAt(r, i, q, v, ps, pa, cs);
    },
  };
}
