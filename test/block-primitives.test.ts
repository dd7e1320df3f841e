import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  builtinPrimitives,
  grad,
  LagradError,
  parse,
  primitives,
  ProgramBuilder,
  registerPrimitive,
  type Primitive,
  type Shape,
} from '../src/index.ts';
import { ALL } from '../src/primitives/blockSweeps.ts';
import { blockAt } from '../src/primitives/registry.ts';
import { sizeOf } from '../src/program/shape.ts';

// Every block rule checked three ways, as the scalar table is: the JVP against central
// differences of the value along a random direction, the VJP against the JVP by the dot-product
// identity ⟨λ, J t⟩ = ⟨Jᵀλ, t⟩, and (below) closed forms. The entrywise rules of every scalar
// primitive are derived, never written: these tests are what checks the derivation.

/** A slab holding the arguments and the output of one constraint, and its site. */
function siteOf(shapes: readonly Shape[], out: Shape, constant: number) {
  const blocks = [];
  let offset = 0;
  for (const s of [...shapes, out]) {
    blocks.push(blockAt(offset, s));
    offset += sizeOf(s);
  }
  const outBlock = blocks.pop()!;
  return { site: { out: outBlock, args: blocks, constant }, slots: offset };
}

/** Max relative failures of the JVP (against differences) and of the VJP (against the JVP) at random points. */
function checkRule(
  code: number,
  shapes: readonly Shape[],
  constant: number,
  sample: (k: number) => number,
  random: () => number,
) {
  const rules = primitives.blockRules(code);
  const out = rules.shape(shapes, constant);
  if (typeof out === 'string') throw new Error(out);
  const { site, slots } = siteOf(shapes, out, constant);
  const v = new Float64Array(slots);
  site.args.forEach((a, k) => {
    for (let e = 0; e < a.size; e++) v[a.offset + e] = sample(k);
  });
  rules.value(v, site);
  const t = new Float64Array(slots);
  for (const a of site.args) for (let e = 0; e < a.size; e++) t[a.offset + e] = random() * 2 - 1;
  const dt = new Float64Array(slots);
  rules.jvp(v, t, dt, site);
  // Central differences of the value along t.
  const h = 1e-5;
  const shifted = (sign: number) => {
    const w = Float64Array.from(v);
    for (const a of site.args) for (let e = 0; e < a.size; e++) w[a.offset + e] += sign * h * t[a.offset + e];
    rules.value(w, site);
    return w.slice(site.out.offset, site.out.offset + site.out.size);
  };
  const plus = shifted(1);
  const minus = shifted(-1);
  let fdError = 0;
  for (let e = 0; e < site.out.size; e++) {
    const fd = (plus[e] - minus[e]) / (2 * h);
    const jvp = dt[site.out.offset + e];
    fdError = Math.max(fdError, Math.abs(fd - jvp) / Math.max(1, Math.abs(jvp)));
  }
  const l = new Float64Array(slots);
  for (let e = 0; e < site.out.size; e++) l[site.out.offset + e] = random() * 2 - 1;
  const dl = new Float64Array(slots);
  rules.vjp(v, l, dl, site, ALL);
  let left = 0;
  let right = 0;
  let scale = 0;
  for (let e = 0; e < site.out.size; e++) {
    left += l[site.out.offset + e] * dt[site.out.offset + e];
    scale += Math.abs(l[site.out.offset + e] * dt[site.out.offset + e]);
  }
  for (const a of new Set(site.args)) {
    for (let e = 0; e < a.size; e++) {
      right += dl[a.offset + e] * t[a.offset + e];
      scale += Math.abs(dl[a.offset + e] * t[a.offset + e]);
    }
  }
  return { fdError, dotError: Math.abs(left - right) / Math.max(scale, 1e-300) };
}

const uniform = (lo: number, hi: number, u: number) => lo + (hi - lo) * u;
/** A deterministic generator of numbers in [0, 1) from a seed (mulberry32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shape pairs for a binary entrywise primitive: equal, scalar either side, a vector over the rows of a matrix. */
const BROADCASTS: [Shape, Shape][] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[4], [4]],
  [[3, 4], []],
  [[], [2, 3]],
  [[3, 4], [4]],
  [[4], [2, 4]],
  [[5], []],
];

describe('entrywise rules derived from the scalar table', () => {
  const entrywise = builtinPrimitives.filter((p) => p.arity === 1 || p.arity === 2);
  for (const p of entrywise) {
    const code = primitives.code(p.name);
    const cases: Shape[][] = p.arity === 1 ? [[[3, 4]], [[5]], [[]]] : BROADCASTS;
    it(`${p.name} on ${cases.map((c) => c.map((s) => `[${s.join(',')}]`).join('∘')).join(', ')}`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
          const random = seeded(seed);
          for (const shapes of cases) {
            const constant = uniform(...((p.domain?.c ?? [-3, 3]) as [number, number]), random());
            const sample = (k: number) =>
              awayFromKinks(
                p,
                uniform(...(((k === 1 ? p.domain?.b : p.domain?.a) ?? [-3, 3]) as [number, number]), random()),
              );
            const { fdError, dotError } = checkRule(code, shapes, constant, sample, random);
            expect(fdError, `${p.name} ${JSON.stringify(shapes)}`).toBeLessThan(1e-6);
            expect(dotError, `${p.name} ${JSON.stringify(shapes)}`).toBeLessThan(1e-13);
          }
        }),
        { numRuns: 20 },
      );
    });
  }

  it('a user primitive registered with scalar rules only works on blocks at once', () => {
    registerPrimitive({
      name: 'softplus_test',
      arity: 1,
      value: 'Math.log1p(Math.exp(a))',
      partials: ['1 / (1 + Math.exp(-a))'],
    });
    const program = parse('input X[2, 3]\ny = sum(softplus_test(X))\noutput y');
    const X = [
      [0.5, -1, 2],
      [0, 1, -0.25],
    ];
    const g = grad(program, { X }).gradient.X as Matrix;
    for (let r = 0; r < 2; r++)
      for (let c = 0; c < 3; c++) expect(g.get(r, c)).toBeCloseTo(1 / (1 + Math.exp(-X[r][c])), 15);
  });
});

/** Moves arguments of relu, abs, max, min off their kinks, where a one-sided rule and a difference differ. */
function awayFromKinks(p: Primitive, x: number): number {
  return ['relu', 'abs', 'max', 'min'].includes(p.name) && Math.abs(x) < 0.05 ? x + 0.1 : x;
}

describe('block primitives', () => {
  const cases: [string, Shape[]][] = [
    [
      'matmul',
      [
        [3, 4],
        [4, 2],
      ],
    ],
    ['matmul', [[3, 4], [4]]],
    ['matmul', [[4], [4, 2]]],
    ['matmul', [[4], [4]]],
    ['transpose', [[3, 4]]],
    ['transpose', [[4]]],
    ['sum', [[3, 4]]],
    ['sum', [[3, 4], [], [2]]],
    ['mean', [[3, 4]]],
    ['logsumexp', [[3, 4]]],
    ['logsumexp', [[5]]],
    [
      'softmax_cross_entropy',
      [
        [3, 4],
        [3, 4],
      ],
    ],
    ['softmax_cross_entropy', [[4], [4]]],
  ];
  for (const [name, shapes] of cases) {
    it(`${name} on ${shapes.map((s) => `[${s.join(', ')}]`).join(', ')}: JVP against differences, VJP against JVP`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 30 }), (seed) => {
          const random = seeded(seed);
          const { fdError, dotError } = checkRule(primitives.code(name), shapes, 0, () => random() * 4 - 2, random);
          expect(fdError).toBeLessThan(1e-7);
          expect(dotError).toBeLessThan(1e-13);
        }),
        { numRuns: 30 },
      );
    });
  }

  it('infers the four shapes of @ and refuses the rest', () => {
    const matmul = primitives.blockRules(primitives.code('matmul'));
    expect(
      matmul.shape(
        [
          [150, 4],
          [4, 3],
        ],
        0,
      ),
    ).toEqual([150, 3]);
    expect(matmul.shape([[150, 4], [4]], 0)).toEqual([150]);
    expect(matmul.shape([[4], [4, 3]], 0)).toEqual([3]);
    expect(matmul.shape([[4], [4]], 0)).toEqual([]);
    expect(
      matmul.shape(
        [
          [150, 4],
          [3, 4],
        ],
        0,
      ),
    ).toBe('shapes [150, 4] and [3, 4] do not match');
    expect(matmul.shape([[], [3, 4]], 0)).toMatch(/^shapes scalar and \[3, 4\] do not match/);
    const add = primitives.blockRules(primitives.code('add'));
    expect(add.shape([[3], [2, 3]], 0)).toEqual([2, 3]);
    expect(add.shape([[2], [2, 3]], 0)).toBe('shapes [2] and [2, 3] do not match');
    expect(
      add.shape(
        [
          [2, 3],
          [3, 2],
        ],
        0,
      ),
    ).toBe('shapes [2, 3] and [3, 2] do not match');
  });

  it('a user block primitive: shape rule, value, JVP and VJP through registerPrimitive, in every schedule', () => {
    // rowsum: [m, n] → [m], the sum of each row.
    registerPrimitive({
      name: 'rowsum_test',
      arity: 1,
      block: {
        shape: ([a]) => (a.length === 2 ? [a[0]] : `takes a matrix, not ${JSON.stringify(a)}`),
        value(v, { out, args: [A] }) {
          for (let r = 0; r < A.rows; r++) {
            let s = 0;
            for (let c = 0; c < A.cols; c++) s += v[A.offset + r * A.cols + c];
            v[out.offset + r] = s;
          }
        },
        jvp(_v, t, dt, { out, args: [A] }) {
          for (let r = 0; r < A.rows; r++) {
            let s = 0;
            for (let c = 0; c < A.cols; c++) s += t[A.offset + r * A.cols + c];
            dt[out.offset + r] = s;
          }
        },
        vjp(_v, l, dl, { out, args: [A] }, need) {
          if (!(need & 1)) return;
          for (let r = 0; r < A.rows; r++)
            for (let c = 0; c < A.cols; c++) dl[A.offset + r * A.cols + c] += l[out.offset + r];
        },
      },
    });
    const random = seeded(7);
    const { fdError, dotError } = checkRule(primitives.code('rowsum_test'), [[3, 4]], 0, () => random(), random);
    expect(fdError).toBeLessThan(1e-9);
    expect(dotError).toBeLessThan(1e-14);
    const program = parse('input A[2, 3]\ninput w[2]\ny = rowsum_test(A) @ w\noutput y');
    const at = {
      A: [
        [1, 2, 3],
        [4, 5, 6],
      ],
      w: [10, -1],
    };
    for (const schedule of ['reverse', 'forward', 'dense', 'paths', 'fd']) {
      const r = grad(program, at, { schedule });
      expect(
        (r.gradient.A as Matrix)
          .to2DArray()
          .flat()
          .map((x) => Math.round(x * 1e6) / 1e6),
      ).toEqual([10, 10, 10, -1, -1, -1]);
      expect(Array.from(r.gradient.w as Float64Array).map((x) => Math.round(x * 1e6) / 1e6)).toEqual([6, 15]);
    }
    expect(() => parse('input a[3]\ny = sum(rowsum_test(a))\noutput y', { file: 'p.lag' })).toThrow(
      "p.lag:2:9: 'rowsum_test': takes a matrix, not [3]",
    );
  });

  it('refuses malformed block declarations, naming the fault', () => {
    expect(() =>
      registerPrimitive({ name: 'bad_block', arity: 1, block: { shape: () => [], value: () => {} } } as never),
    ).toThrow("primitive 'bad_block' block.jvp: must be a function");
    expect(() => registerPrimitive({ name: 'bad_none', arity: 1 } as never)).toThrow(
      "primitive 'bad_none': declares neither scalar rules",
    );
  });

  it('builds with shapes checked as constraints are recorded', () => {
    const b = new ProgramBuilder();
    const X = b.input('X', [5, 4]);
    const W = b.input('W', [3, 4]);
    expect(() => b.apply('matmul', X, W)).toThrow(
      new LagradError('builder', "'@': shapes [5, 4] and [3, 4] do not match"),
    );
    const Z = b.apply('matmul', X, b.apply('transpose', W));
    expect(b.shapeOf(Z)).toEqual([5, 3]);
    expect(() => b.input('bad', [2, 0])).toThrow(
      "input 'bad': shape [2, 0]: dimension 0 is not a positive whole number",
    );
  });
});
