import fc from 'fast-check';
import { builtinPrimitives } from '../../src/primitives/builtins.ts';
import type { Primitive } from '../../src/primitives/primitive.ts';
import { primitives, ruleFunction } from '../../src/primitives/registry.ts';
import { ProgramBuilder } from '../../src/program/builder.ts';
import type { Program } from '../../src/program/program.ts';

// Random acyclic programs for property tests: random shapes (inputs, constraints, fan-in, outputs)
// and primitives, each applied only where its arguments lie in the primitive's declared `domain`
// (default [-3, 3]) and away from kinks (relu, abs, max, min), so finite differences are meaningful.
// (Random *cyclic* programs live in their own helper.)

/** A random program with its point, objective weights and `.lag` text. */
export interface RandomProgram {
  readonly program: Program;
  /** Input values in the program's input order (also the defaults in `text`). */
  readonly inputs: Float64Array;
  /** The same point by input name. */
  readonly at: Record<string, number>;
  /** Objective weights by output name (1 on the only output when there is one). */
  readonly weights: Record<string, number>;
  /** The program as a `.lag` file that parses to an equivalent program at the same point. */
  readonly text: string;
}

export interface ProgramShape {
  /** Most inputs (default 4). */
  readonly inputs?: number;
  /** Fewest and most constraints (default 1 and 24). */
  readonly minConstraints?: number;
  readonly constraints?: number;
  /** Most outputs (default 3); with one, its weight is 1. */
  readonly outputs?: number;
  /** Primitive names to draw from (default: every built-in). */
  readonly primitives?: readonly string[];
}

const DEFAULT_RANGE = [-3, 3] as const;
/** Arguments closer than this to a kink are not used: a finite-difference step never crosses it. */
const KINK_MARGIN = 1e-2;

// Uniform numbers in [0, 1) from integers: fc.double favours subnormals and ±0, which make
// degenerate programs (weights of 1e-323, every input 0) rather than informative ones.
const unit = fc.integer({ min: 0, max: 2 ** 30 - 1 }).map((k) => k / 2 ** 30);

interface Step {
  op: number;
  picks: number[];
  arity: number;
  theta: number;
}

/** A fast-check arbitrary of random acyclic programs within the primitives' domains. */
export function arbitraryProgram(shape: ProgramShape = {}): fc.Arbitrary<RandomProgram> {
  const maxInputs = shape.inputs ?? 4;
  const maxOutputs = shape.outputs ?? 3;
  const table = (shape.primitives ?? builtinPrimitives.map((p) => p.name)).map(
    (name) => primitives.get(primitives.code(name)) as Primitive,
  );
  const step = fc.record({
    op: fc.nat(),
    picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
    arity: fc.nat(),
    theta: unit,
  });
  return fc
    .record({
      inputCount: fc.integer({ min: 1, max: maxInputs }),
      inputs: fc.array(
        unit.map((u) => -3 + 6 * u),
        { minLength: maxInputs, maxLength: maxInputs },
      ),
      steps: fc.array(step, { minLength: shape.minConstraints ?? 1, maxLength: shape.constraints ?? 24, size: 'max' }),
      outputCount: fc.integer({ min: 1, max: maxOutputs }),
      outputPicks: fc.array(fc.nat(), { minLength: maxOutputs, maxLength: maxOutputs }),
      weights: fc.array(
        unit.map((u) => -2 + 4 * u),
        { minLength: maxOutputs, maxLength: maxOutputs },
      ),
    })
    .map((draw) =>
      build(
        table,
        draw.inputs.slice(0, draw.inputCount),
        draw.steps,
        draw.outputPicks.slice(0, draw.outputCount),
        draw.weights,
      ),
    );
}

/** Builds the program the draws describe; deterministic, so fast-check can shrink through it. */
function build(
  table: readonly Primitive[],
  inputs: number[],
  steps: Step[],
  outputPicks: number[],
  outputWeights: number[],
): RandomProgram {
  const b = new ProgramBuilder('random.lag');
  const values: number[] = [];
  const lines: string[] = [];
  const names: string[] = [];
  // Variables that depend on some input: outputs are drawn among them, so gradients are informative.
  const live: number[] = [];
  for (const [k, x] of inputs.entries()) {
    live.push(k);
    names.push(`x${k}`);
    values.push(x);
    b.input(`x${k}`, x);
    lines.push(`input x${k} = ${x}`);
  }
  for (const s of steps) {
    const chosen = choose(table, s, values);
    if (chosen === null) continue;
    const { p, args, theta, value } = chosen;
    const code = primitives.code(p.name);
    const i =
      p.arity === 0
        ? b.constant(theta)
        : p.arity === 'variadic'
          ? b.applyMany(code, args, theta)
          : b.apply(code, args[0], args[1], theta);
    const name = `v${i}`;
    b.name(i, name);
    names.push(name);
    values.push(value);
    if (args.some((a) => live.includes(a))) live.push(i);
    lines.push(
      `${name} = ${expression(
        p,
        args.map((a) => names[a]),
        theta,
      )}`,
    );
  }
  const weights: Record<string, number> = {};
  const n = live.length;
  for (const [k, pick] of outputPicks.entries()) {
    // Mostly among the last few, so outputs depend on much of the program.
    const o = live[pick % 3 === 0 ? pick % n : n - 1 - (pick % Math.min(n, 6))];
    if (names[o] in weights) continue;
    weights[names[o]] = outputPicks.length === 1 ? 1 : outputWeights[k];
    b.output(o);
    lines.push(`output ${names[o]}`);
  }
  const program = b.build();
  const at = Object.fromEntries(inputs.map((x, k) => [`x${k}`, x]));
  const ordered = Float64Array.from(program.inputNames, (name) => at[name]);
  const text = lines.join('\n') + '\n';
  return {
    program,
    inputs: ordered,
    at,
    weights,
    text,
    [fc.toStringMethod]: () => `${text}weights ${JSON.stringify(weights)}`,
  } as RandomProgram;
}

/**
 * The primitive of a step and its arguments: from the step's primitive on, the first primitive for
 * which every argument slot has a candidate variable inside its domain and the result is finite and
 * smooth. `const` always qualifies when listed; otherwise a step may record nothing.
 */
function choose(
  table: readonly Primitive[],
  s: Step,
  values: number[],
): { p: Primitive; args: number[]; theta: number; value: number } | null {
  for (let t = 0; t < table.length; t++) {
    const p = table[(s.op + t) % table.length];
    const slots = p.arity === 'variadic' ? 1 + (s.arity % 4) : p.arity;
    const args: number[] = [];
    for (let k = 0; k < slots; k++) {
      const [lo, hi] = (k === 1 && p.arity === 2 ? p.domain?.b : p.domain?.a) ?? DEFAULT_RANGE;
      const candidates: number[] = [];
      for (let j = 0; j < values.length; j++) if (values[j] >= lo && values[j] <= hi) candidates.push(j);
      if (candidates.length === 0) break;
      // Even picks take a recent variable (deep chains), odd ones any (wide graphs).
      const pick = s.picks[k];
      args.push(
        pick % 2 === 0
          ? candidates[candidates.length - 1 - ((pick >> 1) % Math.min(3, candidates.length))]
          : candidates[(pick >> 1) % candidates.length],
      );
    }
    if (args.length < slots) continue;
    const [lo, hi] = p.domain?.c ?? DEFAULT_RANGE;
    const theta = p.constant ? lo + s.theta * (hi - lo) : 0;
    const code = primitives.code(p.name);
    const value = primitives.evaluate(
      code,
      args.map((a) => values[a]),
      theta,
    );
    if (!Number.isFinite(value) || Math.abs(value) > 1e6) continue;
    if (
      !smooth(
        p,
        code,
        args.map((a) => values[a]),
        theta,
      )
    )
      continue;
    return { p, args, theta, value };
  }
  return null;
}

/**
 * False when some local partial jumps within ±KINK_MARGIN of the arguments (relu at 0, max at a = b):
 * a jump is a change of more than half the partial's size plus 0.05, which smooth primitives on
 * their domains stay far below.
 */
function smooth(p: Primitive, code: number, args: number[], theta: number): boolean {
  const at = (shifted: number[], k: number) => {
    const y = primitives.evaluate(code, shifted, theta);
    if (p.arity === 'variadic') return ruleFunction(p.partials[0])(shifted[k], 0, theta, y);
    return ruleFunction(p.partials[k])(shifted[0], shifted[1] ?? 0, theta, y);
  };
  for (let k = 0; k < args.length; k++) {
    for (let m = 0; m < args.length; m++) {
      const up = args.slice();
      const down = args.slice();
      up[m] += KINK_MARGIN;
      down[m] -= KINK_MARGIN;
      const d1 = at(up, k);
      const d0 = at(down, k);
      if (!Number.isFinite(d0) || !Number.isFinite(d1)) return false;
      if (Math.abs(d1 - d0) > 0.5 * Math.max(Math.abs(d0), Math.abs(d1)) + 0.05) return false;
    }
  }
  return true;
}

/** The constraint as `.lag` text; constant-carrying primitives through the operators that record them. */
function expression(p: Primitive, args: string[], theta: number): string {
  const c = `(${theta})`;
  switch (p.name) {
    case 'const':
      return String(theta);
    case 'scale':
      return `${c} * ${args[0]}`;
    case 'shift':
      return `${args[0]} + ${c}`;
    case 'powc':
      return `${args[0]} ^ ${c}`;
    default:
      return `${p.name}(${args.join(', ')})`;
  }
}
