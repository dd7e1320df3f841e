import { broadcast, formatShape, SCALAR, type Shape } from '../../program/shape.ts';
import type { BlockRules, Primitive, Rule } from '../primitive.ts';

// A scalar primitive on blocks, derived from its one declaration (value and partials): it acts
// entry by entry, with a scalar broadcast against any shape and a vector [n] against the rows of
// an [m, n] matrix. The JVP is partial · v̇ and the VJP partial · λ, entry by entry; where an
// argument was broadcast, its VJP sums over the entries it was broadcast to.
//
// As for the scalar sweeps (kernels.ts), the loops are generated from the rule strings, so a
// string rule runs inline at the speed of a hand-written loop; a function rule is called.
//
// Each argument is read through two strides over the output seen as rows × cols: (cols, 1) when
// it has the output's shape, (0, 1) when it is a vector broadcast over rows, (0, 0) when scalar.

/** The entrywise block rules of a scalar primitive (arity 0, 1 or 2, or a fold over scalars). */
export function entrywiseRules(p: Primitive): BlockRules {
  if (p.arity === 'variadic') return foldRules(p);
  const make = (params: string, body: string) => new Function('P', `return function (${params}) {\n${body}\n}`)(p);
  const arity = p.arity;
  return {
    shape: (args) => entrywiseShape(args),
    value: make('v, s', loop(arity, [p.value], `v[e] = ${expression(p.value, 'P.value')};`, false)),
    jvp: make('v, t, dt, s', loop(arity, p.partials, `dt[e] = ${tangentSum(p)};`, true)),
    vjp: make('v, l, dl, s, need', loop(arity, p.partials, adjointUpdates(p), true, 'const l0 = l[e]; if (l0 === 0) continue;')),
  } as BlockRules;
}

/** The output shape of an entrywise operation, or why the arguments do not fit. */
export function entrywiseShape(args: readonly Shape[]): Shape | string {
  if (args.length === 0) return SCALAR;
  if (args.length === 1) return args[0];
  const shape = broadcast(args[0], args[1]);
  return shape ?? `shapes ${formatShape(args[0])} and ${formatShape(args[1])} do not match`;
}

const uses = (rule: Rule, name: string) => typeof rule !== 'string' || new RegExp(`\\b${name}\\b`).test(rule);

/** A rule as an expression over a, b, c, y; a function rule is called. */
function expression(rule: Rule, path: string): string {
  return typeof rule === 'string' ? `(${rule})` : `${path}(a, b, c, y)`;
}

function tangentSum(p: Primitive): string {
  const terms = p.partials.map((rule, k) => `${expression(rule, `P.partials[${k}]`)} * t[i${k}]`);
  return terms.length > 0 ? terms.join(' + ') : '0';
}

function adjointUpdates(p: Primitive): string {
  return p.partials.map((rule, k) => `if (need & ${1 << k}) dl[i${k}] += l0 * ${expression(rule, `P.partials[${k}]`)};`).join(' ');
}

/**
 * The loop over the output's entries e (row by row) with i0, i1 the entries of the arguments it
 * reads, and a, b, c (and y, the output, when `withY`) loaded as the rules need them.
 */
function loop(arity: number, rules: readonly Rule[], statement: string, withY: boolean, guard = ''): string {
  const need = (name: string) => rules.some((r) => uses(r, name));
  const loads = [
    arity >= 1 && need('a') ? 'const a = v[i0];' : 'const a = 0;',
    arity >= 2 && need('b') ? 'const b = v[i1];' : 'const b = 0;',
    withY && need('y') ? 'const y = v[e];' : 'const y = 0;',
  ].join(' ');
  const strides = Array.from({ length: arity }, (_, k) => `const A${k} = s.args[${k}]; const r${k} = A${k}.size === 1 ? 0 : A${k}.size === n ? cols : 0; const c${k} = A${k}.size === 1 ? 0 : 1;`).join('\n');
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

/**
 * A scalar fold (a user's variadic primitive) in a block program: y ← value(y, a) over the
 * arguments from y = identity, with ∂p/∂a from the one partial rule. Defined on scalars only.
 */
function foldRules(p: Primitive): BlockRules {
  const make = (params: string, body: string) => new Function('P', `return function (${params}) {\n${body}\n}`)(p);
  const partial = expression(p.partials[0], 'P.partials[0]');
  const each = (body: string) => `for (let k = 0; k < s.args.length; k++) { const a = v[s.args[k].offset]; const b = 0; ${body} }`;
  return {
    shape(args) {
      const block = args.find((shape) => shape.length > 0);
      return block ? `'${p.name}' folds scalars; it has no form for a ${formatShape(block)} argument` : SCALAR;
    },
    value: make('v, s', `const c = s.constant; let y = ${p.identity ?? 0}; ${each(`y = ${expression(p.value, 'P.value')};`)} v[s.out.offset] = y;`),
    jvp: make('v, t, dt, s', `const c = s.constant; const y = v[s.out.offset]; let sum = 0; ${each(`sum += ${partial} * t[s.args[k].offset];`)} dt[s.out.offset] = sum;`),
    vjp: make('v, l, dl, s, need', `const c = s.constant; const y = v[s.out.offset]; const l0 = l[s.out.offset]; if (l0 === 0) return; ${each(`if (k >= 31 || need & (1 << k)) dl[s.args[k].offset] += l0 * ${partial};`)}`),
  } as BlockRules;
}
