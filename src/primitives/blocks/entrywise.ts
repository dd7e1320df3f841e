import { broadcast, formatShape, SCALAR, type Shape } from '../../program/shape.ts';
import { interpreting } from '../codegen.ts';
import type { CheckedPrimitive, CheckedRule } from '../declaration.ts';
import type { BlockRules, BlockSite } from '../primitive.ts';
import { interpretRule, printRule, reads, type Operand, type RuleFunction } from '../ruleExpression.ts';

// A scalar primitive on blocks, derived from its one declaration (value and partials): it acts
// entry by entry, with a scalar broadcast against any shape and a vector [n] against the rows of
// an [m, n] matrix. The JVP is partial · v̇ and the VJP partial · λ, entry by entry; where an
// argument was broadcast, its VJP sums over the entries it was broadcast to.
//
// As for the scalar sweeps, the loops are printed from the parsed rules and compiled, so a string
// rule runs inline at the speed of a hand-written loop (a function rule is called); where code
// generation is refused (codegen.ts) the same loops run with the rules interpreted.
//
// Each argument is read through two strides over the output seen as rows × cols: (cols, 1) when
// it has the output's shape, (0, 1) when it is a vector broadcast over rows, (0, 0) when scalar.

/** The entrywise block rules of a checked scalar primitive (arity 0, 1 or 2, or a fold over scalars). */
export function entrywiseRules(p: CheckedPrimitive): BlockRules {
  if (p.primitive.arity === 'variadic') return foldRules(p);
  return interpreting() ? interpreted(p) : generated(p);
}

/** The output shape of an entrywise operation, or why the arguments do not fit. */
export function entrywiseShape(args: readonly Shape[]): Shape | string {
  if (args.length === 0) return SCALAR;
  if (args.length === 1) return args[0];
  const shape = broadcast(args[0], args[1]);
  return shape ?? `shapes ${formatShape(args[0])} and ${formatShape(args[1])} do not match`;
}

const arityOf = (p: CheckedPrimitive) => p.primitive.arity as 0 | 1 | 2;

// ── generated ─────────────────────────────────────────────────────────────────────────────────

const uses = (rule: CheckedRule, name: Operand) => rule.kind === 'function' || reads(rule.node, name);

/** A rule as an expression of generated code; a function rule is called through P. */
function code(rule: CheckedRule, path: string): string {
  return rule.kind === 'expression' ? `(${printRule(rule.node)})` : `${path}(a, b, c, y)`;
}

function generated(p: CheckedPrimitive): BlockRules {
  const P = { value: fn(p.value), partials: p.partials.map(fn) };
  const make = (params: string, body: string) => new Function('P', `return function (${params}) {\n${body}\n}`)(P);
  const arity = arityOf(p);
  const tangent = p.partials.map((rule, k) => `${code(rule, `P.partials[${k}]`)} * t[i${k}]`).join(' + ') || '0';
  const adjoint = p.partials
    .map((rule, k) => `if (need & ${1 << k}) dl[i${k}] += l0 * ${code(rule, `P.partials[${k}]`)};`)
    .join(' ');
  return {
    shape: entrywiseShape,
    value: make('v, s', loop(arity, [p.value], `v[e] = ${code(p.value, 'P.value')};`, false)),
    jvp: make('v, t, dt, s', loop(arity, p.partials, `dt[e] = ${tangent};`, true)),
    vjp: make('v, l, dl, s, need', loop(arity, p.partials, adjoint, true, 'const l0 = l[e]; if (l0 === 0) continue;')),
  } as BlockRules;
}

const fn = (rule: CheckedRule) => (rule.kind === 'function' ? rule.fn : undefined);

/**
 * The loop over the output's entries e (row by row) with i0, i1 the entries of the arguments it
 * reads, and a, b, c (and y, the output, when `withY`) loaded as the rules need them.
 */
function loop(arity: number, rules: readonly CheckedRule[], statement: string, withY: boolean, guard = ''): string {
  const need = (name: Operand) => rules.some((r) => uses(r, name));
  const loads = [
    arity >= 1 && need('a') ? 'const a = v[i0];' : 'const a = 0;',
    arity >= 2 && need('b') ? 'const b = v[i1];' : 'const b = 0;',
    withY && need('y') ? 'const y = v[e];' : 'const y = 0;',
  ].join(' ');
  const strides = Array.from(
    { length: arity },
    (_, k) =>
      `const A${k} = s.args[${k}]; const r${k} = A${k}.size === 1 ? 0 : A${k}.size === n ? cols : 0; const c${k} = A${k}.size === 1 ? 0 : 1;`,
  ).join('\n');
  const rowStarts = Array.from({ length: arity }, (_, k) => `let i${k} = A${k}.offset + r * r${k};`).join(' ');
  const steps = Array.from({ length: arity }, (_, k) => `i${k} += c${k}`).join(', ');
  return `const out = s.out; const n = out.size; const rows = out.rows; const cols = out.cols; const c = s.constant;
${strides}
let e = out.offset;
for (let r = 0; r < rows; r++) {
  ${rowStarts}
  for (let k = 0; k < cols; k++, e++${steps ? `, ${steps}` : ''}) {
    ${guard} ${loads} ${statement}
  }
}`;
}

// ── interpreted ───────────────────────────────────────────────────────────────────────────────

const callable = (rule: CheckedRule): RuleFunction => (rule.kind === 'function' ? rule.fn : interpretRule(rule.node));

/** Where argument k's entries start for row r, and its step along a row, as in the generated loop. */
function strides(s: BlockSite, k: number): [number, number] {
  const A = s.args[k];
  if (A === undefined || A.size === 1) return [0, 0];
  return [A.size === s.out.size ? s.out.cols : 0, 1];
}

/** The same loops with the rules as functions: the reference, and the path without code generation. */
function interpreted(p: CheckedPrimitive): BlockRules {
  const value = callable(p.value);
  const partials = p.partials.map(callable);
  const arity = arityOf(p);
  const each = (
    v: Float64Array,
    s: BlockSite,
    body: (e: number, i0: number, i1: number, a: number, b: number) => void,
  ) => {
    const [r0, c0] = strides(s, 0);
    const [r1, c1] = strides(s, 1);
    const { rows, cols } = s.out;
    const o0 = arity >= 1 ? s.args[0].offset : 0;
    const o1 = arity >= 2 ? s.args[1].offset : 0;
    let e = s.out.offset;
    for (let r = 0; r < rows; r++) {
      let i0 = o0 + r * r0;
      let i1 = o1 + r * r1;
      for (let k = 0; k < cols; k++, e++, i0 += c0, i1 += c1)
        body(e, i0, i1, arity >= 1 ? v[i0] : 0, arity >= 2 ? v[i1] : 0);
    }
  };
  return {
    shape: entrywiseShape,
    value: (v, s) => each(v, s, (e, _i0, _i1, a, b) => (v[e] = value(a, b, s.constant, 0))),
    jvp: (v, t, dt, s) =>
      each(v, s, (e, i0, i1, a, b) => {
        let sum = 0;
        for (let k = 0; k < arity; k++) sum += partials[k](a, b, s.constant, v[e]) * t[k === 0 ? i0 : i1];
        dt[e] = sum;
      }),
    vjp: (v, l, dl, s, need) =>
      each(v, s, (e, i0, i1, a, b) => {
        const l0 = l[e];
        if (l0 === 0) return;
        for (let k = 0; k < arity; k++)
          if (need & (1 << k)) dl[k === 0 ? i0 : i1] += l0 * partials[k](a, b, s.constant, v[e]);
      }),
  };
}

/**
 * A scalar fold (a user's variadic primitive) in a block program: y ← value(y, a) over the
 * arguments from y = identity, with ∂p/∂a from the one partial rule. Defined on scalars only.
 */
function foldRules(p: CheckedPrimitive): BlockRules {
  const value = callable(p.value);
  const partial = callable(p.partials[0]);
  return {
    shape(args) {
      const block = args.find((shape) => shape.length > 0);
      return block
        ? `'${p.primitive.name}' folds scalars; it has no form for a ${formatShape(block)} argument`
        : SCALAR;
    },
    value(v, s) {
      let y = p.identity;
      for (const A of s.args) y = value(v[A.offset], 0, s.constant, y);
      v[s.out.offset] = y;
    },
    jvp(v, t, dt, s) {
      const y = v[s.out.offset];
      let sum = 0;
      for (const A of s.args) sum += partial(v[A.offset], 0, s.constant, y) * t[A.offset];
      dt[s.out.offset] = sum;
    },
    vjp(v, l, dl, s, need) {
      const l0 = l[s.out.offset];
      if (l0 === 0) return;
      const y = v[s.out.offset];
      s.args.forEach((A, k) => {
        if (k >= 31 || need & (1 << k)) dl[A.offset] += l0 * partial(v[A.offset], 0, s.constant, y);
      });
    },
  };
}
