import { total } from './blocks/reductions.ts';
import type { Primitive } from './primitive.ts';

// The built-in primitives, one per line: value, then ∂/∂a and ∂/∂b. `y` is the output. On vectors
// and matrices each acts entry by entry (blocks/entrywise.ts derives that from this line).
// Check against a calculus book; test/primitives.test.ts checks each against finite differences.

const positive = { a: [0.2, 4] } as const;

// ── structure ─────────────────────────────────────────────────────────────────────────────────
const structure: Primitive[] = [
  { name: 'const', arity: 0, value: 'c', partials: [], constant: true, doc: 'a constant θ' },
  { name: 'id', arity: 1, value: 'a', partials: ['1'], doc: 'identity, for v = w' },
];

// ── arithmetic ────────────────────────────────────────────────────────────────────────────────
const arithmetic: Primitive[] = [
  { name: 'add', arity: 2, value: 'a + b', partials: ['1', '1'] },
  { name: 'sub', arity: 2, value: 'a - b', partials: ['1', '-1'] },
  { name: 'mul', arity: 2, value: 'a * b', partials: ['b', 'a'] },
  { name: 'div', arity: 2, value: 'a / b', partials: ['1 / b', '-y / b'], domain: { b: [0.3, 3] } },
  { name: 'neg', arity: 1, value: '-a', partials: ['-1'] },
  { name: 'scale', arity: 1, value: 'c * a', partials: ['c'], constant: true, doc: 'θ·a' },
  { name: 'shift', arity: 1, value: 'a + c', partials: ['1'], constant: true, doc: 'a + θ' },
  {
    name: 'sum',
    arity: 'variadic',
    identity: 0,
    value: 'y + a',
    partials: ['1'],
    block: total,
    doc: 'a₁ + … + aₙ; on blocks, the total of every entry',
  },
];

// ── powers ────────────────────────────────────────────────────────────────────────────────────
const powers: Primitive[] = [
  { name: 'square', arity: 1, value: 'a * a', partials: ['2 * a'] },
  {
    name: 'powc',
    arity: 1,
    value: 'Math.pow(a, c)',
    partials: ['c * Math.pow(a, c - 1)'],
    constant: true,
    domain: { a: [0.2, 3], c: [-3, 3] },
    doc: 'a^θ',
  },
  {
    name: 'pow',
    arity: 2,
    value: 'Math.pow(a, b)',
    partials: ['b * Math.pow(a, b - 1)', 'y * Math.log(a)'],
    domain: { a: [0.2, 3] },
  },
  { name: 'sqrt', arity: 1, value: 'Math.sqrt(a)', partials: ['0.5 / y'], domain: positive },
];

// ── exponentials ──────────────────────────────────────────────────────────────────────────────
const exponentials: Primitive[] = [
  { name: 'exp', arity: 1, value: 'Math.exp(a)', partials: ['y'] },
  { name: 'log', arity: 1, value: 'Math.log(a)', partials: ['1 / a'], domain: positive },
];

// ── trigonometry ──────────────────────────────────────────────────────────────────────────────
const trigonometry: Primitive[] = [
  { name: 'sin', arity: 1, value: 'Math.sin(a)', partials: ['Math.cos(a)'] },
  { name: 'cos', arity: 1, value: 'Math.cos(a)', partials: ['-Math.sin(a)'] },
  { name: 'tan', arity: 1, value: 'Math.tan(a)', partials: ['1 + y * y'], domain: { a: [-1.2, 1.2] } },
];

// ── activations and selections (not differentiable at their kinks; one side is taken) ─────────
const activations: Primitive[] = [
  { name: 'tanh', arity: 1, value: 'Math.tanh(a)', partials: ['1 - y * y'] },
  { name: 'sigmoid', arity: 1, value: '1 / (1 + Math.exp(-a))', partials: ['y * (1 - y)'] },
  { name: 'relu', arity: 1, value: 'a > 0 ? a : 0', partials: ['a > 0 ? 1 : 0'] },
  { name: 'abs', arity: 1, value: 'Math.abs(a)', partials: ['a > 0 ? 1 : a < 0 ? -1 : 0'] },
  { name: 'max', arity: 2, value: 'a >= b ? a : b', partials: ['a >= b ? 1 : 0', 'a >= b ? 0 : 1'] },
  { name: 'min', arity: 2, value: 'a <= b ? a : b', partials: ['a <= b ? 1 : 0', 'a <= b ? 0 : 1'] },
];

/** Every built-in primitive, in registration order (which fixes their op codes). */
export const builtinPrimitives: readonly Primitive[] = [
  ...structure,
  ...arithmetic,
  ...powers,
  ...exponentials,
  ...trigonometry,
  ...activations,
];
