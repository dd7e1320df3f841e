import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  grad,
  LagradError,
  parse,
  primitives,
  ProgramBuilder,
  registerPrimitive,
  type Primitive,
} from '../src/index.ts';
import { kernelSource } from '../src/primitives/printKernels.ts';
import { interpretRule, parseRule, printRule, type RuleNode } from '../src/primitives/ruleExpression.ts';
import { SWEEP_KINDS } from '../src/primitives/sweepSource.ts';

// Issue 9, family 8: one bad registration must not break the process. Every declaration that could
// reach generated code is checked at registration; a refused one names the primitive and the field
// and leaves the registry exactly as it was. Then the rule language itself: parsed, printed back
// and interpreted with JavaScript's meaning.

const lecture = { x: 2, y: -1, z: 0 };

/** Everything later parses and grads still see: the table, and a gradient through freshly compiled sweeps. */
function snapshot() {
  return { names: primitives.all().map((p) => p.name), sources: SWEEP_KINDS.map((kind) => kernelSource(kind)) };
}

function stillWorks(before: ReturnType<typeof snapshot>) {
  expect(snapshot()).toEqual(before);
  const g = grad(parse('z + sin(x^2 + y*exp(z))'), lecture).gradient;
  expect(g.x).toBeCloseTo(4 * Math.cos(3), 14);
  expect(grad(parse('max(x, y) + sum(x, y, z)'), lecture, { schedule: 'forward' }).gradient.x).toBe(2);
}

const base = { arity: 1, value: 'a', partials: ['1'] } as const;

/** Bad declarations: [what is wrong, the declaration, the field the error must name]. */
const BAD: [string, Record<string, unknown>, string][] = [
  [
    'identity that is a string',
    { name: 'bad_id1', arity: 'variadic', identity: 'x', value: 'y + a', partials: ['1'] },
    'identity',
  ],
  ['identity NaN', { name: 'bad_id2', arity: 'variadic', identity: NaN, value: 'y + a', partials: ['1'] }, 'identity'],
  ['identity on a fixed arity', { name: 'bad_id3', ...base, identity: 0 }, 'identity'],
  ['a value that is not an expression', { name: 'bad_v1', ...base, value: 'a +' }, 'value'],
  ['a statement after the expression', { name: 'bad_v2', ...base, value: 'a; globalThis.hacked = 1' }, 'value'],
  ['a brace that would close the case', { name: 'bad_v3', ...base, value: 'a } case 99: { v[0] = 1' }, 'value'],
  ['a parenthesis that would break out of (rule)', { name: 'bad_v4', ...base, value: 'a) + (b' }, 'value'],
  ['a line comment', { name: 'bad_v5', ...base, value: 'a // the rest of the line' }, 'value'],
  ['a block comment', { name: 'bad_v6', ...base, value: 'a /* */' }, 'value'],
  ['return', { name: 'bad_v7', ...base, value: 'return a' }, 'value'],
  ['a template literal', { name: 'bad_v8', ...base, value: '`${a}`' }, 'value'],
  ['a comma expression', { name: 'bad_v9', ...base, value: '(v[0] = 1, a)' }, 'value'],
  ['an assignment', { name: 'bad_v10', ...base, value: 'y = a' }, 'value'],
  ['an increment', { name: 'bad_v11', ...base, value: 'y++' }, 'value'],
  ['a free name', { name: 'bad_v12', ...base, value: 'process.exit(1)' }, 'value'],
  [
    'a Math member that is not a function or constant',
    { name: 'bad_v13', ...base, value: 'Math.constructor("return 1")()' },
    'value',
  ],
  ['Math.random (not a rule)', { name: 'bad_v14', ...base, value: 'Math.random()' }, 'value'],
  ['a number', { name: 'bad_v15', ...base, value: 42 }, 'value'],
  ['an empty string', { name: 'bad_v16', ...base, value: ' ' }, 'value'],
  ['an octal-looking number', { name: 'bad_v17', ...base, value: '010 * a' }, 'value'],
  ['a bad partial', { name: 'bad_p1', arity: 2, value: 'a * b', partials: ['b', 'a; }'] }, 'partial 1'],
  ['partials that are not an array', { name: 'bad_p2', arity: 1, value: 'a', partials: '1' }, 'partials'],
  ['partials that do not match the arity', { name: 'bad_p3', arity: 2, value: 'a', partials: ['1'] }, 'partials'],
  ['an arity of 3', { name: 'bad_a1', arity: 3, value: 'a', partials: ['1', '1', '1'] }, 'arity'],
  ['a domain that is not ranges', { name: 'bad_d1', ...base, domain: 'x' }, 'domain'],
  ['a range of one number', { name: 'bad_d2', ...base, domain: { a: [1] } }, 'domain.a'],
  ['an empty range', { name: 'bad_d3', ...base, domain: { a: [2, 1] } }, 'domain.a'],
  ['a range of strings', { name: 'bad_d4', ...base, domain: { b: ['0', '1'] } }, 'domain.b'],
  ['a range for no argument', { name: 'bad_d5', ...base, domain: { d: [0, 1] } }, 'domain.d'],
  ['constant that is not a boolean', { name: 'bad_c1', ...base, constant: 'yes' }, 'constant'],
  ['a misspelled field', { name: 'bad_f1', ...base, partial: ['1'] }, 'partial'],
];

describe('registerPrimitive refuses bad declarations and leaves the registry as it was', () => {
  for (const [what, declaration, field] of BAD) {
    it(`${what} (${field})`, () => {
      const before = snapshot();
      let error: unknown;
      try {
        registerPrimitive(declaration as unknown as Primitive);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LagradError);
      expect((error as LagradError).where).toBe(`primitive '${declaration.name}' ${field}`);
      expect((error as LagradError).message).not.toContain('\n');
      expect(primitives.has(declaration.name as string)).toBe(false);
      expect((globalThis as { hacked?: number }).hacked).toBeUndefined();
      stillWorks(before);
    });
  }

  it('names that are not identifiers, reserved or taken', () => {
    const before = snapshot();
    for (const name of ['a*/b', 'x y', '', 'input', 'init', 'sin', 42]) {
      expect(() => registerPrimitive({ ...base, name } as unknown as Primitive)).toThrow(LagradError);
    }
    expect(() => registerPrimitive(null as unknown as Primitive)).toThrow(LagradError);
    stillWorks(before);
  });

  it('names of the generated code’s own identifiers are only comments there: they work', () => {
    for (const name of ['R', 'v', 's', 'counted', 'op', 'Math', 'switch', 'constructor', '__proto__']) {
      if (!primitives.has(name)) registerPrimitive({ name, arity: 2, value: 'a * b + 1', partials: ['b', 'a'] });
      const b = new ProgramBuilder();
      const [x, y] = [b.input('x'), b.input('y')];
      const program = b.output(b.apply(name, x, y)).build();
      for (const schedule of ['reverse', 'forward'])
        expect(grad(program, [3, 5], { schedule }).solution.gradient).toEqual(Float64Array.of(5, 3));
      expect(kernelSource('reverse', { primitive: name })).toContain(`/* ${name} */`);
    }
  });

  it('keeps a frozen copy: changing the declaration afterwards reaches nothing', () => {
    const p = { name: 'twice_copy', arity: 1 as const, value: '2 * a', partials: ['2'] };
    registerPrimitive(p);
    p.value = 'a } evil {';
    p.partials[0] = '0; }';
    expect(primitives.get(primitives.code('twice_copy')).value).toBe('2 * a');
    expect(grad(parse('twice_copy(x)'), { x: 1 }).gradient.x).toBe(2);
    expect(kernelSource('forward')).not.toContain('evil');
  });

  it('takes variadic primitives with any numeric identity, and user rules of the whole language', () => {
    if (!primitives.has('min_all'))
      registerPrimitive({
        name: 'min_all',
        arity: 'variadic',
        identity: Infinity,
        value: 'a < y ? a : y',
        partials: ['a === y ? 1 : 0'],
      });
    expect(grad(parse('min_all(x, y, z)'), lecture).gradient).toEqual({ x: 0, y: 1, z: 0 });
    if (!primitives.has('smooth_step')) {
      registerPrimitive({
        name: 'smooth_step',
        arity: 1,
        value: 'a <= 0 ? 0 : a >= 1 ? 1 : a ** 2 * (3 - 2 * a)',
        partials: ['a > 0 && a < 1 ? 6 * a * (1 - a) : 0'],
      });
    }
    expect(grad(parse('smooth_step(x)'), { x: 0.25 }).gradient.x).toBe(6 * 0.25 * 0.75);
  });
});

// ── the rule language ───────────────────────────────────────────────────────────────────────────

const leaf = fc.oneof(fc.constantFrom('a', 'b', 'c', 'y', 'Math.PI', '0', '1', '2.5', '1e-3', 'Infinity'));
const BINARY = ['+', '-', '*', '/', '%', '**', '<', '<=', '>', '>=', '==', '!=', '===', '!==', '&&', '||'];
/** Random rules, written with every sub-expression in parentheses: the meaning JavaScript gives is unambiguous. */
const rule: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(fc.constantFrom('-', '+', '!'), tie('e')).map(([op, x]) => `${op}(${x})`),
    fc.tuple(tie('e'), fc.constantFrom(...BINARY), tie('e')).map(([x, op, z]) => `(${x}) ${op} (${z})`),
    fc.tuple(tie('e'), tie('e'), tie('e')).map(([t, p, q]) => `(${t}) ? (${p}) : (${q})`),
    fc.tuple(fc.constantFrom('sin', 'exp', 'abs', 'sqrt', 'log1p'), tie('e')).map(([f, x]) => `Math.${f}(${x})`),
    fc.tuple(tie('e'), tie('e')).map(([x, z]) => `Math.max(${x}, ${z})`),
  ),
})).e;

const args = fc.tuple(...Array.from({ length: 4 }, () => fc.constantFrom(-2, -0.5, -0, 0, 0.5, 1, 3)));

describe('the rule language', () => {
  it('prints a rule with only the parentheses it needs, and JavaScript reads it back the same', () => {
    fc.assert(
      fc.property(rule, args, (text, [a, b, c, y]) => {
        const node = parseRule(text, 'test');
        const printed = printRule(node);
        expect(printRule(parseRule(printed, 'test'))).toBe(printed);
        const original = new Function('a', 'b', 'c', 'y', `return ${text};`)(a, b, c, y);
        const reprinted = new Function('a', 'b', 'c', 'y', `return ${printed};`)(a, b, c, y);
        expect(Object.is(reprinted, original)).toBe(true);
        // The interpreter gives JavaScript's value, booleans and −0 included.
        expect(Object.is(interpretRule(node)(a, b, c, y), original)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps JavaScript’s precedence and refuses what JavaScript refuses', () => {
    const print = (text: string) => printRule(parseRule(text, 'test'));
    expect(print('a - (b - c)')).toBe('a - (b - c)');
    expect(print('(a - b) - c')).toBe('a - b - c');
    expect(print('a ** b ** c')).toBe('a ** b ** c');
    expect(print('(a ** b) ** c')).toBe('(a ** b) ** c');
    expect(print('(-a) ** 2')).toBe('(-a) ** 2');
    expect(print('- -a')).toBe('-(-a)');
    expect(print('a > 0 ? 1 : a < 0 ? -1 : 0')).toBe('a > 0 ? 1 : a < 0 ? -1 : 0');
    expect(() => parseRule('-a ** 2', 'test')).toThrow('needs parentheses');
    expect(() => parseRule('a a', 'test')).toThrow("unexpected 'a' at column 3");
    expect(() => parseRule('((((a))))'.repeat(100), 'test')).toThrow(LagradError);
    expect(() => parseRule('('.repeat(500) + 'a' + ')'.repeat(500), 'test')).toThrow('nested more than');
  });

  it('parses long flat rules without deep recursion', () => {
    const sum = Array.from({ length: 1500 }, () => 'a').join('+');
    const node: RuleNode = parseRule(sum, 'test');
    expect(interpretRule(node)(1, 0, 0, 0)).toBe(1500);
  });
});
