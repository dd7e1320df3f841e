import { LagradError } from '../error.ts';
import type { AnyPrimitive, BlockRules, Domain, Primitive, Rule } from './primitive.ts';
import { parseRule, type RuleFunction, type RuleNode } from './ruleExpression.ts';

// A declaration as the user wrote it is checked field by field before anything is registered, and
// what the sweeps read afterwards is this checked copy: rule strings parsed into trees, function
// rules kept, the rest frozen — so a later change to the user's object cannot reach generated code.

/** One rule, checked: an expression tree of the rule language, or a function called as it is. */
export type CheckedRule =
  { readonly kind: 'expression'; readonly node: RuleNode } | { readonly kind: 'function'; readonly fn: RuleFunction };

/**
 * A primitive as the sweeps read it: its op code, a frozen copy of its declaration and its checked
 * rules. A block-only primitive has rules that give NaN here: the scalar sweeps never meet it (a
 * program using one has a layout and runs the block sweeps).
 */
export interface CheckedPrimitive {
  readonly code: number;
  readonly primitive: AnyPrimitive;
  readonly value: CheckedRule;
  readonly partials: readonly CheckedRule[];
  /** The fold's start for a variadic primitive (0 when not declared). */
  readonly identity: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['input', 'output', 'init']);
const FIELDS = new Set(['name', 'arity', 'value', 'partials', 'identity', 'constant', 'domain', 'doc', 'block']);
const NOT_SCALAR: CheckedRule = Object.freeze({
  kind: 'expression',
  node: Object.freeze({ kind: 'number', value: NaN }),
}) as CheckedRule;

/**
 * Checks a declaration to be registered at op code `code`; every fault is a LagradError naming the
 * primitive and the field (`primitive 'softplus' partial 0: …`).
 */
export function checkDeclaration(p: AnyPrimitive, code: number): CheckedPrimitive {
  if (typeof p !== 'object' || p === null)
    throw new LagradError('registerPrimitive', 'a primitive is an object { name, arity, value, partials }');
  // Each field is read once: what is checked is what is kept.
  const { name, arity, value, partials, identity, constant, domain, doc, block } = p as {
    [K in keyof Primitive]: unknown;
  };
  if (typeof name !== 'string' || !NAME.test(name) || RESERVED.has(name)) {
    throw new LagradError(
      `primitive ${typeof name === 'string' ? `'${name.slice(0, 40)}'` : show(name)}`,
      'the name must be an identifier and not input, output or init',
    );
  }
  const where = `primitive '${name}'`;
  for (const key of Object.keys(p))
    if (!FIELDS.has(key))
      throw new LagradError(`${where} ${key}`, `not a field of a primitive; the fields are ${[...FIELDS].join(', ')}`);
  if (!(arity === 'variadic' || arity === 0 || arity === 1 || arity === 2))
    throw new LagradError(`${where} arity`, `must be 0, 1, 2 or 'variadic', not ${show(arity)}`);
  const checkedBlock = block === undefined ? undefined : checkBlock(block, `${where} block`);
  if (checkedBlock !== undefined && value === undefined && partials === undefined) {
    // A block primitive: its rules are the block's; the scalar sweeps get cases that are never reached.
    if (arity === 0) throw new LagradError(`${where} arity`, 'a block primitive takes at least one argument');
    if (constant !== undefined && typeof constant !== 'boolean')
      throw new LagradError(`${where} constant`, `must be true or false, not ${show(constant)}`);
    if (doc !== undefined && typeof doc !== 'string')
      throw new LagradError(`${where} doc`, `must be a string, not ${show(doc)}`);
    const primitive = Object.freeze({
      name,
      arity,
      block: checkedBlock,
      ...(constant !== undefined && { constant }),
      ...(doc !== undefined && { doc }),
    }) as AnyPrimitive;
    const stand = Object.freeze(Array.from({ length: arity === 'variadic' ? 1 : arity }, () => NOT_SCALAR));
    return Object.freeze({ code, primitive, value: NOT_SCALAR, partials: stand, identity: 0 });
  }
  if (value === undefined && partials === undefined)
    throw new LagradError(
      where,
      'declares neither scalar rules (value and partials) nor block rules (block: { shape, value, jvp, vjp })',
    );
  if (!Array.isArray(partials)) throw new LagradError(`${where} partials`, 'must be an array of rules, one per parent');
  const rules: Rule[] = [...partials];
  const expected = arity === 'variadic' ? 1 : arity;
  if (rules.length !== expected)
    throw new LagradError(
      `${where} partials`,
      `declares ${rules.length} partials for arity ${arity}; expected ${expected}`,
    );
  const checkedValue = checkRule(value, `${where} value`);
  const checkedPartials = rules.map((rule, k) => checkRule(rule, `${where} partial ${k}`));
  if (identity !== undefined) {
    if (arity !== 'variadic')
      throw new LagradError(`${where} identity`, 'only a variadic primitive has an identity (the start of its fold)');
    if (typeof identity !== 'number' || Number.isNaN(identity))
      throw new LagradError(`${where} identity`, `must be a number, not ${show(identity)}`);
  }
  if (constant !== undefined && typeof constant !== 'boolean')
    throw new LagradError(`${where} constant`, `must be true or false, not ${show(constant)}`);
  if (doc !== undefined && typeof doc !== 'string')
    throw new LagradError(`${where} doc`, `must be a string, not ${show(doc)}`);
  const checkedDomain = domain === undefined ? undefined : checkDomain(domain, `${where} domain`);
  const primitive: Primitive = Object.freeze({
    name,
    arity,
    value: value as Rule,
    partials: Object.freeze(rules),
    ...(identity !== undefined && { identity: identity as number }),
    ...(constant !== undefined && { constant }),
    ...(checkedDomain !== undefined && { domain: checkedDomain }),
    ...(doc !== undefined && { doc }),
    ...(checkedBlock !== undefined && { block: checkedBlock }),
  });
  return Object.freeze({
    code,
    primitive,
    value: checkedValue,
    partials: Object.freeze(checkedPartials),
    identity: (identity as number | undefined) ?? 0,
  });
}

/** Block rules: an object of four functions, kept frozen. */
function checkBlock(block: unknown, where: string): BlockRules {
  if (typeof block !== 'object' || block === null)
    throw new LagradError(where, 'must be an object { shape, value, jvp, vjp } of functions');
  const rules = block as Record<string, unknown>;
  for (const f of ['shape', 'value', 'jvp', 'vjp'])
    if (typeof rules[f] !== 'function') throw new LagradError(`${where}.${f}`, 'must be a function');
  for (const key of Object.keys(rules))
    if (!['shape', 'value', 'jvp', 'vjp'].includes(key))
      throw new LagradError(`${where}.${key}`, 'not a block rule; they are shape, value, jvp and vjp');
  return Object.freeze({ shape: rules.shape, value: rules.value, jvp: rules.jvp, vjp: rules.vjp }) as BlockRules;
}

function checkRule(rule: unknown, where: string): CheckedRule {
  if (typeof rule === 'function') return { kind: 'function', fn: rule as RuleFunction };
  if (typeof rule !== 'string' || rule.trim() === '')
    throw new LagradError(where, 'a rule is a non-empty expression string or a function (a, b, c, y) => number');
  return { kind: 'expression', node: parseRule(rule, where) };
}

function checkDomain(domain: unknown, where: string): Domain {
  if (typeof domain !== 'object' || domain === null || Array.isArray(domain))
    throw new LagradError(where, 'must be an object { a?, b?, c? } of [low, high] ranges');
  const checked: Record<string, readonly [number, number]> = {};
  for (const [key, range] of Object.entries(domain)) {
    if (key !== 'a' && key !== 'b' && key !== 'c')
      throw new LagradError(`${where}.${key}`, 'not an argument; a domain gives ranges for a, b and c');
    const ok =
      Array.isArray(range) &&
      range.length === 2 &&
      range.every((x) => typeof x === 'number' && Number.isFinite(x)) &&
      range[0] < range[1];
    if (!ok)
      throw new LagradError(
        `${where}.${key}`,
        `must be a range [low, high] of finite numbers with low < high, not ${show(range)}`,
      );
    checked[key] = Object.freeze([range[0], range[1]] as const);
  }
  return Object.freeze(checked);
}

function show(x: unknown): string {
  if (typeof x === 'string') return `'${x.slice(0, 40)}'`;
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
