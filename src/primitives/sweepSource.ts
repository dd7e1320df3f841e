// Why one file of 310+ lines: The source of the generated sweeps: the cases share one set of addressing helpers.
import type { CheckedPrimitive, CheckedRule } from './declaration.ts';
import { INPUT } from './primitive.ts';
import { literal, printRule, PRODUCT_OPERAND, reads, type Operand } from './ruleExpression.ts';

// The source of every sweep, written from two shared pieces per primitive: how to load what its
// rules read (a, b, c, y) and its rules as expressions. Each sweep is a loop over the constraints
// with one `switch` over op codes, a case per primitive (`case 3: /* mul */`) — the fastest scalar
// tape JavaScript has: monomorphic, no call per variable. kernels.ts compiles these texts; nothing
// here edits the output of another template.
//
// Names in the generated code: v values, op op codes, ps parent offsets (CSR), pa parents, cs
// constants θ; src/dst the arrays a sweep reads and writes (one array for a Gauss–Seidel sweep such
// as backprop, two for a Jacobi sweep); T, K the tangent lanes; R[code] the function rules; j0, j1
// the parents' indices (read once, then used to load and to accumulate).
//
// The forward and reverse sweeps are the hot loops of every schedule, so they do no more than a
// hand-written tape: forward carries the parent offset s from one constraint to the next (parents
// are stored in order, so s advances by the arity; no ps[i] load), computes the value into a local,
// writes it once and folds `finite += vi * 0` — 0 while every value is finite, NaN from the first
// that is not — so the caller needs no second pass over the values to keep its promise of no silent
// NaN. Reverse reads λ_i once, skips zeros, and reads each parent index once.

/** The six sweeps, as `lagrad kernels` names them. */
export const SWEEP_KINDS = ['forward', 'reverse', 'tangent', 'lanes', 'value', 'partials'] as const;
export type SweepKind = (typeof SWEEP_KINDS)[number];

/**
 * Where variable i's number sits in a value array. Scalar programs use slot i; a program whose
 * variables live in slabs would read `off[i]` instead and add `off` to the arrays the sweeps take.
 */
export interface Addressing {
  /** Arrays the sweeps take after op, ps, pa, cs. */
  readonly arrays: readonly string[];
  /** The slot (an expression of generated code) of the variable whose index is `index`. */
  slot(index: string): string;
}

export const SCALAR: Addressing = { arrays: [], slot: (index) => index };

/** The parameters and the loop of each sweep, and what a case ends with. */
const SHAPES: Record<SweepKind, { params: string; loop: 'up' | 'down' | 'one'; end: string }> = {
  forward: { params: 'v, $, from, to', loop: 'up', end: 'break;' },
  reverse: { params: 'v, src, dst, $, from, to', loop: 'down', end: 'break;' },
  tangent: { params: 'v, src, dst, $, from, to', loop: 'up', end: 'break;' },
  lanes: { params: 'v, T, K, $, from, to', loop: 'up', end: 'break;' },
  value: { params: 'i, v, $', loop: 'one', end: '' },
  partials: { params: 'i, v, $, out', loop: 'one', end: 'return;' },
};

/** A sweep's source: `function reverse(v, src, dst, op, ps, pa, cs, from, to) { … }`. */
export function sweepSource(kind: SweepKind, table: readonly CheckedPrimitive[], at: Addressing = SCALAR): string {
  const shape = SHAPES[kind];
  const params = shape.params.replace('$', ['op', 'ps', 'pa', 'cs', ...at.arrays].join(', '));
  const cases = table.flatMap((p) => caseSource(kind, p, at));
  const fail = `default: throw new Error('lagrad: unknown op code ' + op[i]);`;
  // forward carries s across constraints (see the top of this file); the others read it per constraint.
  const offset = kind === 'forward' ? [] : ['const s = ps[i];'];
  const dispatch = [...offset, 'switch (op[i]) {', ...indent(cases), `  ${fail}`, '}'];
  if (shape.loop === 'one') return [`function ${kind}(${params}) {`, ...indent(dispatch), '}'].join('\n');
  const loop = shape.loop === 'up' ? 'for (let i = from; i < to; i++) {' : 'for (let i = to - 1; i >= from; i--) {';
  let body: string[];
  if (kind === 'forward') {
    const write = [`v[${at.slot('i')}] = vi;`, 'finite += vi * 0;'];
    body = [
      'let finite = 0;',
      'let s = ps[from];',
      loop,
      ...indent(['let vi = 0;', ...dispatch, ...write]),
      '}',
      'return finite;',
    ];
  } else if (kind === 'reverse') {
    // A multiplier that is exactly 0 adds nothing, so the reverse sweep skips its constraint: no
    // partials for variables the objective does not depend on (often most of a program with several
    // outputs), and no 0·∞ = NaN where such a partial is undefined (sqrt at 0).
    const guard = [`const l = src[${at.slot('i')}];`, 'if (l === 0) continue;'];
    body = ['let counted = 0;', loop, ...indent([...guard, ...dispatch, 'counted++;']), '}', 'return counted;'];
  } else {
    body = [loop, ...indent(dispatch), '}'];
  }
  return [`function ${kind}(${params}) {`, ...indent(body), '}'].join('\n');
}

/** One primitive's case of a sweep: `case 3: /* mul *\/ { … }`. */
export function caseSource(kind: SweepKind, p: CheckedPrimitive, at: Addressing = SCALAR): string[] {
  const label = `case ${p.code}: /* ${p.primitive.name} */`;
  if (p.code === INPUT)
    return [
      `${label} ${kind === 'value' ? `return v[${at.slot('i')}];` : kind === 'forward' || kind === 'reverse' ? 'continue;' : SHAPES[kind].end}`,
    ];
  const end = SHAPES[kind].end ? [SHAPES[kind].end] : [];
  return [`${label} {`, ...indent([...WRITERS[kind](p, at), ...end]), '}'];
}

// ── shared pieces (also used by programSource.ts, which prints one program's own code) ─────────

// Both are asked once per constraint when a program's own code is printed: remembered per rule.
const operandsRead = new WeakMap<CheckedRule, ReadonlySet<Operand>>();
const printed = new WeakMap<CheckedRule, Map<number, string>>();

/** True when a rule reads operand `name` (a function rule reads them all). */
export function uses(rule: CheckedRule, name: Operand): boolean {
  if (rule.kind === 'function') return true;
  let read = operandsRead.get(rule);
  if (read === undefined)
    operandsRead.set(rule, (read = new Set((['a', 'b', 'c', 'y'] as const).filter((o) => reads(rule.node, o)))));
  return read.has(name);
}

/** A rule as an expression of generated code; a function rule is called through R. */
export function ruleCode(rule: CheckedRule, p: CheckedPrimitive, field: string, context = 0): string {
  if (rule.kind === 'function') return `R[${p.code}].${field}(a, b, c, y)`;
  let byContext = printed.get(rule);
  if (byContext === undefined) printed.set(rule, (byContext = new Map()));
  let text = byContext.get(context);
  if (text === undefined) byContext.set(context, (text = printRule(rule.node, context)));
  return text;
}

/** `factor · rule`, with the constant partials 1 and −1 folded away. */
export function product(factor: string, rule: CheckedRule, p: CheckedPrimitive, field: string): string {
  const k = rule.kind === 'expression' ? literal(rule.node) : undefined;
  if (k === 1) return factor;
  if (k === -1) return `-${factor}`;
  return `${factor} * ${ruleCode(rule, p, field, PRODUCT_OPERAND)}`;
}

/** The field of R holding the k-th partial rule. */
export const partialField = (p: CheckedPrimitive, k: number) =>
  p.primitive.arity === 'variadic' ? 'partials[0]' : `partials[${k}]`;

/**
 * Where a case reads its constraint, as expressions of generated code: the index of v_i, of its
 * k-th parent (for a variadic primitive, of the parent at hand) and θ_i. A sweep reads them from
 * the program's arrays; a program's own straight-line code has them as literals.
 */
export interface Site {
  readonly self: string;
  parent(k: number): string;
  readonly theta: string;
  /** The value at an index as an expression (default `v[index]`): a program's own code may hold it in a local. */
  read?(index: string): string;
}

/** The value at `index`, as the site reads it. */
function valueAt(site: Site, at: Addressing, index: string): string {
  return site.read !== undefined ? site.read(index) : `v[${at.slot(index)}]`;
}

/** A sweep's sites: parents at pa[s + k] (a fold's at pa[q]), or in locals j0, j1 read once (reverse reads and then accumulates into them). */
const IN_ARRAYS: Site = { self: 'i', parent: (k) => (k === 0 ? 'pa[s]' : `pa[s + ${k}]`), theta: 'cs[i]' };
const IN_FOLD: Site = { self: 'i', parent: () => 'pa[q]', theta: 'cs[i]' };
const IN_LOCALS: Site = { self: 'i', parent: (k) => `j${k}`, theta: 'cs[i]' };
const siteOf = (p: CheckedPrimitive) => (p.primitive.arity === 'variadic' ? IN_FOLD : IN_ARRAYS);

/**
 * The loads the rules read, as statements. For a fixed arity: a and b from the parents, c = θ_i and
 * y, which is the output v_i in a partial ('output'), 0 in a value rule ('zero') and the running
 * value of a variadic fold ('fold', declared by the fold itself). For a variadic primitive `inner`
 * loads a from the parent at hand, inside the loop over parents, and b is 0. `declare` starts each
 * statement: `const ` in a case's block, nothing where the names are a function's reused locals.
 */
export function loads(
  p: CheckedPrimitive,
  rules: readonly CheckedRule[],
  y: 'output' | 'zero' | 'fold',
  at: Addressing,
  site: Site = siteOf(p),
  declare = 'const ',
): { outer: string[]; inner: string[] } {
  // Loops, not closures: a program's own code calls this once per constraint.
  const arity = p.primitive.arity;
  const outer: string[] = [];
  const inner: string[] = [];
  if (need(rules, 'a'))
    (arity === 'variadic' ? inner : outer).push(
      `${declare}a = ${arity === 0 ? '0' : valueAt(site, at, site.parent(0))};`,
    );
  if (need(rules, 'b')) outer.push(`${declare}b = ${arity === 2 ? valueAt(site, at, site.parent(1)) : '0'};`);
  if (need(rules, 'c')) outer.push(`${declare}c = ${site.theta};`);
  if (y !== 'fold' && need(rules, 'y'))
    outer.push(`${declare}y = ${y === 'output' ? valueAt(site, at, site.self) : '0'};`);
  return { outer, inner };
}

function need(rules: readonly CheckedRule[], name: Operand): boolean {
  for (let k = 0; k < rules.length; k++) if (uses(rules[k], name)) return true;
  return false;
}

const EACH_PARENT = 'for (let q = s, e = ps[i + 1]; q < e; q++) {';

/** p_i(v_Pa(i)) as statements and the expression of its result: the piece `forward` and `value` share. */
function valueOf(p: CheckedPrimitive, at: Addressing): { lines: string[]; result: string } {
  if (p.primitive.arity !== 'variadic') {
    return { lines: loads(p, [p.value], 'zero', at).outer, result: ruleCode(p.value, p, 'value') };
  }
  // The fold y ← value(y, a) from y = identity.
  const { outer, inner } = loads(p, [p.value], 'fold', at);
  const lines = [
    ...outer,
    `let y = ${Object.is(p.identity, -0) ? '-0' : p.identity};`,
    EACH_PARENT,
    ...indent([...inner, `y = ${ruleCode(p.value, p, 'value')};`]),
    '}',
  ];
  return { lines, result: 'y' };
}

// ── the cases of each sweep ───────────────────────────────────────────────────────────────────

type CaseWriter = (p: CheckedPrimitive, at: Addressing) => string[];

const WRITERS: Record<SweepKind, CaseWriter> = {
  /** vi = p_i(v_Pa(i)), written after the switch; s moves past the parents. */
  forward(p, at) {
    const { lines, result } = valueOf(p, at);
    const arity = p.primitive.arity;
    const advance = arity === 'variadic' ? ['s = ps[i + 1];'] : arity === 0 ? [] : [`s += ${arity};`];
    return [...lines, `vi = ${result};`, ...advance];
  },

  value(p, at) {
    const { lines, result } = valueOf(p, at);
    return [...lines, `return ${result};`];
  },

  /** dst_j += src_i · ∂p_i/∂v_j for each parent j. */
  reverse(p, at) {
    const add = (q: string, k: number) =>
      `dst[${at.slot(q)}] += ${product('l', p.partials[k], p, partialField(p, k))};`;
    if (p.primitive.arity === 'variadic') {
      const { outer, inner } = loads(p, p.partials, 'output', at);
      return [...outer, EACH_PARENT, ...indent([...inner, add('pa[q]', 0)]), '}'];
    }
    const { outer } = loads(p, p.partials, 'output', at, IN_LOCALS);
    const indices = p.partials.map((_, k) => `const ${IN_LOCALS.parent(k)} = ${IN_ARRAYS.parent(k)};`);
    return [...indices, ...outer, ...p.partials.map((_, k) => add(IN_LOCALS.parent(k), k))];
  },

  /** dst_i = Σ_j ∂p_i/∂v_j · src_j. */
  tangent(p, at) {
    const { outer, inner } = loads(p, p.partials, 'output', at);
    const term = (q: string, k: number) => product(`src[${at.slot(q)}]`, p.partials[k], p, partialField(p, k));
    const write = `dst[${at.slot('i')}]`;
    if (p.primitive.arity === 'variadic')
      return [
        ...outer,
        'let t = 0;',
        EACH_PARENT,
        ...indent([...inner, `t += ${term('pa[q]', 0)};`]),
        '}',
        `${write} = t;`,
      ];
    return [...outer, `${write} = ${p.partials.map((_, k) => term(IN_ARRAYS.parent(k), k)).join(' + ') || '0'};`];
  },

  /** T[i·K + k] = Σ_j ∂p_i/∂v_j · T[j·K + k] for every lane k. */
  lanes(p, at) {
    const { outer, inner } = loads(p, p.partials, 'output', at);
    const row = `const o = ${at.slot('i')} * K;`;
    if (p.primitive.arity === 'variadic') {
      const partial = ruleCode(p.partials[0], p, 'partials[0]');
      // The row may be among its own parents (a self-loop of a cyclic component): its old value
      // is scaled by those partials first, then the other parents are added to it.
      const self = ['if (pa[q] !== i) continue;', ...inner, `self += ${partial};`];
      const each = [
        'if (pa[q] === i) continue;',
        ...inner,
        `const d = ${partial};`,
        `const r = ${at.slot('pa[q]')} * K;`,
        'for (let k = 0; k < K; k++) T[o + k] += d * T[r + k];',
      ];
      const start = [
        'if (self === 0) for (let k = 0; k < K; k++) T[o + k] = 0;',
        'else for (let k = 0; k < K; k++) T[o + k] *= self;',
      ];
      return [
        ...outer,
        row,
        'let self = 0;',
        EACH_PARENT,
        ...indent(self),
        '}',
        ...start,
        EACH_PARENT,
        ...indent(each),
        '}',
      ];
    }
    const partials = p.partials.flatMap((rule, k) => [
      `const d${k} = ${ruleCode(rule, p, `partials[${k}]`)};`,
      `const r${k} = ${at.slot(IN_ARRAYS.parent(k))} * K;`,
    ]);
    const sum = p.partials.map((_, k) => `d${k} * T[r${k} + k]`).join(' + ') || '0';
    return [...outer, ...partials, row, `for (let k = 0; k < K; k++) T[o + k] = ${sum};`];
  },

  /** out[k] = ∂p_i/∂(k-th parent). */
  partials(p, at) {
    const { outer, inner } = loads(p, p.partials, 'output', at);
    if (p.primitive.arity === 'variadic')
      return [
        ...outer,
        EACH_PARENT,
        ...indent([...inner, `out[q - s] = ${ruleCode(p.partials[0], p, 'partials[0]')};`]),
        '}',
      ];
    return [...outer, ...p.partials.map((rule, k) => `out[${k}] = ${ruleCode(rule, p, `partials[${k}]`)};`)];
  },
};

/** Lines indented by two spaces. */
export function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}
