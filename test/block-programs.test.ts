import fc from 'fast-check';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { evaluate, fromJSON, grad, LagradError, ops, parse, toDot, trace, verify } from '../src/index.ts';
import { arbitraryBlockProgram } from './helpers/randomBlocks.ts';

// Programs over vectors and matrices: closed forms, every schedule against the others and against
// finite differences on random block programs, verify, and the representation's round trips.

const X = [
  [0.5, -1.0, 2.0, 0.25],
  [1.5, 0.5, -0.5, -2.0],
  [0.0, 1.0, 1.0, 0.5],
];
const W = [
  [0.1, -0.2, 0.3],
  [0.4, 0.1, -0.1],
  [-0.3, 0.2, 0.2],
  [0.05, -0.15, 0.1],
];
const Y = [
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
];
const rows = (m: Matrix | Float64Array) => (m instanceof Float64Array ? Array.from(m) : m.to2DArray());

function expectClose(actual: number[][] | number[], expected: number[][] | number[], digits = 13) {
  const a = actual.flat();
  const e = expected.flat();
  expect(a.length).toBe(e.length);
  a.forEach((x, k) => expect(x, `entry ${k}`).toBeCloseTo(e[k], digits));
}

/** softmax of each row. */
const softmax = (Z: number[][]) =>
  Z.map((row) => {
    const m = Math.max(...row);
    const e = row.map((z) => Math.exp(z - m));
    const s = e.reduce((p, q) => p + q, 0);
    return e.map((x) => x / s);
  });
const product = (A: number[][], B: number[][]) =>
  A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
const transposed = (A: number[][]) => A[0].map((_, j) => A.map((row) => row[j]));

describe('closed forms', () => {
  it('∂/∂W of sum(X @ W) is Xᵀ·1, and ∂/∂X is 1·Wᵀ', () => {
    const r = grad(parse('input X[3, 4]\ninput W[4, 3]\ns = sum(X @ W)\noutput s'), { X, W });
    const ones = [
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ];
    expectClose(rows(r.gradient.W as Matrix), product(transposed(X), ones));
    expectClose(rows(r.gradient.X as Matrix), product(ones, transposed(W)));
  });

  it('the softmax cross-entropy gradient is (softmax(Z) − Y)/m, and ∂/∂W = Xᵀ(softmax − Y)/m', () => {
    const program = parse(
      'input X[3, 4]\ninput W[4, 3]\ninput Y[3, 3]\nZ = X @ W\nloss = softmax_cross_entropy(Z, Y)\noutput loss',
    );
    const r = grad(program, { X, W, Y }, { multipliers: true });
    const Z = product(X, W);
    const G = softmax(Z).map((row, i) => row.map((p, j) => (p - Y[i][j]) / 3));
    expectClose(rows(r.multipliers.Z as Matrix), G);
    expectClose(rows(r.gradient.W as Matrix), product(transposed(X), G));
    expectClose(
      rows(r.gradient.Y as Matrix),
      Z.map((row) => row.map((z) => -z / 3)),
    );
    const lse = Z.map((row) => Math.log(row.reduce((s, z) => s + Math.exp(z), 0)));
    expect(r.value).toBeCloseTo(
      lse.reduce((s, l, i) => s + l - Z[i].reduce((t, z, j) => t + Y[i][j] * z, 0), 0) / 3,
      14,
    );
  });

  it('the logsumexp gradient is the softmax of every entry', () => {
    const r = grad(parse('input A[3, 4]\ny = logsumexp(A)\noutput y'), { A: X });
    const flat = X.flat();
    const m = Math.max(...flat);
    const s = flat.reduce((t, x) => t + Math.exp(x - m), 0);
    expectClose(
      rows(r.gradient.A as Matrix),
      flat.map((x) => Math.exp(x - m) / s),
      15,
    );
    expect(r.value).toBeCloseTo(m + Math.log(s), 14);
  });

  it('a bias vector broadcast over rows gets the column sums of the rows’ multipliers; mean divides by the size', () => {
    const r = grad(parse('input A[3, 4]\ninput b[4] = 0.5\ny = mean((A + b) * A)\noutput y'), { A: X });
    // ∂/∂b_j mean((A + b)∘A) = Σ_i A_ij / 12; ∂/∂A_ij = (2A_ij + b_j)/12.
    expectClose(
      rows(r.gradient.b as Float64Array),
      [0, 1, 2, 3].map((j) => X.reduce((s, row) => s + row[j], 0) / 12),
    );
    expectClose(
      rows(r.gradient.A as Matrix),
      X.map((row) => row.map((a) => (2 * a + 0.5) / 12)),
    );
  });

  it('the four shapes of @ and transpose, against hand-computed products', () => {
    const u = [1, -2, 0.5, 3];
    const v = [0.5, 1, -1];
    // uᵀ(X ᵀ v)… written as products of the four shape cases.
    const program = parse(
      'input X[3, 4]\ninput u[4]\ninput v[3]\na = X @ u\nb = v @ X\nc = b @ u\nd = a @ v\ne = transpose(X) @ v\ny = c + d + sum(e * e)\noutput y',
    );
    const r = grad(program, { X, u, v }, { multipliers: true });
    const a = X.map((row) => row.reduce((s, x, k) => s + x * u[k], 0));
    const b = [0, 1, 2, 3].map((k) => X.reduce((s, row, i) => s + v[i] * row[k], 0));
    expectClose(rows(r.multipliers.a as Float64Array), v);
    expectClose(rows(r.multipliers.b as Float64Array), u);
    expect(r.valueOf('c')).toBeCloseTo(
      b.reduce((s, x, k) => s + x * u[k], 0),
      14,
    );
    expect(r.valueOf('d')).toBeCloseTo(
      a.reduce((s, x, i) => s + x * v[i], 0),
      14,
    );
    expectClose(rows(r.valueOf('e') as Float64Array), b);
  });
});

describe('schedules agree on random block programs', () => {
  const EXACT = ['forward', 'dense', 'paths'];
  it('reverse, forward, dense and paths on every multiplier; fd on the gradient within its error', () => {
    fc.assert(
      fc.property(arbitraryBlockProgram(), (r) => {
        const reference = grad(r.program, r.inputs, { schedule: 'reverse', multipliers: true });
        const lambda = reference.lambda;
        let scale = 0;
        for (const x of lambda) scale = Math.max(scale, Math.abs(x));
        for (const schedule of EXACT) {
          const other = grad(r.program, r.inputs, { schedule, multipliers: true });
          for (let s = 0; s < lambda.length; s++)
            expect(Math.abs(other.lambda[s] - lambda[s]), `${schedule} entry ${s}`).toBeLessThanOrEqual(
              1e-10 * Math.max(1, scale),
            );
        }
        const fd = grad(r.program, r.inputs, { schedule: 'fd' });
        const error = fd.stats.errorEstimate;
        for (let s = 0; s < r.program.inputSlots; s++)
          expect(Math.abs(fd.solution.gradient[s] - lambda[s]), `fd entry ${s}`).toBeLessThanOrEqual(
            1e-6 * Math.max(1, scale) + 10 * error,
          );
      }),
      { numRuns: 60 },
    );
  });

  it('verify certifies them, and fails when one entry of one multiplier is perturbed', () => {
    fc.assert(
      fc.property(arbitraryBlockProgram({ constraints: 8 }), fc.nat(), (r, pick) => {
        const report = verify(r.program, r.inputs);
        expect(
          report.ok,
          report.worst ? `${report.worst.name} ${report.worst.value} at ${report.worst.label}` : '',
        ).toBe(true);
        const lambda = Float64Array.from(report.lambda);
        const s = pick % lambda.length;
        if (lambda[s] === 0) return;
        lambda[s] *= 1 + 1e-6;
        expect(verify(r.program, r.inputs, { multipliers: lambda, schedules: ['reverse', 'dense'] }).ok).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  it('the .lag text of a random program parses to the same values and gradient', () => {
    fc.assert(
      fc.property(arbitraryBlockProgram(), (r) => {
        const parsed = parse(r.text, { file: 'random.lag' });
        const a = grad(r.program, r.at);
        const b = grad(parsed, r.at);
        expect(b.value).toBe(a.value);
        expect(Array.from(b.solution.gradient)).toEqual(Array.from(a.solution.gradient));
      }),
      { numRuns: 40 },
    );
  });
});

describe('the representation', () => {
  const text =
    'input X[3, 4]\ninput W[4, 3]\ninput b[3] = 0.1\ninput Y[3, 3]\nlogits = X @ W + b\nloss = softmax_cross_entropy(logits, Y)\noutput loss';

  it('offsets only when there are blocks: an all-scalar program has no layout', () => {
    expect(parse('x * sin(y)').layout).toBeNull();
    const program = parse(text);
    expect(program.layout).not.toBeNull();
    expect(Array.from(program.layout!.offset)).toEqual([0, 12, 24, 27, 36, 45, 54, 55]);
    expect(program.slots).toBe(55);
    expect(program.inputSlots).toBe(36);
    expect(program.shape(program.indexOf('logits'))).toEqual([3, 3]);
    expect(program.constraint(program.indexOf('loss')).shape).toEqual([]);
    // a block-only primitive on scalars still runs through the block sweeps
    expect(parse('y = mean(x)\noutput y\ninput x').layout).not.toBeNull();
  });

  it('keeps shapes through JSON', () => {
    const program = parse(text);
    const copy = fromJSON(JSON.stringify(program));
    expect(Array.from(copy.layout!.offset)).toEqual(Array.from(program.layout!.offset));
    expect(grad(copy, { X, W, Y }).value).toBe(grad(program, { X, W, Y }).value);
    expect(() => fromJSON({ ...program.toJSON(), shapes: { 0: [3, -1] } })).toThrow(
      'program JSON: shapes[0]: dimension -1 is not a positive whole number',
    );
  });

  it('takes point values as number[][], number[], Float64Array, Matrix, a number for every entry, or one flat slab', () => {
    const program = parse(text);
    const reference = grad(program, { X, W, Y });
    const same = [
      { X: new Matrix(X), W: Float64Array.from(W.flat()), Y, b: 0.1 },
      { X: X.flat(), W: new Matrix(W), Y: new Matrix(Y), b: [0.1, 0.1, 0.1] },
      { X, W, Y, b: new Matrix([[0.1, 0.1, 0.1]]) },
    ];
    for (const at of same) expect(grad(program, at).value).toBe(reference.value);
    expect(grad(program, reference.solution.values.slice(0, program.inputSlots)).value).toBe(reference.value);
    expect(reference.gradient.W).toBeInstanceOf(Matrix);
    expect(reference.gradient.b).toBeInstanceOf(Float64Array);
  });

  it('refuses values of the wrong shape, ragged rows, NaN and unknown names, naming the input', () => {
    const program = parse(text);
    expect(() => grad(program, { X: X.slice(1), W, Y })).toThrow(
      new LagradError("input 'X'", 'expected 3 rows of 4, got 2 rows'),
    );
    expect(() => grad(program, { X: [X[0], X[1].slice(1), X[2]], W, Y })).toThrow(
      "input 'X': row 1 has 3 entries, not 4",
    );
    expect(() => grad(program, { X, W: new Matrix(3, 4), Y })).toThrow(
      "input 'W': expected a [4, 3] block (4 rows of 3), got a 3×4 Matrix",
    );
    expect(() => grad(program, { X: [[NaN, 1, 2, 3], X[1], X[2]], W, Y })).toThrow(
      "input 'X': entry [0, 0] NaN is not a finite number",
    );
    expect(() => grad(program, { X, W, Y, Q: 1 })).toThrow("input 'Q': no input has this name");
    expect(() => grad(program, { X, W })).toThrow("input 'Y': has no value and no default; give one (a [3, 3] block)");
    expect(() => grad(program, new Float64Array(35))).toThrow(
      'point: expected 36 entries (X [3, 4], W [4, 3], b [3], Y [3, 3]), got 35',
    );
  });

  it('requires a scalar objective: a block output needs weights, which may be a block or a number', () => {
    const program = parse('input A[2, 2]\nB = A * A\noutput B');
    const A = [
      [1, 2],
      [3, 4],
    ];
    expect(() => grad(program, { A })).toThrow(
      "output 'B': is a [2, 2] block, but the objective must be a scalar: output a scalar such as sum(B), or give weights",
    );
    expect(() => evaluate(program, { A })).toThrow("output 'B'");
    const weighted = grad(
      program,
      { A },
      {
        weights: {
          B: [
            [1, 0],
            [0, -1],
          ],
        },
      },
    );
    expect(weighted.value).toBe(1 - 16);
    expectClose(rows(weighted.gradient.A as Matrix), [
      [2, 0],
      [0, -8],
    ]);
    expectClose(rows(grad(program, { A }, { weights: { B: 1 } }).gradient.A as Matrix), [
      [2, 4],
      [6, 8],
    ]);
  });

  it('differentiates with respect to some inputs only (wrt): no VJP into the data', () => {
    const program = parse(text);
    const all = grad(program, { X, W, Y });
    const some = grad(program, { X, W, Y }, { wrt: ['W', 'b'] });
    expect(Object.keys(some.gradient)).toEqual(['W', 'b']);
    expectClose(rows(some.gradient.W as Matrix), rows(all.gradient.W as Matrix), 15);
    expect(some.stats.partialEvaluations).toBeLessThanOrEqual(all.stats.partialEvaluations);
    // X's multiplier was never formed
    expect(some.solution.gradient.subarray(0, 12).every((x) => x === 0)).toBe(true);
    for (const schedule of ['forward', 'fd'])
      expectClose(
        rows(grad(program, { X, W, Y }, { wrt: ['b'], schedule }).gradient.b as Float64Array),
        rows(all.gradient.b as Float64Array),
        8,
      );
    expect(() => grad(program, { X, W, Y }, { wrt: ['Z'] })).toThrow("wrt: 'Z' is no input; inputs are X, W, b, Y");
  });

  it('reports peakBytes, 8 per entry held', () => {
    const program = parse(text);
    expect(grad(program, { X, W, Y }).stats.peakBytes).toBe(8 * 55);
    expect(grad(parse('x * y'), { x: 1, y: 2 }).stats.peakBytes).toBe(8 * 3);
  });

  it('refuses dual over blocks with one clear line', () => {
    const program = parse(text);
    expect(() => grad(program, { X, W, Y }, { schedule: 'dual' })).toThrow(
      "schedule 'dual': does not run on vector or matrix variables yet",
    );
    expect(() => toDot(program, { X, W, Y })).toThrow(
      'graph: draws one number per variable; this program has vector or matrix variables',
    );
  });
});

describe('trace over blocks', () => {
  const { matmul, tanh, add, softmax_cross_entropy, sum, mean, transpose } = ops;
  it('records the same program as the parser', () => {
    const traced = trace(({ X, W, b, Y }) => softmax_cross_entropy(add(matmul(X, W), b), Y), {
      X: { shape: [3, 4] },
      W: { shape: [4, 3] },
      b: { shape: [3], value: 0.1 },
      Y: { shape: [3, 3] },
    });
    const parsed = parse(
      'input X[3, 4]\ninput W[4, 3]\ninput b[3] = 0.1\ninput Y[3, 3]\nloss = softmax_cross_entropy(X @ W + b, Y)\noutput loss',
    );
    expect(grad(traced, { X, W, Y }).value).toBe(grad(parsed, { X, W, Y }).value);
  });
  it('a Var holds its shape; a mismatch is an error at the caller’s line', () => {
    trace(
      ({ A, v }) => {
        expect(A.shape).toEqual([3, 4]);
        expect(matmul(A, v).shape).toEqual([3]);
        expect(A.transpose().shape).toEqual([4, 3]);
        expect(mean(tanh(A)).shape).toEqual([]);
        return sum(matmul(transpose(A), A.matmul(v)));
      },
      { A: { shape: [3, 4] }, v: { shape: [4] } },
    );
    expect(() => trace(({ A, v }) => sum(matmul(v, A)), { A: { shape: [3, 4] }, v: { shape: [4] } })).toThrow(
      /^test[/\\]block-programs\.test\.ts:\d+:\d+: '@': shapes \[4\] and \[3, 4\] do not match$/,
    );
  });
});
