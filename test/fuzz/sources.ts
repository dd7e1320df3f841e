import fc from 'fast-check';
import { builtinPrimitives } from '../../src/primitives/builtins.ts';

// Grammar-based generators of what users type: expressions and `.lag` programs, mostly well formed
// and sometimes not — forward references, cycles, constants that fold to NaN or overflow, huge and
// malformed numbers, bad tokens, unicode, deep nesting, comments and blank lines. Each draw is text
// plus a point, so a property can push it through the parser, the API and the CLI.

/** Names programs are written over: a few inputs and a few constrained variables. */
const INPUTS = ['x', 'y', 'z'];
const VARIABLES = ['a', 'b', 'c', 'v', 'w'];
const NAMES = [...INPUTS, ...VARIABLES];

/** Names that are not ordinary: keywords, function names, JavaScript's specials, unicode. */
const ODD_NAMES = [
  'input',
  'output',
  'init',
  'sin',
  '_',
  'x1',
  'NaN',
  'Infinity',
  '__proto__',
  'constructor',
  'toString',
  'π',
  'é',
  'λ',
];

/** Function names with their arities, plus misspelled and unknown ones. */
const FUNCTIONS: readonly (readonly [string, number])[] = [
  ...builtinPrimitives
    .filter((p) => p.name !== 'const' && p.name !== 'input')
    .map((p) => [p.name, p.arity === 'variadic' ? 3 : p.arity] as const),
  ['sinn', 1],
  ['foo', 2],
  ['Math', 1],
];

/** Number texts: ordinary, boundary (0, overflow, underflow, subnormal) and malformed. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 100 }).map(String) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 9999 }).map((k) => String(k / 1000)) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '0',
      '0.0',
      '.5',
      '3.',
      '1e-3',
      '2.5E2',
      '1e200',
      '1e300',
      '1.7976931348623157e308',
      '1e308',
      '1e309',
      '1e400',
      '1e-320',
      '5e-324',
      '1e-400',
      '123456789012345678901234567890',
      '0e0',
      '1e+2',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('1e', '1.2.3', '1x', '0x10', '1_000', '١٢', '1e+', '..5') },
);

/** A value for --at or a default: like numberText but signed. */
export const signedNumberText: fc.Arbitrary<string> = fc
  .tuple(fc.boolean(), numberText)
  .map(([negative, text]) => (negative ? `-${text}` : text));

interface ExpressionShape {
  /** Names it may read. */
  readonly names: readonly string[];
  readonly depth: number;
}

/** A random expression over `names`, nested at most `depth` deep. */
export function expression({ names, depth }: ExpressionShape): fc.Arbitrary<string> {
  const name = fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...names) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD_NAMES) },
  );
  const leaf = fc.oneof({ weight: 3, arbitrary: name }, { weight: 2, arbitrary: numberText });
  const { tree } = fc.letrec<{ tree: string }>((tie) => ({
    tree: fc.oneof(
      { depthSize: 'small', maxDepth: depth, withCrossShrink: true },
      { weight: 4, arbitrary: leaf },
      {
        weight: 3,
        arbitrary: fc
          .tuple(tie('tree'), fc.constantFrom('+', '-', '*', '/', '^'), tie('tree'), fc.boolean())
          .map(([l, op, r, paren]) => (paren ? `(${l} ${op} ${r})` : `${l} ${op} ${r}`)),
      },
      { weight: 1, arbitrary: tie('tree').map((e) => `-${e}`) },
      {
        weight: 3,
        arbitrary: fc
          .tuple(
            fc.constantFrom(...FUNCTIONS),
            fc.array(tie('tree'), { minLength: 0, maxLength: 4 }),
            fc.integer({ min: 0, max: 9 }),
          )
          // Mostly the right number of arguments.
          .map(
            ([[f, arity], args, wrong]) =>
              `${f}(${(wrong === 0 ? args : args.concat(args, args).slice(0, arity)).join(', ')})`,
          ),
      },
    ),
  }));
  return tree;
}

/** Texts that stress the parser's limits: deep nesting, long chains, long lines. */
export const deepExpression: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom('parens', 'calls', 'minus', 'powers', 'sum'), fc.integer({ min: 50, max: 3000 }))
  .map(([kind, n]) => {
    switch (kind) {
      case 'parens':
        return '('.repeat(n) + 'x' + ')'.repeat(n);
      case 'calls':
        return 'sin('.repeat(n) + 'x' + ')'.repeat(n);
      case 'minus':
        return '-'.repeat(n) + 'x';
      case 'powers':
        return Array.from({ length: n }, () => 'x').join('^');
      default:
        return Array.from({ length: n }, (_, k) => `${k % 7} * x`).join(' + ');
    }
  });

/** One character that breaks a text somewhere: stray tokens, unicode, control and odd spaces. */
const CORRUPTIONS = [
  '$',
  '@',
  '%',
  '**',
  ',',
  '(',
  ')',
  '=',
  '#',
  'λ',
  '\u00a0',
  '\t',
  '\r',
  '\u2212',
  ';',
  '"',
  "'",
  '\\',
  '\u0000',
  '..',
  'e',
  '==',
];

/** The text with one corruption at a random place (or unchanged). */
export function corrupt(text: fc.Arbitrary<string>, probability = 0.25): fc.Arbitrary<string> {
  return fc
    .tuple(
      text,
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.nat(),
      fc.constantFrom(...CORRUPTIONS),
      fc.constantFrom('insert', 'delete', 'replace'),
    )
    .map(([t, p, at, c, how]) => {
      if (p >= probability || t.length === 0) return t;
      const k = at % (t.length + 1);
      if (how === 'insert') return t.slice(0, k) + c + t.slice(k);
      if (how === 'delete') return t.slice(0, k) + t.slice(k + 1);
      return t.slice(0, k) + c + t.slice(k + 1);
    });
}

/** An expression text for `lagrad eval EXPR` / `parse(EXPR)`. */
export const expressionSource: fc.Arbitrary<string> = fc.oneof(
  { weight: 9, arbitrary: corrupt(expression({ names: INPUTS, depth: 4 })) },
  { weight: 1, arbitrary: deepExpression },
);

/**
 * A `.lag` program text: inputs (with or without defaults), assignments in any order (so names are
 * used before their definition, and a name may depend on itself: a cycle), init and output lines,
 * comments, blank lines and indentation — and sometimes a duplicate, an undefined name, a line of
 * garbage or a corrupted character.
 */
export const programSource: fc.Arbitrary<string> = fc
  .record({
    inputs: fc.subarray(INPUTS, { minLength: 0 }),
    defaults: fc.array(fc.option(signedNumberText, { nil: undefined }), { minLength: 3, maxLength: 3 }),
    assigned: fc.subarray(VARIABLES, { minLength: 1 }),
    bodies: fc.array(expression({ names: NAMES, depth: 3 }), { minLength: 5, maxLength: 5 }),
    inits: fc.array(fc.tuple(fc.constantFrom(...VARIABLES), signedNumberText), { maxLength: 2 }),
    outputs: fc.array(fc.constantFrom(...NAMES, 'q'), { minLength: 0, maxLength: 2 }),
    extras: fc.array(
      fc.constantFrom(
        '# a comment',
        '',
        '   ',
        '\t# indented comment',
        'a = x',
        'x + 1',
        'input',
        'output',
        'init v',
        '= 3',
        'input x = two',
        'b = b',
        'garbage ! here',
      ),
      { maxLength: 3 },
    ),
    order: fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
    comment: fc.boolean(),
  })
  .map((d) => {
    const lines: string[] = [];
    d.inputs.forEach((name, k) =>
      lines.push(d.defaults[k] === undefined ? `input ${name}` : `input ${name} = ${d.defaults[k]}`),
    );
    d.assigned.forEach((name, k) =>
      lines.push(`${name} = ${d.bodies[k]}${d.comment && k === 0 ? '   # trailing comment' : ''}`),
    );
    for (const [name, value] of d.inits) lines.push(`init ${name} = ${value}`);
    for (const name of d.outputs) lines.push(`output ${name}`);
    lines.push(...d.extras);
    // A deterministic shuffle from the drawn keys: statements may come in any order.
    const keyed = lines.map((line, k) => [d.order[k % d.order.length] + k / 100, line] as const);
    keyed.sort((p, q) => p[0] - q[0]);
    return keyed.map(([, line]) => line).join('\n');
  })
  .chain((text) => corrupt(fc.constant(text), 0.15));

/** Some program texts with a known intent, for the families the issue names. */
export const namedProgramSources: readonly string[] = [
  'input x = 0.5\nb = a + x\na = sin(log(-1))\noutput b',
  'input x = 0.5\na = sin(log(-1))\nb = a + x\noutput b',
  'input x = 1\nb = a * x\na = 0/0\noutput b',
  'input x = 1\nb = a * x\na = sqrt(-1)\noutput b',
  'input x = 1\nb = a + x\na = 1e200 * 1e200\noutput b',
  'input x = 1\nb = a + x\na = exp(1000)\noutput b',
  'input t = 0\ninit v = 1\nv = 0.9999999*v + t\noutput v',
  'input t = 0\nv = cos(v) + t\noutput v',
  'input t\nv = v + 1\noutput v',
  'input x = 1\ny = sin(1e200*sin(1e200*x))\noutput y',
];
