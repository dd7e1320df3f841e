import { LagradError } from '../error.ts';
import { SCALAR, sizeOf, type Shape } from '../program/shape.ts';
import { entrywiseRules } from './blocks/entrywise.ts';
import { blockPrimitives } from './blocks/library.ts';
import { builtinPrimitives } from './builtins.ts';
import { codegenEpoch, interpreting } from './codegen.ts';
import { checkDeclaration, type CheckedPrimitive, type CheckedRule } from './declaration.ts';
import { interpretedKernels } from './interpretedKernels.ts';
import { compileInIsolation, compileKernels, type Kernels } from './kernels.ts';
import {
  INPUT,
  isScalarPrimitive,
  type AnyPrimitive,
  type Block,
  type BlockRules,
  type Primitive,
  type Rule,
} from './primitive.ts';
import { interpretRule, parseRule, printRule, type RuleFunction } from './ruleExpression.ts';

/** The slot of op code 0: variables with no constraint. */
const INPUT_SLOT: CheckedPrimitive = Object.freeze({
  code: INPUT,
  primitive: Object.freeze({ name: 'input', arity: 0, value: 'NaN', partials: Object.freeze([]) }),
  value: Object.freeze({ kind: 'expression', node: Object.freeze({ kind: 'number', value: NaN }) }),
  partials: Object.freeze([]),
  identity: 0,
}) as CheckedPrimitive;

/**
 * The table of primitives, indexed by op code. Append-only, so the op codes in a built `Program`
 * stay valid when a user registers more. The sweeps are built from it lazily — generated, or
 * interpreted where code generation is refused (codegen.ts) — and rebuilt after each registration.
 */
export class PrimitiveRegistry {
  private readonly table: CheckedPrimitive[] = [INPUT_SLOT];
  private readonly declarations: AnyPrimitive[] = [INPUT_SLOT.primitive];
  private readonly codes = new Map<string, number>([['input', INPUT]]);
  private compiled: Kernels | null = null;
  private compiledEpoch = -1;
  /** Block rules by op code, derived on first use (and again when the choice of interpreter changes). */
  private blocks: (BlockRules | undefined)[] = [];
  private blocksEpoch = -1;
  /** 1 for each op code whose primitive exists only on blocks. */
  private blockOnlyCodes = new Uint8Array(0);

  constructor(initial: readonly AnyPrimitive[]) {
    // The initial table is checked like any other, but compiled only with the whole table at first use.
    for (const p of initial) this.add(p, false);
  }

  /**
   * Adds a primitive and returns its op code. A malformed declaration is refused with an error naming
   * the primitive and the field, and leaves the registry exactly as it was. A scalar primitive
   * declares `value` and `partials` (and acts on blocks entry by entry, or by its own `block`
   * rules); a block primitive declares `block`: shape, value, jvp and vjp.
   */
  register(p: AnyPrimitive): number {
    return this.add(p, true);
  }

  /**
   * Checks, then appends. Rule strings are parsed and the sweeps printed from the parse, so what
   * reaches generated code is valid by construction; `compileAlone` also compiles the new cases on
   * their own first, so a fault of the printer could not break every other primitive's sweeps.
   */
  private add(p: AnyPrimitive, compileAlone: boolean): number {
    const code = this.table.length;
    const checked = checkDeclaration(p, code);
    const name = checked.primitive.name;
    if (this.codes.has(name)) throw new LagradError(`primitive '${name}'`, 'is already registered');
    if (compileAlone && !interpreting()) {
      try {
        compileInIsolation([INPUT_SLOT, checked]);
      } catch (e) {
        throw new LagradError(`primitive '${name}'`, `its generated code does not compile (${(e as Error).message})`);
      }
    }
    this.table.push(checked);
    this.declarations.push(checked.primitive);
    this.codes.set(name, code);
    this.compiled = null;
    return code;
  }

  /** The op code of a primitive; an unknown name is an error that suggests the closest one. */
  code(name: string): number {
    const code = this.codes.get(name);
    if (code === undefined)
      throw new LagradError(`primitive '${name}'`, `unknown${suggest(name, [...this.codes.keys()])}`);
    return code;
  }

  has(name: string): boolean {
    return this.codes.has(name);
  }

  /** The declaration of op code `code` (a frozen copy of what was registered). */
  get(code: number): AnyPrimitive {
    return this.checked(code).primitive;
  }

  /** The checked declaration of op code `code`: its rules parsed, as the sweeps read them. */
  checked(code: number): CheckedPrimitive {
    const p = this.table[code];
    if (p === undefined) throw new LagradError(`op code ${code}`, 'no primitive has this code');
    return p;
  }

  /** Every primitive, indexed by op code (entry 0 stands for inputs). */
  all(): readonly AnyPrimitive[] {
    return this.declarations;
  }

  /** The rules of a primitive on blocks: its own `block`, or those derived entrywise from its scalar rules. */
  blockRules(code: number): BlockRules {
    if (this.blocksEpoch !== codegenEpoch()) {
      this.blocks = [];
      this.blocksEpoch = codegenEpoch();
    }
    let rules = this.blocks[code];
    if (rules === undefined) {
      const p = this.checked(code);
      rules = p.primitive.block ?? entrywiseRules(p);
      this.blocks[code] = rules;
    }
    return rules;
  }

  /** True when the primitive acts entry by entry on blocks (scalar rules, no block rules of its own, fixed arity). */
  entrywise(code: number): boolean {
    const p = this.declarations[code];
    return isScalarPrimitive(p) && p.block === undefined && p.arity !== 'variadic';
  }

  /** 1 for each op code whose primitive has no scalar rules: a program using one needs the block sweeps. */
  blockOnly(): Uint8Array {
    if (this.blockOnlyCodes.length !== this.table.length)
      this.blockOnlyCodes = Uint8Array.from(this.declarations, (p) => (isScalarPrimitive(p) ? 0 : 1));
    return this.blockOnlyCodes;
  }

  /** Every checked primitive, indexed by op code. */
  checkedAll(): readonly CheckedPrimitive[] {
    return this.table;
  }

  /**
   * p(args; θ) for given numbers: constant folding in the parser and spot checks in tests, not
   * for sweeps. A variadic primitive folds over all args.
   */
  evaluate(code: number, args: readonly number[], constant = 0): number {
    const p = this.checked(code);
    if (!isScalarPrimitive(p.primitive))
      return this.evaluateBlock(
        code,
        args.map(() => SCALAR),
        args,
        constant,
      )[0];
    const f = checkedRuleFunction(p.value);
    if (p.primitive.arity !== 'variadic') return f(args[0] ?? 0, args[1] ?? 0, constant, 0);
    let y = p.identity;
    for (const a of args) y = f(a, 0, constant, y);
    return y;
  }

  /**
   * p(args; θ) on blocks given as flat row-major entries with their shapes: the block rule's value
   * on a small slab, for folding and tests. Shapes that do not fit are an error naming the primitive.
   */
  evaluateBlock(
    code: number,
    shapes: readonly Shape[],
    args: readonly (number | ArrayLike<number>)[],
    constant = 0,
  ): Float64Array {
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
    args.forEach((a, k) =>
      typeof a === 'number' ? (v[blocks[k].offset] = a) : v.set(Array.from(a), blocks[k].offset),
    );
    const out = blocks.pop()!;
    rules.value(v, { out, args: blocks, constant });
    return v.slice(out.offset, out.offset + out.size);
  }

  /** The sweeps of the current table: generated, or interpreted where code generation is refused. */
  kernels(): Kernels {
    if (this.compiled !== null && this.compiledEpoch === codegenEpoch()) return this.compiled;
    return this.rebuild();
  }

  private rebuild(): Kernels {
    this.compiledEpoch = codegenEpoch();
    this.compiled = interpreting() ? interpretedKernels(this.table) : compileKernels(this.table);
    return this.compiled;
  }
}

/** Where a block of this shape lies when it starts at `offset`. */
export function blockAt(offset: number, shape: Shape): Block {
  const size = sizeOf(shape);
  return {
    offset,
    shape,
    size,
    rows: shape.length === 2 ? shape[0] : 1,
    cols: shape.length === 0 ? 1 : shape[shape.length - 1],
  };
}

const compiledRules = new Map<string, RuleFunction>();
const interpretedRules = new WeakMap<CheckedRule, RuleFunction>();

/** A checked rule as a callable function: compiled once where code generation is allowed, else interpreted. */
function checkedRuleFunction(rule: CheckedRule): RuleFunction {
  if (rule.kind === 'function') return rule.fn;
  if (interpreting()) {
    let f = interpretedRules.get(rule);
    if (f === undefined) interpretedRules.set(rule, (f = interpretRule(rule.node)));
    return f;
  }
  const source = printRule(rule.node);
  let f = compiledRules.get(source);
  if (f === undefined) {
    f = new Function('a', 'b', 'c', 'y', `return ${source};`) as RuleFunction;
    compiledRules.set(source, f);
  }
  return f;
}

const parsedRules = new Map<string, CheckedRule>();

/** A rule as a callable function; a string that is not a rule is a LagradError. */
export function ruleFunction(rule: Rule): RuleFunction {
  if (typeof rule === 'function') return rule;
  let checked = parsedRules.get(rule);
  if (checked === undefined) parsedRules.set(rule, (checked = { kind: 'expression', node: parseRule(rule, 'rule') }));
  return checkedRuleFunction(checked);
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
    for (let j = 1; j <= y.length; j++)
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
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
