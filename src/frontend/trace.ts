import { LagradError } from '../error.ts';
import { ProgramBuilder } from '../program/builder.ts';
import type { Program } from '../program/program.ts';
import { primitives } from '../primitives/registry.ts';
import { withConstant, type BinaryPrimitive } from './fold.ts';
import { SCALAR, type Shape } from '../program/shape.ts';
import { callerPlace } from './caller.ts';

/**
 * A traced variable: ordinary-looking arithmetic on it records constraints into its builder.
 * `x.mul(y).add(1).sin()`, or with the free functions, `sin(add(mul(x, y), 1))`. It may hold a
 * vector or a matrix (`shape`); a shape mismatch is an error at the call that made it.
 */
export class Var {
  constructor(
    readonly builder: ProgramBuilder,
    readonly index: number,
  ) {}

  /** [] for a scalar, [n] for a vector, [rows, cols] for a matrix. */
  get shape(): Shape {
    return this.builder.shapeOf(this.index) ?? SCALAR;
  }

  add(other: Operand): Var {
    return binary('add', this, other);
  }
  sub(other: Operand): Var {
    return binary('sub', this, other);
  }
  mul(other: Operand): Var {
    return binary('mul', this, other);
  }
  div(other: Operand): Var {
    return binary('div', this, other);
  }
  pow(other: Operand): Var {
    return binary('pow', this, other);
  }
  neg(): Var {
    return call('neg', this);
  }
  /** The matrix product this @ other. */
  matmul(other: Var): Var {
    return binary('matmul', this, other);
  }
  transpose(): Var {
    return call('transpose', this);
  }
  /** Names this variable, so its value and multiplier are reported by name. */
  as(name: string): this {
    this.builder.name(this.index, name);
    return this;
  }
}

/** A traced variable or a plain number (a constant). */
export type Operand = Var | number;

/** A binary arithmetic primitive on traced variables or numbers, folding a number operand into θ where a primitive carries one. */
export function binary(op: BinaryPrimitive, a: Operand, b: Operand): Var {
  const builder = builderOf(op, a, b);
  const [ia, ca] = typeof a === 'number' ? [-1, a] : [a.index, undefined];
  const [ib, cb] = typeof b === 'number' ? [-1, b] : [b.index, undefined];
  const folded = withConstant(op, ia, ca, ib, cb);
  return recorded(builder, () =>
    folded
      ? builder.apply(folded.op, folded.parent, undefined, folded.constant)
      : builder.apply(op, indexIn(builder, a), indexIn(builder, b)),
  );
}

/** Applies any registered primitive by name to traced variables or numbers. */
export function call(op: string, ...args: Operand[]): Var {
  const builder = builderOf(op, ...args);
  const p = primitives.get(primitives.code(op));
  // Number arguments become constants inside `recorded` too, so a refused one (NaN) names the caller's line.
  const parents = () => args.map((a) => indexIn(builder, a));
  if (p.arity === 'variadic' || args.length > 2) return recorded(builder, () => builder.applyMany(op, parents()));
  return recorded(builder, () => {
    const [a, b] = parents();
    return builder.apply(op, a, b);
  });
}

/** The variable `record` makes; an error the builder raises (a shape mismatch) names the caller's line. */
function recorded(builder: ProgramBuilder, record: () => number): Var {
  try {
    return new Var(builder, record());
  } catch (e) {
    if (e instanceof LagradError) throw new LagradError(callerPlace() ?? 'trace', e.what);
    throw e;
  }
}

function builderOf(op: string, ...args: Operand[]): ProgramBuilder {
  // Only a Var of this trace or a number is an operand: anything else (null, a string, a plain
  // object with an `index`) would otherwise be read as some variable's index or counted away.
  for (let k = 0; k < args.length; k++) {
    const a: unknown = args[k];
    if (!(a instanceof Var) && typeof a !== 'number') {
      throw new LagradError(
        callerPlace() ?? 'trace',
        `primitive '${op}': argument ${k + 1} is ${describe(a)}, neither a traced variable nor a number`,
      );
    }
  }
  const traced = args.find((a): a is Var => a instanceof Var);
  if (!traced) throw new LagradError(`primitive '${op}'`, 'needs at least one traced variable among its arguments');
  for (const a of args)
    if (a instanceof Var && a.builder !== traced.builder)
      throw new LagradError(`primitive '${op}'`, 'mixes variables of two different traces');
  return traced.builder;
}

function describe(a: unknown): string {
  if (a === null || a === undefined) return String(a);
  if (typeof a === 'string') return `the string ${JSON.stringify(a.length > 20 ? `${a.slice(0, 20)}…` : a)}`;
  if (typeof a === 'object') return Array.isArray(a) ? 'an array' : 'an object';
  return `${typeof a} ${String(a)}`;
}

const indexIn = (builder: ProgramBuilder, a: Operand) => (typeof a === 'number' ? builder.constant(a) : a.index);

/** A vector or matrix input of `trace`: its shape, and optionally a value for every entry. */
export interface TraceInput {
  readonly shape: Shape;
  readonly value?: number;
}

/** What a traced function returns: its output, several outputs, or outputs by name. */
export type Traced = Var | readonly Var[] | Readonly<Record<string, Var>>;

/**
 * Records a TypeScript function into a Program, the way JAX traces to a jaxpr: the function runs
 * once on traced inputs and every operation becomes a constraint.
 *
 *   const f = trace(({ x, y, z }) => add(z, sin(add(pow(x, 2), mul(y, exp(z))))), { x: 2, y: -1, z: 0 });
 *   // (add, sin, … from `ops`: `import { ops } from 'lagrad'`, or `lagrad/ops`)
 *
 * `inputs` lists the input names, or gives them with default values, or for a vector or matrix
 * its shape: `{ X: { shape: [150, 4] }, b: { shape: [3], value: 0 }, t: 0.5 }`. Control flow runs
 * at trace time, so a loop unrolls into a chain of constraints.
 */
export function trace(
  fn: (inputs: Record<string, Var>) => Traced,
  inputs: readonly string[] | Readonly<Record<string, number | TraceInput>>,
): Program {
  const builder = new ProgramBuilder();
  const entries: [string, number | TraceInput | undefined][] = Array.isArray(inputs)
    ? inputs.map((name) => [name, undefined])
    : Object.entries(inputs);
  const traced: Record<string, Var> = {};
  for (const [name, spec] of entries) {
    const index = typeof spec === 'object' ? builder.input(name, spec.shape, spec.value) : builder.input(name, spec);
    traced[name] = new Var(builder, index);
  }
  const result = fn(traced);
  const named =
    result instanceof Var || Array.isArray(result) || typeof result !== 'object' || result === null
      ? null
      : Object.entries(result);
  const outputs: readonly unknown[] =
    result instanceof Var ? [result] : Array.isArray(result) ? result : (named?.map(([, v]) => v) ?? [result]);
  if (outputs.length === 0) throw new LagradError('trace', 'the function returned no output');
  for (const v of outputs) {
    if (!(v instanceof Var) || v.builder !== builder)
      throw new LagradError('trace', 'the function must return variables of this trace');
  }
  if (named) for (const [name, v] of named) v.as(name);
  for (const v of outputs as readonly Var[]) builder.output(v.index);
  return builder.build();
}
