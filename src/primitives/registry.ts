import { LagradError } from '../error.ts';
import { SCALAR, sizeOf, type Shape } from '../program/shape.ts';
import { entrywiseRules } from './blocks/entrywise.ts';
import { blockPrimitives } from './blocks/library.ts';
import { builtinPrimitives } from './builtins.ts';
import { compileKernels, type Kernels } from './kernels.ts';
import { INPUT, isScalarPrimitive, type AnyPrimitive, type Block, type BlockRules, type Primitive, type Rule } from './primitive.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['input', 'output', 'init']);

/**
 * The table of primitives, indexed by op code. Append-only, so the op codes in a built `Program`
 * stay valid when a user registers more. The sweeps are compiled from it lazily and recompiled
 * after each registration.
 */
export class PrimitiveRegistry {
  private readonly table: AnyPrimitive[] = [{ name: 'input', arity: 0, value: 'NaN', partials: [] }];
  private readonly codes = new Map<string, number>([['input', INPUT]]);
  private compiled: Kernels | null = null;
  /** Block rules by op code, derived on first use. */
  private readonly blocks: (BlockRules | undefined)[] = [];
  /** 1 for each op code whose primitive exists only on blocks. */
  private blockOnlyCodes = new Uint8Array(0);

  constructor(initial: readonly AnyPrimitive[]) {
    for (const p of initial) this.register(p);
  }

  /**
   * Adds a primitive and returns its op code; a malformed declaration is refused, naming the fault.
   * A scalar primitive declares `value` and `partials` (and acts on blocks entry by entry, or by
   * its own `block` rules); a block primitive declares `block`: shape, value, jvp and vjp.
   */
  register(p: AnyPrimitive): number {
    const where = `primitive '${p.name}'`;
    if (!NAME.test(p.name) || RESERVED.has(p.name)) throw new LagradError(where, 'the name must be an identifier and not input, output or init');
    if (this.codes.has(p.name)) throw new LagradError(where, 'is already registered');
    if (!(p.arity === 'variadic' || p.arity === 0 || p.arity === 1 || p.arity === 2)) throw new LagradError(where, `arity must be 0, 1, 2 or 'variadic', not ${String(p.arity)}`);
    if (isScalarPrimitive(p)) {
      const expected = p.arity === 'variadic' ? 1 : p.arity;
      if (!Array.isArray(p.partials) || p.partials.length !== expected) throw new LagradError(where, `declares ${p.partials?.length ?? 'no'} partials for arity ${p.arity}; expected ${expected}`);
      for (const [k, rule] of [p.value, ...p.partials].entries()) checkRule(rule, `${where} ${k === 0 ? 'value' : `partial ${k - 1}`}`);
    } else if (p.block === undefined) {
      throw new LagradError(where, 'declares neither scalar rules (value and partials) nor block rules (block: { shape, value, jvp, vjp })');
    } else if ((p.arity as number) === 0) {
      throw new LagradError(where, 'a block primitive takes at least one argument');
    }
    if (p.block !== undefined) {
      for (const f of ['shape', 'value', 'jvp', 'vjp'] as const) if (typeof p.block[f] !== 'function') throw new LagradError(where, `block.${f} must be a function`);
    }
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

  get(code: number): AnyPrimitive {
    const p = this.table[code];
    if (p === undefined) throw new LagradError(`op code ${code}`, 'no primitive has this code');
    return p;
  }

  /** Every primitive, indexed by op code (entry 0 stands for inputs). */
  all(): readonly AnyPrimitive[] {
    return this.table;
  }

  /** The rules of a primitive on blocks: its own `block`, or those derived entrywise from its scalar rules. */
  blockRules(code: number): BlockRules {
    let rules = this.blocks[code];
    if (rules === undefined) {
      const p = this.get(code);
      rules = p.block ?? entrywiseRules(p as Primitive);
      this.blocks[code] = rules;
    }
    return rules;
  }

  /** 1 for each op code whose primitive has no scalar rules: a program using one needs the block sweeps. */
  blockOnly(): Uint8Array {
    if (this.blockOnlyCodes.length !== this.table.length) this.blockOnlyCodes = Uint8Array.from(this.table, (p) => (isScalarPrimitive(p) ? 0 : 1));
    return this.blockOnlyCodes;
  }

  /**
   * p(args; θ) for given numbers: constant folding in the parser and spot checks in tests, not
   * for sweeps. A variadic primitive folds over all args; a block primitive runs its block rule on scalars.
   */
  evaluate(code: number, args: readonly number[], constant = 0): number {
    const p = this.get(code);
    if (!isScalarPrimitive(p)) return this.evaluateBlock(code, args.map(() => SCALAR), args, constant)[0];
    const f = ruleFunction(p.value);
    if (p.arity !== 'variadic') return f(args[0] ?? 0, args[1] ?? 0, constant, 0);
    let y = p.identity ?? 0;
    for (const a of args) y = f(a, 0, constant, y);
    return y;
  }

  /**
   * p(args; θ) on blocks given as flat row-major entries with their shapes: the block rule's value
   * on a small slab, for folding and tests. Shapes that do not fit are an error naming the primitive.
   */
  evaluateBlock(code: number, shapes: readonly Shape[], args: readonly (number | ArrayLike<number>)[], constant = 0): Float64Array {
    const rules = this.blockRules(code);
    const shape = rules.shape(shapes, constant);
    if (typeof shape === 'string') throw new LagradError(`primitive '${this.get(code).name}'`, shape);
    const blocks: Block[] = [];
    let offset = 0;
    for (const s of [...shapes, shape]) {
      blocks.push(blockAt(offset, s));
      offset += sizeOf(s);
    }
    const v = new Float64Array(offset);
    args.forEach((a, k) => (typeof a === 'number' ? (v[blocks[k].offset] = a) : v.set(Array.from(a), blocks[k].offset)));
    const out = blocks.pop()!;
    rules.value(v, { out, args: blocks, constant });
    return v.slice(out.offset, out.offset + out.size);
  }

  /** The sweeps compiled from the current table (block-only primitives have no scalar case). */
  kernels(): Kernels {
    return (this.compiled ??= compileKernels(this.table.map(scalarStandIn)));
  }
}

/** Where a block of this shape lies when it starts at `offset`. */
export function blockAt(offset: number, shape: Shape): Block {
  const size = sizeOf(shape);
  return { offset, shape, size, rows: shape.length === 2 ? shape[0] : 1, cols: shape.length === 0 ? 1 : shape[shape.length - 1] };
}

/** A block-only primitive as the scalar sweeps see it: a case that is never reached (such programs use the block sweeps). */
function scalarStandIn(p: AnyPrimitive): Primitive {
  if (isScalarPrimitive(p)) return p;
  const arity = p.arity === 'variadic' ? 1 : p.arity;
  return { name: p.name, arity: p.arity, value: 'NaN', partials: Array.from({ length: arity }, () => 'NaN') };
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
export const primitives = new PrimitiveRegistry([...builtinPrimitives, ...blockPrimitives]);

/**
 * Registers a user primitive everywhere at once: every schedule derives its sweeps from `value`
 * and `partials` (on blocks, entry by entry). Example: `registerPrimitive({ name: 'softplus',
 * arity: 1, value: 'Math.log1p(Math.exp(a))', partials: ['1 / (1 + Math.exp(-a))'] })`. A block
 * primitive gives `block: { shape, value, jvp, vjp }` instead (see BlockRules).
 */
export function registerPrimitive(p: AnyPrimitive): number {
  return primitives.register(p);
}
