import type { CheckedPrimitive } from './declaration.ts';
import type { ProgramArrays } from './sweeps.ts';
import { indent, loads, partialField, product, ruleCode, SCALAR, type Site } from './sweepSource.ts';

// The JavaScript of one program: the forward and reverse sweeps unrolled into straight-line code,
// one line per constraint with its parents' indices and θ as literals — no op codes, no dispatch,
// no parent arrays. Each line is the case of the generated sweep (sweepSource.ts) for that
// constraint, printed from the same rules with the same loads, so it computes the same numbers in
// the same order, bit for bit.
//
// Lines are grouped into functions of CHUNK constraints (V8 optimizes only functions of modest
// size, in time superlinear in it). Inside a function, numbers live in locals: each value computed
// there is `const v12`, read by later lines without an array access, and stored once for the
// caller; each multiplier touched there is `let L7`, loaded once, accumulated in place (in the same
// order as the sweep, so to the same bits) and stored once at the end. Typed-array accesses are
// what straight-line code costs in V8 (each has its own checks), so the fewer the better. The
// operands a, b, c, y are the function's locals, assigned anew on every line.
//
//   function forward0(v) {
//     let a = 0, b = 0, c = 0, y = 0, f0 = 0, f1 = 0, f2 = 0, f3 = 0;
//     a = v[1]; const v3 = a * a; v[3] = v3; f3 += v3 * 0;
//     a = v3; b = v[0]; const v4 = a + b; v[4] = v4; f0 += v4 * 0;
//   function reverse0(v, lambda) {
//     let a = 0, b = 0, c = 0, y = 0, l = 0, counted = 0;
//     let L3 = lambda[3]; let L0 = lambda[0];
//     l = lambda[4]; if (l !== 0) { counted++; L3 += l; L0 += l; }
//     …
//     lambda[3] = L3; lambda[0] = L0;

/** What the straight-line code is printed from: the arrays, and which variables the objective reads. */
export interface ProgramLike extends ProgramArrays {
  readonly size: number;
  readonly inputCount: number;
  readonly outputs: Int32Array;
}

/** Constraints per generated function: small enough for V8 to optimize each, large enough that calls are few. */
export const CHUNK = 250;

/** A number as a literal of generated code that reads back as the same double (−0 included). */
export const numberLiteral = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

/**
 * The body of a function `(R) => { forward, reverse }` for one program: `forward(v)` writes
 * v_i = p_i(v_Pa(i)) for every constraint (inputs already in v) and returns Σ v_i·0 (0 when all are
 * finite, NaN otherwise); `reverse(v, lambda)` back-substitutes (I − J)ᵀλ = w in place from λ = w,
 * skipping constraints whose multiplier is 0, and returns how many it did not skip. Constraints
 * that no output depends on keep λ = 0 whatever the point, so they get no reverse line.
 */
export function programSource(program: ProgramLike, table: readonly CheckedPrimitive[], chunk = CHUNK): string {
  const { inputCount, size } = program;
  const reached = reachingOutputs(program);
  const lines: string[] = [];
  const forwards: string[] = [];
  for (let start = inputCount, k = 0; start < size; start += chunk, k++) {
    lines.push(
      `function forward${k}(v) {`,
      ...indent(forwardBody(program, table, start, Math.min(size, start + chunk))),
      '}',
    );
    forwards.push(`forward${k}`);
  }
  const reverses: string[] = [];
  for (let end = size, k = 0; end > inputCount; end -= chunk, k++) {
    lines.push(
      `function reverse${k}(v, lambda) {`,
      ...indent(reverseBody(program, table, Math.max(inputCount, end - chunk), end, reached)),
      '}',
    );
    reverses.push(`reverse${k}`);
  }
  lines.push(
    `const forwards = [${forwards.join(', ')}];`,
    `const reverses = [${reverses.join(', ')}];`,
    'return {',
    '  forward(v) { let finite = 0; for (let k = 0; k < forwards.length; k++) finite += forwards[k](v); return finite; },',
    '  reverse(v, lambda) { let counted = 0; for (let k = 0; k < reverses.length; k++) counted += reverses[k](v, lambda); return counted; },',
    '};',
  );
  return lines.join('\n');
}

/**
 * Constraint i's site: its index, its parents' indices and θ as literals, and the values computed
 * earlier in the same function (indices in [local, i)) read from their locals. `fold` fixes the
 * parent a variadic primitive's step reads. (A class, not closures: this runs once per constraint,
 * and tsx wraps every closure it creates in a naming call.)
 */
class LiteralSite implements Site {
  readonly self: string;
  readonly theta: string;
  private readonly start: number;
  constructor(
    private readonly program: ProgramLike,
    private readonly i: number,
    private readonly local: number,
    private readonly fold = -1,
  ) {
    this.self = String(i);
    this.theta = numberLiteral(program.constants[i]);
    this.start = program.parentStart[i];
  }

  parent(k: number): string {
    return String(this.fold >= 0 ? this.fold : this.program.parents[this.start + k]);
  }

  read(index: string): string {
    const j = Number(index);
    return j >= this.local && j < this.i ? `v${j}` : `v[${j}]`;
  }
}

/** Lines `…loads; const vi = p_i(…); v[i] = vi; f += vi * 0;` for [start, end), a variadic fold unrolled over its parents. */
function forwardBody(program: ProgramLike, table: readonly CheckedPrimitive[], start: number, end: number): string[] {
  const lines = ['let a = 0, b = 0, c = 0, y = 0, f0 = 0, f1 = 0, f2 = 0, f3 = 0;'];
  for (let i = start; i < end; i++) {
    const p = table[program.ops[i]];
    const site = new LiteralSite(program, i, start);
    const value = ruleCode(p.value, p, 'value');
    const statements: string[] = [];
    if (p.primitive.arity !== 'variadic') {
      statements.push(...loads(p, [p.value], 'zero', SCALAR, site, '').outer, `const v${i} = ${value};`);
    } else {
      statements.push(...loads(p, [p.value], 'fold', SCALAR, site, '').outer, `y = ${numberLiteral(p.identity)};`);
      for (let q = program.parentStart[i]; q < program.parentStart[i + 1]; q++) {
        statements.push(
          ...loads(p, [p.value], 'fold', SCALAR, new LiteralSite(program, i, start, program.parents[q]), '').inner,
          `y = ${value};`,
        );
      }
      statements.push(`const v${i} = y;`);
    }
    statements.push(`v[${i}] = v${i};`, `f${i & 3} += v${i} * 0;`);
    lines.push(statements.join(' '));
  }
  lines.push('return f0 + f1 + f2 + f3;');
  return lines;
}

/**
 * Lines `l = λ_i; if (l !== 0) { counted++; …loads; L_j += l * ∂p_i/∂v_j; … }` for i from end − 1
 * down to start, each multiplier L_j loaded before the line that first adds to it and stored at the
 * end. Values are read from the array (the forward functions computed them).
 */
function reverseBody(
  program: ProgramLike,
  table: readonly CheckedPrimitive[],
  start: number,
  end: number,
  reached: Uint8Array,
): string[] {
  const { parentStart, parents } = program;
  const lines = ['let a = 0, b = 0, c = 0, y = 0, l = 0, counted = 0;'];
  const touched = new Set<number>();
  for (let i = end - 1; i >= start; i--) {
    if (reached[i] === 0) continue;
    const first: string[] = [];
    for (let q = parentStart[i]; q < parentStart[i + 1]; q++) {
      const j = parents[q];
      if (touched.has(j)) continue;
      touched.add(j);
      first.push(`let L${j} = lambda[${j}];`);
    }
    const p = table[program.ops[i]];
    const site = new LiteralSite(program, i, end);
    const statements = ['counted++;', ...loads(p, p.partials, 'output', SCALAR, site, '').outer];
    if (p.primitive.arity !== 'variadic') {
      for (let k = 0; k < p.partials.length; k++)
        statements.push(`L${site.parent(k)} += ${product('l', p.partials[k], p, partialField(p, k))};`);
    } else {
      const term = product('l', p.partials[0], p, partialField(p, 0));
      for (let q = parentStart[i]; q < parentStart[i + 1]; q++) {
        const j = parents[q];
        statements.push(
          ...loads(p, p.partials, 'output', SCALAR, new LiteralSite(program, i, end, j), '').inner,
          `L${j} += ${term};`,
        );
      }
    }
    if (first.length > 0) lines.push(first.join(' '));
    lines.push(`l = ${touched.has(i) ? `L${i}` : `lambda[${i}]`}; if (l !== 0) { ${statements.join(' ')} }`);
  }
  const stores: string[] = [];
  for (const j of touched) stores.push(`lambda[${j}] = L${j};`);
  if (stores.length > 0) lines.push(stores.join(' '));
  lines.push('return counted;');
  return lines;
}

/**
 * 1 for the variables some output depends on (the outputs and their ancestors), 0 for the rest:
 * one pass down the evaluation order, which lists every parent before its children.
 */
export function reachingOutputs(program: ProgramLike): Uint8Array {
  const reached = new Uint8Array(program.size);
  for (let k = 0; k < program.outputs.length; k++) reached[program.outputs[k]] = 1;
  for (let i = program.size - 1; i >= program.inputCount; i--) {
    if (reached[i] === 0) continue;
    for (let q = program.parentStart[i]; q < program.parentStart[i + 1]; q++) reached[program.parents[q]] = 1;
  }
  return reached;
}
