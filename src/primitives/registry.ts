import { LagradError } from '../error.ts';
import { builtinPrimitives } from './builtins.ts';
import { compileKernels, type Kernels } from './kernels.ts';
import { INPUT, type Primitive, type Rule } from './primitive.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['input', 'output', 'init']);

/**
 * The table of primitives, indexed by op code. Append-only, so the op codes in a built `Program`
 * stay valid when a user registers more. The sweeps are compiled from it lazily and recompiled
 * after each registration.
 */
export class PrimitiveRegistry {
  private readonly table: Primitive[] = [{ name: 'input', arity: 0, value: 'NaN', partials: [] }];
  private readonly codes = new Map<string, number>([['input', INPUT]]);
  private compiled: Kernels | null = null;

  constructor(initial: readonly Primitive[]) {
    for (const p of initial) this.register(p);
  }

  /** Adds a primitive and returns its op code; a malformed declaration is refused, naming the fault. */
  register(p: Primitive): number {
    const where = `primitive '${p.name}'`;
    if (!NAME.test(p.name) || RESERVED.has(p.name)) throw new LagradError(where, 'the name must be an identifier and not input, output or init');
    if (this.codes.has(p.name)) throw new LagradError(where, 'is already registered');
    const expected = p.arity === 'variadic' ? 1 : p.arity;
    if (!(p.arity === 'variadic' || p.arity === 0 || p.arity === 1 || p.arity === 2)) throw new LagradError(where, `arity must be 0, 1, 2 or 'variadic', not ${String(p.arity)}`);
    if (p.partials.length !== expected) throw new LagradError(where, `declares ${p.partials.length} partials for arity ${p.arity}; expected ${expected}`);
    for (const [k, rule] of [p.value, ...p.partials].entries()) checkRule(rule, `${where} ${k === 0 ? 'value' : `partial ${k - 1}`}`);
    const code = this.table.length;
    this.table.push(p);
    this.codes.set(p.name, code);
    this.compiled = null;
    return code;
  }

  /** The op code of a primitive; an unknown name is an error that suggests the closest one. */
  code(name: string): number {
    const code = this.codes.get(name);
    if (code === undefined) throw new LagradError(`primitive '${name}'`, `unknown${suggest(name, [...this.codes.keys()])}`);
    return code;
  }

  has(name: string): boolean {
    return this.codes.has(name);
  }

  get(code: number): Primitive {
    const p = this.table[code];
    if (p === undefined) throw new LagradError(`op code ${code}`, 'no primitive has this code');
    return p;
  }

  /** Every primitive, indexed by op code (entry 0 stands for inputs). */
  all(): readonly Primitive[] {
    return this.table;
  }

  /**
   * p(args; θ) for given numbers: constant folding in the parser and spot checks in tests, not
   * for sweeps. A variadic primitive folds over all args.
   */
  evaluate(code: number, args: readonly number[], constant = 0): number {
    const p = this.get(code);
    const f = ruleFunction(p.value);
    if (p.arity !== 'variadic') return f(args[0] ?? 0, args[1] ?? 0, constant, 0);
    let y = p.identity ?? 0;
    for (const a of args) y = f(a, 0, constant, y);
    return y;
  }

  /** The sweeps compiled from the current table. */
  kernels(): Kernels {
    return (this.compiled ??= compileKernels(this.table));
  }
}

type RuleFunction = (a: number, b: number, c: number, y: number) => number;
const compiledRules = new Map<string, RuleFunction>();

/** A rule as a callable function (string rules compiled once and cached). */
export function ruleFunction(rule: Rule): RuleFunction {
  if (typeof rule === 'function') return rule;
  let f = compiledRules.get(rule);
  if (f === undefined) {
    f = new Function('a', 'b', 'c', 'y', `return (${rule});`) as RuleFunction;
    compiledRules.set(rule, f);
  }
  return f;
}

function checkRule(rule: Rule, where: string): void {
  if (typeof rule === 'function') return;
  if (typeof rule !== 'string' || rule.trim() === '') throw new LagradError(where, 'a rule is a non-empty expression string or a function');
  try {
    new Function('a', 'b', 'c', 'y', `return (${rule});`);
  } catch (e) {
    throw new LagradError(where, `'${rule}' is not a JavaScript expression (${(e as Error).message})`);
  }
}

/** ", did you mean 'sin'?" when a known name is one or two edits away. */
export function suggest(name: string, known: readonly string[]): string {
  let best = '';
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best ? `; did you mean '${best}'?` : '';
}

function editDistance(x: string, y: string): number {
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    row = next;
  }
  return row[y.length];
}

/** The process-wide registry every program and schedule uses, holding the built-ins. */
export const primitives = new PrimitiveRegistry(builtinPrimitives);

/**
 * Registers a user primitive everywhere at once: every schedule derives its sweeps from `value`
 * and `partials`. Example: `registerPrimitive({ name: 'softplus', arity: 1,
 * value: 'Math.log1p(Math.exp(a))', partials: ['1 / (1 + Math.exp(-a))'] })`.
 */
export function registerPrimitive(p: Primitive): number {
  return primitives.register(p);
}
