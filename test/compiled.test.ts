import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  builtinPrimitives,
  grad,
  parse,
  parseProgram,
  primitives,
  ProgramBuilder,
  registerPrimitive,
  type Primitive,
} from '../src/index.ts';
import { interpreting, useInterpreter } from '../src/primitives/codegen.ts';
import { COMPILE_LIMIT, compiledProgram, compileProgram } from '../solvers/compiled.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// The compiled schedule against reverse, bit for bit: values, every multiplier, the gradient and the
// count of partial evaluations, on random programs over every built-in primitive and user
// primitives (string and function rules, θ, a variadic fold), in one function and split into
// chunks of a few constraints; then where it does not apply (cyclic, code generation refused).

const USER: Primitive[] = [
  { name: 'softsignC', arity: 1, value: (a) => a / (1 + Math.abs(a)), partials: [(a) => 1 / (1 + Math.abs(a)) ** 2] },
  { name: 'affineC', arity: 1, value: 'c * a + 1', partials: ['c'], constant: true, domain: { c: [-2, 2] } },
  { name: 'productC', arity: 'variadic', identity: 1, value: 'y * a', partials: ['y / a'], domain: { a: [0.2, 2] } },
];
for (const p of USER) if (!primitives.has(p.name)) registerPrimitive(p);
const NAMES = [...builtinPrimitives, ...USER].map((p) => p.name);

function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

describe('the compiled schedule', () => {
  it('gives the bits of reverse: values, multipliers, gradient, value and counts (random programs, every primitive)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitraryProgram({ primitives: NAMES, constraints: 40, inputs: 4 }), (r) => {
        for (let i = r.program.inputCount; i < r.program.size; i++) seen.add(r.program.constraint(i).op);
        const reverse = grad(r.program, r.inputs, { schedule: 'reverse', weights: r.weights });
        const compiled = grad(r.program, r.inputs, { schedule: 'compiled', weights: r.weights });
        expect(compiled.schedule).toBe(interpreting() ? 'reverse' : 'compiled'); // LAGRAD_INTERPRET=1: reverse serves
        expect(firstDifference(compiled.values, reverse.values)).toBe(-1);
        expect(firstDifference(compiled.lambda, reverse.lambda)).toBe(-1);
        expect(firstDifference(compiled.solution.gradient, reverse.solution.gradient)).toBe(-1);
        expect(Object.is(compiled.value, reverse.value)).toBe(true);
        const { timeMs: _a, ...counts } = compiled.stats;
        const { timeMs: _b, ...expected } = reverse.stats;
        expect(counts).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    expect([...seen].sort()).toEqual([...NAMES].sort());
  });

  it('gives the same bits split into functions of a few constraints (values and multipliers carried across)', () => {
    fc.assert(
      fc.property(
        arbitraryProgram({ primitives: NAMES, constraints: 40, inputs: 4 }),
        fc.integer({ min: 1, max: 7 }),
        (r, chunk) => {
          const reverse = grad(r.program, r.inputs, { schedule: 'reverse', weights: r.weights });
          const code = compileProgram(r.program, chunk);
          const values = new Float64Array(r.program.size);
          values.set(r.inputs);
          expect(code.forward(values)).toBe(0);
          const lambda = new Float64Array(r.program.size);
          seed(
            r.program,
            Float64Array.from(r.program.outputs, (o) => r.weights[r.program.nameOf(o)!] ?? 0),
            lambda,
          );
          expect(code.reverse(values, lambda)).toBe(reverse.stats.partialEvaluations);
          expect(firstDifference(values, reverse.values)).toBe(-1);
          expect(firstDifference(lambda, reverse.lambda)).toBe(-1);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the constraint of a value or a derivative that is not finite, as reverse does', () => {
    for (const [text, at] of [
      ['log(x) * y', { x: -1, y: 2 }],
      ['sqrt(x) + y', { x: 0, y: 1 }],
      ['x / (y - 1)', { x: 1, y: 1 }],
    ] as const) {
      const program = parse(text);
      const message = (schedule: string) => {
        try {
          grad(program, at, { schedule });
          return '';
        } catch (e) {
          return (e as Error).message;
        }
      };
      expect(message('compiled')).not.toBe('');
      expect(message('compiled')).toBe(message('reverse'));
    }
  });

  it.skipIf(interpreting())('is compiled once per program and cached with it', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    const code = compiledProgram(program);
    expect(code).not.toBeNull();
    expect(compiledProgram(program)).toBe(code);
    expect(compiledProgram(parse('z + sin(x^2 + y*exp(z))'))).not.toBe(code);
  });

  it('hands cyclic programs to reverse (block-reverse), and says so', () => {
    const program = parse('input t = 0.5\nv = cos(v) + t\noutput v');
    const r = grad(program, {}, { schedule: 'compiled' });
    expect(r.schedule).toBe('reverse');
    expect(r.gradient).toEqual(grad(program, {}, { schedule: 'reverse' }).gradient);
  });

  it('hands programs above COMPILE_LIMIT to reverse, and says so', () => {
    const b = new ProgramBuilder();
    let v = b.input('x');
    for (let k = 0; k < COMPILE_LIMIT; k++) v = b.apply('sin', v);
    b.output(v);
    const program = b.build();
    const r = grad(program, { x: 0.5 }, { schedule: 'compiled' });
    expect(r.schedule).toBe('reverse');
    expect(compiledProgram(program)).toBeNull();
    expect(r.gradient.x).toBe(grad(program, { x: 0.5 }, { schedule: 'reverse' }).gradient.x);
  });

  it('hands programs with vector and matrix variables to reverse, and says so', () => {
    const program = parseProgram('input X[2, 2]\ninput w[2]\ny = sum(X @ w)\noutput y');
    const at = {
      X: [
        [1, 2],
        [3, 4],
      ],
      w: [0.5, -1],
    };
    const r = grad(program, at, { schedule: 'compiled' });
    expect(r.schedule).toBe('reverse');
    expect(compiledProgram(program)).toBeNull();
    expect(Array.from(r.gradient.w as Float64Array)).toEqual(
      Array.from(grad(program, at, { schedule: 'reverse' }).gradient.w as Float64Array),
    );
  });

  it('hands over to reverse when the interpreter is chosen', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    const previous = useInterpreter(true);
    try {
      const r = grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'compiled' });
      expect(r.schedule).toBe('reverse');
      expect(compiledProgram(program)).toBeNull();
    } finally {
      useInterpreter(previous);
    }
  });

  it('reads λ = 0 for variables no output depends on, and counts only what it evaluated', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    const used = b.apply('sin', x);
    const unused = b.apply('log', x);
    b.name(unused, 'unused');
    b.output(b.apply('mul', used, used));
    const program = b.build();
    const r = grad(program, { x: 0.5 }, { schedule: 'compiled', multipliers: true });
    expect(r.multipliers.unused).toBe(0);
    expect(r.stats.partialEvaluations).toBe(2);
    expect(r.gradient.x).toBe(grad(program, { x: 0.5 }, { schedule: 'reverse' }).gradient.x);
  });
});

describe('where code generation is refused', () => {
  it('node --disallow-code-generation-from-strings: the compiled schedule is served by reverse', () => {
    const script = fileURLToPath(new URL('./helpers/withoutCodegen.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout);
    expect(result.compiled.schedule).toBe('reverse');
    expect(result.compiled.gradient).toEqual(result.gradient);
  });
});

describe('`lagrad kernels --program`', () => {
  it('prints the straight-line code the compiled schedule runs for a program', async () => {
    const r = await lagrad(['kernels', '--program', 'z + sin(x^2 + y*exp(z))']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('function forward0(v) {');
    expect(r.out).toContain('const v7 = Math.sin(a); v[7] = v7;');
    expect(r.out).toContain('l = L7; if (l !== 0) { counted++; a = v[6]; L6 += l * Math.cos(a); }');
    expect(r.out).toContain('//# sourceURL=lagrad/compiled/program.js');
    const bad = await lagrad(['kernels', 'forward', '--program', 'x']);
    expect(bad.status).toBe(2); // a usage error
  });
});
