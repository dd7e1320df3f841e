import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  builtinPrimitives,
  grad,
  parse,
  PrimitiveRegistry,
  primitives,
  ProgramBuilder,
  registerPrimitive,
  type Primitive,
} from '../src/index.ts';
import { useInterpreter } from '../src/primitives/codegen.ts';
import { interpretedKernels } from '../src/primitives/interpretedKernels.ts';
import { compileKernels, type Kernels } from '../src/primitives/kernels.ts';
import { kernelSource } from '../src/primitives/printKernels.ts';
import { sweepSource, SWEEP_KINDS } from '../src/primitives/sweepSource.ts';
import { bindSweeps, sweepsOf } from '../src/primitives/sweeps.ts';
import type { Program } from '../src/program/program.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// The generated sweeps against the interpreted reference (the autodidax loop over value and
// partials), bit for bit, on random programs over every built-in primitive and user primitives
// declared with strings and with functions; then the printed source, the bound sweeps and the
// fallback where code generation is refused.

/** User primitives for the random programs: function rules, a constant θ, a variadic fold with identity 1. */
const USER: Primitive[] = [
  { name: 'softsignFn', arity: 1, value: (a) => a / (1 + Math.abs(a)), partials: [(a) => 1 / (1 + Math.abs(a)) ** 2] },
  {
    name: 'hypotFn',
    arity: 2,
    value: (a, b) => Math.hypot(a, b),
    partials: [(a, _b, _c, y) => a / y, (_a, b, _c, y) => b / y],
    domain: { a: [0.2, 3], b: [0.2, 3] },
  },
  { name: 'affineTheta', arity: 1, value: 'c * a + 1', partials: ['c'], constant: true, domain: { c: [-2, 2] } },
  { name: 'productAll', arity: 'variadic', identity: 1, value: 'y * a', partials: ['y / a'], domain: { a: [0.2, 2] } },
];
for (const p of USER) if (!primitives.has(p.name)) registerPrimitive(p);
const NAMES = [...builtinPrimitives, ...USER].map((p) => p.name);

/** The first index where two arrays differ as bits (Object.is), or −1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let k = 0; k < a.length; k++) if (!Object.is(a[k], b[k])) return k;
  return -1;
}

/** Numbers from a seed (mulberry32), some exactly 0 so the reverse sweep's skip is exercised. */
function numbers(seed: number, n: number): Float64Array {
  let t = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    const u = ((r ^ (r >>> 14)) >>> 0) / 2 ** 32;
    return u < 0.2 ? 0 : 4 * u - 2;
  });
}

/** Runs every sweep of `k` on the program and returns everything it wrote. */
function runAll(k: Kernels, program: Program, inputs: Float64Array, seed: number) {
  const { ops, parentStart: ps, parents: pa, constants: cs, inputCount, size } = program;
  const v = new Float64Array(size);
  v.set(inputs);
  const finite = k.forward(v, ops, ps, pa, cs, inputCount, size);
  const lambda = numbers(seed, size);
  const inPlaceCount = k.reverse(v, lambda, lambda, ops, ps, pa, cs, inputCount, size);
  const src = numbers(seed + 1, size);
  const dst = numbers(seed + 2, size);
  const jacobiCount = k.reverse(v, src, dst, ops, ps, pa, cs, 0, size);
  const tangent = new Float64Array(size);
  k.tangent(v, numbers(seed + 3, size), tangent, ops, ps, pa, cs, inputCount, size);
  const K = 3;
  const T = numbers(seed + 4, size * K);
  k.lanes(v, T, K, ops, ps, pa, cs, inputCount, size);
  const values = Float64Array.from({ length: size }, (_, i) => k.value(i, v, ops, ps, pa, cs));
  const partials = new Float64Array(pa.length).fill(NaN);
  const row = new Float64Array(program.maxParents());
  for (let i = 0; i < size; i++) {
    row.fill(NaN);
    k.partials(i, v, ops, ps, pa, cs, row);
    partials.set(row.subarray(0, ps[i + 1] - ps[i]), ps[i]);
  }
  return { v, lambda, counts: [finite, inPlaceCount, jacobiCount], dst, tangent, T, values, partials };
}

describe('generated sweeps against the interpreted reference', () => {
  const table = primitives.checkedAll();
  const generated = compileKernels(table);
  const interpreted = interpretedKernels(table);

  it('agree bit for bit on random programs, every sweep, every primitive (built-in and user)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitraryProgram({ primitives: NAMES, constraints: 30, inputs: 4 }), fc.nat(), (r, seed) => {
        for (let i = r.program.inputCount; i < r.program.size; i++) seen.add(r.program.constraint(i).op);
        const a = runAll(generated, r.program, r.inputs, seed);
        const b = runAll(interpreted, r.program, r.inputs, seed);
        expect(a.counts).toEqual(b.counts);
        for (const key of ['v', 'lambda', 'dst', 'tangent', 'T', 'values', 'partials'] as const) {
          expect(firstDifference(a[key], b[key]), key).toBe(-1);
        }
        // value(i) is what forward wrote.
        expect(firstDifference(a.values, a.v)).toBe(-1);
      }),
      { numRuns: 300 },
    );
    // The draws reached every primitive (those with parents need arguments in their domain).
    expect([...seen].sort()).toEqual([...NAMES].sort());
  });

  it('count exactly the constraints with a nonzero multiplier, as the interpreter does', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    const s = b.apply('sqrt', x);
    const unused = b.apply('log', x);
    b.output(b.apply('mul', s, s));
    b.name(unused, 'unused');
    const program = b.build();
    const values = new Float64Array(program.size);
    values[0] = 4;
    sweepsOf(program).forward(values, program.inputCount, program.size);
    for (const k of [generated, interpreted]) {
      const lambda = new Float64Array(program.size);
      lambda[program.outputs[0]] = 1;
      // mul and sqrt; log's multiplier is 0 (the objective does not read it): skipped, not counted.
      expect(
        k.reverse(
          values,
          lambda,
          lambda,
          program.ops,
          program.parentStart,
          program.parents,
          program.constants,
          1,
          program.size,
        ),
      ).toBe(2);
      expect(lambda[0]).toBe(1); // d/dx (√x)² = 1
    }
  });
});

describe('the printed source', () => {
  const table = primitives.checkedAll();

  it('is the text that is compiled, with named cases and a sourceURL', () => {
    const compiled = compileKernels(table);
    for (const kind of SWEEP_KINDS) {
      expect(compiled[kind].toString()).toBe(sweepSource(kind, table));
      const printed = kernelSource(kind);
      expect(printed).toContain(sweepSource(kind, table));
      expect(printed).toContain(`//# sourceURL=lagrad/kernels/${kind}.js`);
      for (const p of table.slice(1)) expect(printed).toContain(`case ${p.code}: /* ${p.primitive.name} */`);
    }
  });

  it('prints one primitive’s case, derived from its rules', () => {
    expect(kernelSource('reverse', { primitive: 'mul' })).toContain(`case ${primitives.code('mul')}: /* mul */ {`);
    expect(kernelSource('reverse', { primitive: 'mul' })).toContain('dst[j1] += l * a;');
    expect(kernelSource('forward', { primitive: 'exp' })).toContain('vi = Math.exp(a);');
    expect(kernelSource('tangent', { primitive: 'sub' })).toContain('dst[i] = src[pa[s]] + -src[pa[s + 1]];');
    expect(() => kernelSource('revers' as 'reverse')).toThrow("sweep 'revers': unknown; did you mean 'reverse'?");
    expect(() => kernelSource('reverse', { primitive: 'sinh' })).toThrow(
      "primitive 'sinh': unknown; did you mean 'sin'?",
    );
  });

  it('names the sweep in the stack trace of a rule that throws', () => {
    const registry = new PrimitiveRegistry(builtinPrimitives);
    const code = registry.register({
      name: 'boom',
      arity: 1,
      value: () => {
        throw new Error('boom');
      },
      partials: ['1'],
    });
    const arrays = {
      ops: Int32Array.of(0, code),
      parentStart: Int32Array.of(0, 0, 1),
      parents: Int32Array.of(0),
      constants: new Float64Array(2),
    };
    const k = compileKernels(registry.checkedAll());
    let stack = '';
    try {
      k.forward(new Float64Array(2), arrays.ops, arrays.parentStart, arrays.parents, arrays.constants, 1, 2);
    } catch (e) {
      stack = (e as Error).stack ?? '';
    }
    expect(stack).toContain('lagrad/kernels/forward.js');
    expect(stack).not.toContain('eval at');
  });

  it('`lagrad kernels` prints the sweeps, one sweep or one primitive’s cases', async () => {
    const all = await lagrad(['kernels']);
    expect(all.status).toBe(0);
    for (const kind of SWEEP_KINDS) expect(all.out).toContain(`//# sourceURL=lagrad/kernels/${kind}.js`);
    const one = await lagrad(['kernels', 'reverse', '--primitive', 'mul']);
    expect(one.status).toBe(0);
    expect(one.out).toContain('/* mul */');
    expect(one.out).not.toContain('/* add */');
    expect((await lagrad(['kernels', '--help'])).out).toContain('--primitive');
    const bad = await lagrad(['kernels', 'backward']);
    expect(bad.status).toBe(2); // a usage error: a name not among the sweeps
    expect(bad.err).toBe(
      "lagrad: sweep 'backward': unknown; choose one of forward, reverse, tangent, lanes, value, partials\n",
    );
    expect((await lagrad(['kernels', 'forward', 'reverse'])).status).toBe(2);
  });
});

describe('the bound sweeps', () => {
  it('are cached per program and call the registry’s current kernels', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    expect(sweepsOf(program)).toBe(sweepsOf(program));
    // Bound before the primitive exists: a bound object holding the old kernels would find no case.
    const registry = new PrimitiveRegistry(builtinPrimitives);
    const next = registry.all().length;
    const arrays = {
      ops: Int32Array.of(0, next),
      parentStart: Int32Array.of(0, 0, 1),
      parents: Int32Array.of(0),
      constants: new Float64Array(2),
    };
    const sweeps = bindSweeps(arrays, registry);
    const values = Float64Array.of(3, 0);
    expect(() => sweeps.forward(values, 1, 2)).toThrow('unknown op code');
    registry.register({ name: 'triple', arity: 1, value: '3 * a', partials: ['3'] });
    sweeps.forward(values, 1, 2);
    expect(values[1]).toBe(9);
    const lambda = Float64Array.of(0, 2);
    expect(sweeps.reverse(values, lambda, lambda, 1, 2)).toBe(1);
    expect(lambda[0]).toBe(6);
  });

  it('follow a switch to the interpreter: every schedule gives the same bits', () => {
    fc.assert(
      fc.property(arbitraryProgram({ primitives: NAMES, constraints: 20 }), (r) => {
        for (const schedule of ['reverse', 'forward', 'checkpoint']) {
          const options = { weights: r.weights, schedule, multipliers: true };
          const generated = grad(r.program, r.inputs, options);
          const previous = useInterpreter(true);
          try {
            const interpreted = grad(r.program, r.inputs, options);
            expect(firstDifference(interpreted.lambda, generated.lambda)).toBe(-1);
            expect(Object.is(interpreted.value, generated.value)).toBe(true);
          } finally {
            useInterpreter(previous);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('where code generation is refused', () => {
  it('node --disallow-code-generation-from-strings computes the lecture gradient with the interpreted sweeps', () => {
    const script = fileURLToPath(new URL('./helpers/withoutCodegen.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', script], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.codeGenerationAllowed).toBe(false);
    expect(result.interpreting).toBe(true);
    // Closed form at (2, −1, 0): f = sin 3, ∂f/∂x = 4 cos 3, ∂f/∂y = cos 3, ∂f/∂z = 1 − cos 3.
    expect(result.value).toBeCloseTo(Math.sin(3), 15);
    expect(result.gradient.x).toBeCloseTo(4 * Math.cos(3), 14);
    expect(result.gradient.y).toBeCloseTo(Math.cos(3), 14);
    expect(result.gradient.z).toBeCloseTo(1 - Math.cos(3), 14);
    // The same bits as the generated sweeps here.
    const here = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 });
    expect(result.gradient).toEqual(here.gradient);
    expect(result.forward).toEqual(here.gradient);
    // A user primitive with string rules and one with function rules: d/dx softplus(2x) + x³.
    expect(result.user).toBeCloseTo(2 / (1 + Math.exp(-0.6)) + 3 * 0.09, 14);
    expect(result.refused).toMatch(/^primitive 'global' value: .*unknown name 'globalThis'/);
  });
});
