import fc from 'fast-check';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { grad, LagradError, parse, unroll, withInit, type Program } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryBlockCycle } from './helpers/randomBlockCycles.ts';

// Cyclic components of vector and matrix variables: the equilibrium layer z = tanh(W z + U x + b)
// in a .lag file. Its gradient by every schedule against the implicit function theorem written out
// with ml-matrix, against finite differences and against backprop through k unrolled sweeps; the
// iterative methods' rates; Newton on blocks (dense LU and GMRES on JVPs); random contracting block
// cycles; convergence failures as one line naming the component.
// (A little over 300 lines: the checks share the layer, its closed form and its point.)

/** The equilibrium layer with n units and m inputs, read out by y = Σ z² + Σ sin z. */
const deqText = (n: number, m: number) => `input x[${m}]
input W[${n}, ${n}]
input U[${n}, ${m}]
input b[${n}]
init z[${n}] = 0
z = tanh(W @ z + U @ x + b)
y = sum(z * z) + sum(sin(z))
output y
`;

/** Seeded uniform numbers in [−1, 1) (mulberry32). */
function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  };
}

type Deq = {
  x: number[];
  W: number[][];
  U: number[][];
  b: number[];
};

/** A point whose W has ∞-norm `rho` (< 1: the map contracts, as |tanh'| ≤ 1). */
function deqPoint(n: number, m: number, seed: number, rho = 0.6): Deq {
  const r = uniform(seed);
  const W = Array.from({ length: n }, () => Array.from({ length: n }, r));
  for (const row of W) {
    const total = row.reduce((s, v) => s + Math.abs(v), 0);
    for (let j = 0; j < n; j++) row[j] *= rho / total;
  }
  return {
    x: Array.from({ length: m }, r),
    W,
    U: Array.from({ length: n }, () => Array.from({ length: m }, r)),
    b: Array.from({ length: n }, () => 0.3 * r()),
  };
}

/**
 * The closed form, by the implicit function theorem: z* = tanh(a*), a* = W z* + U x + b; with
 * D = diag(1 − z*²) and c = ∂y/∂z = 2z* + cos z*, μ = (I − D W)⁻ᵀ c and ν = D μ give
 * ∂y/∂b = ν, ∂y/∂x = Uᵀν, ∂y/∂W = ν z*ᵀ, ∂y/∂U = ν xᵀ.
 */
function closedForm({ x, W, U, b }: Deq) {
  const n = b.length;
  let z = new Array<number>(n).fill(0);
  for (let sweep = 0; sweep < 2000; sweep++) {
    const next = z.map((_, i) =>
      Math.tanh(W[i].reduce((s, w, j) => s + w * z[j], 0) + U[i].reduce((s, u, k) => s + u * x[k], 0) + b[i]),
    );
    const change = Math.max(...next.map((v, i) => Math.abs(v - z[i])));
    z = next;
    if (change === 0) break;
  }
  const D = z.map((v) => 1 - v * v);
  const A = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A.set(j, i, (i === j ? 1 : 0) - D[i] * W[i][j]); // (I − D W)ᵀ
  const mu = solve(A, Matrix.columnVector(z.map((v) => 2 * v + Math.cos(v)))).to1DArray();
  const nu = mu.map((v, i) => D[i] * v);
  return {
    z,
    b: nu,
    x: x.map((_, k) => nu.reduce((s, v, i) => s + v * U[i][k], 0)),
    W: nu.map((v) => z.map((zj) => v * zj)),
    U: nu.map((v) => x.map((xk) => v * xk)),
  };
}

/** Largest |a − b| over the entries, relative to the largest |b| (at least 1). */
function gap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 1;
  for (let e = 0; e < b.length; e++) scale = Math.max(scale, Math.abs(b[e]));
  for (let e = 0; e < b.length; e++) worst = Math.max(worst, Math.abs(a[e] - b[e]));
  return worst / scale;
}

const flat = (v: unknown): number[] =>
  v instanceof Matrix
    ? v.to1DArray()
    : typeof v === 'number'
      ? [v]
      : Array.isArray(v)
        ? v.flat(2)
        : Array.from(v as Float64Array);

/** The gradient of every input as one flat array in the order x, W, U, b. */
const gradientOf = (g: Record<string, unknown>) => ['x', 'W', 'U', 'b'].flatMap((k) => flat(g[k]));

/** Every schedule that returns exact multipliers on a block cycle, with the settings that select it. */
const EXACT: [string, Record<string, string>][] = [
  ['auto', {}],
  ['reverse', {}],
  ['forward', {}],
  ['dense', {}],
  ['iterative', { method: 'gauss-seidel' }],
  ['iterative', { method: 'jacobi' }],
  ['iterative', { method: 'fixed-point' }],
  ['iterative', { method: 'gmres' }],
];

describe('the equilibrium layer z = tanh(W @ z + U @ x + b) in a .lag file', () => {
  const n = 6;
  const m = 3;
  const program = parse(deqText(n, m), { file: 'deq.lag' });
  const at = deqPoint(n, m, 7);
  const exact = closedForm(at);
  const expected = [...exact.x, ...exact.W.flat(), ...exact.U.flat(), ...exact.b];

  it('is one cyclic component of block variables, shapes solved around the cycle', () => {
    expect(program.cyclic).toBe(true);
    expect(program.components()).toHaveLength(1);
    expect(program.shape(program.names.get('z')!)).toEqual([n]);
  });

  it('every schedule gives the implicit-function gradient; finite differences agree', () => {
    for (const [schedule, settings] of EXACT) {
      const r = grad(program, at, { schedule, ...settings });
      expect(gap(gradientOf(r.gradient), expected), `${schedule} ${settings.method ?? ''}`).toBeLessThan(1e-10);
      expect(r.value).toBeCloseTo(
        exact.z.reduce((s, v) => s + v * v + Math.sin(v), 0),
        12,
      );
    }
    expect(gap(gradientOf(grad(program, at, { schedule: 'fd' }).gradient), expected)).toBeLessThan(1e-7);
  });

  it('the iterative methods report their rates: below one, Jacobi slower than Gauss–Seidel, GMRES within the size', () => {
    const run = (method: 'gauss-seidel' | 'jacobi' | 'fixed-point' | 'gmres') =>
      grad(program, at, { schedule: 'iterative', method });
    const runs = Object.fromEntries(
      (['gauss-seidel', 'jacobi', 'fixed-point', 'gmres'] as const).map((method) => [method, run(method)]),
    );
    for (const [method, r] of Object.entries(runs)) {
      const rate = r.stats.rate!;
      const iterations = r.stats.iterations!;
      expect(rate, method).toBeGreaterThanOrEqual(0);
      expect(rate, method).toBeLessThan(1);
      expect(iterations, method).toBeGreaterThan(0);
      const record = r.convergence!.find((c) => c.quantity === 'multipliers')!;
      expect(record.method).toBe(method);
      expect(record.converged).toBe(true);
      expect(record.rate).toBe(rate);
      // The residual history reaches the tolerance it reports.
      expect(record.residuals.at(-1)!).toBeLessThan(1e-10 * Math.max(1, record.residuals[0]));
    }
    expect(runs.jacobi.stats.iterations!).toBeGreaterThan(runs['gauss-seidel'].stats.iterations!);
    // GMRES on a component of 4 members × 6 entries needs at most 24 Krylov vectors.
    expect(runs.gmres.stats.iterations!).toBeLessThanOrEqual(4 * n);
  });

  it('backprop through k unrolled sweeps approaches the implicit gradient at the primal rate, and equals it at the solve’s sweep count', () => {
    const solved = grad(program, at, { primal: 'fixed-point' });
    const sweeps = solved.stats.primalIterations!;
    const rate = solved.convergence![0].rate;
    expect(rate).toBeGreaterThan(0);
    expect(rate).toBeLessThan(1);
    const errors = [2, 4, 8, 16].map((k) =>
      gap(gradientOf(grad(unroll(program, k), at, { schedule: 'reverse' }).gradient), expected),
    );
    for (let e = 1; e < errors.length; e++) expect(errors[e]).toBeLessThan(errors[e - 1]);
    // Error after k sweeps ~ C·ρᵏ: from 8 to 16 sweeps it shrinks by about ρ⁸ (allow a factor 100).
    expect(errors[3] / errors[2]).toBeLessThan(100 * rate ** 8);
    const full = grad(unroll(program, sweeps), at, { schedule: 'reverse' });
    expect(gap(gradientOf(full.gradient), expected)).toBeLessThan(1e-9);
    expect(full.value).toBeCloseTo(solved.value as number, 12);
  });

  it('Newton on blocks: a dense LU on a small component, GMRES on JVPs beyond 300 slots; the same fixed point', () => {
    for (const width of [6, 90]) {
      const p = width === n ? program : parse(deqText(width, m), { file: 'deq.lag' });
      const point = width === n ? at : deqPoint(width, m, 11);
      const byNewton = grad(p, point, { primal: 'newton' });
      const bySweeps = grad(p, point, { primal: 'fixed-point' });
      expect(byNewton.stats.newtonSteps!).toBeGreaterThan(0);
      expect(bySweeps.stats.newtonSteps).toBe(0);
      expect(Math.abs((byNewton.value as number) - (bySweeps.value as number))).toBeLessThan(1e-12);
      expect(gap(gradientOf(byNewton.gradient), gradientOf(bySweeps.gradient))).toBeLessThan(1e-10);
      if (width === 90) {
        // 4 members × 90 entries = 360 slots: the multipliers by GMRES (matvecs counted), and they
        // match Christianson's iteration and the dense KKT solve.
        expect(byNewton.stats.matvecs!).toBeGreaterThan(0);
        const christianson = grad(p, point, { schedule: 'iterative', method: 'fixed-point' });
        expect(gap(gradientOf(christianson.gradient), gradientOf(byNewton.gradient))).toBeLessThan(1e-10);
        expect(gap(gradientOf(closedFormGradient(point)), gradientOf(byNewton.gradient))).toBeLessThan(1e-10);
      }
    }
  });

  it('withInit warm-starts the component from its solution: one sweep', () => {
    const cold = grad(program, at, { primal: 'fixed-point' });
    const warm = grad(withInit(program, { z: exact.z }), at, { primal: 'fixed-point' });
    expect(warm.stats.primalIterations!).toBeLessThanOrEqual(2);
    expect(cold.stats.primalIterations!).toBeGreaterThan(5);
    expect(gap(gradientOf(warm.gradient), expected)).toBeLessThan(1e-10);
    expect(() => withInit(program, { z: [1, 2] })).toThrow(/init 'z'/);
    expect(() => withInit(program, { x: [1, 2, 3] })).toThrow(/not in a cyclic component/);
  });

  it('lagrad grad with --data prints the same gradient as the API', async () => {
    const r = await lagrad(['grad', 'deq.lag', '--data', 'deq.json', '--json'], {
      'deq.lag': deqText(n, m),
      'deq.json': JSON.stringify(at),
    });
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(gap(gradientOf(JSON.parse(r.out).gradient), expected)).toBeLessThan(1e-10);
  });
});

function closedFormGradient(point: Deq) {
  const c = closedForm(point);
  return { x: c.x, W: c.W, U: c.U, b: c.b };
}

describe('block-reverse chooses the inner solve of a large component by the forward sweeps’ rate', () => {
  const width = 100; // 4 members × 100 entries: beyond the dense LU's 300 slots
  const program = parse(deqText(width, 3), { file: 'deq.lag' });
  const methodOf = (r: ReturnType<typeof grad>) =>
    r
      .convergence!.filter((c) => c.quantity === 'multipliers')
      .map((c) => `${c.method}${c.converged ? '' : ' (failed)'}`);

  it('fast contraction (rate ≤ 1/2): Christianson’s iteration, no basis; slow: GMRES; both the implicit gradient', () => {
    for (const [rho, expected] of [
      [0.3, ['fixed-point']],
      [0.97, ['gmres']],
    ] as const) {
      // Slow: W = ρ/n in every entry (eigenvalue ρ) and small inputs keep z small, so tanh' ≈ 1 and
      // the sweeps contract at about ρ. Fast: random W of ∞-norm 0.3.
      const at = deqPoint(width, 3, 5, rho);
      if (rho > 0.5) {
        at.W = at.W.map((row) => row.map(() => rho / width));
        at.x = at.x.map((v) => 0.01 * v);
        at.b = at.b.map(() => 0.01);
      }
      const r = grad(program, at);
      const rate = r.convergence![0].rate;
      expect(rate <= 0.5, `forward rate ${rate}`).toBe(rho < 0.5);
      expect(methodOf(r)).toEqual(expected);
      const reference = grad(program, at, {
        schedule: 'iterative',
        method: expected[0] === 'gmres' ? 'fixed-point' : 'gmres',
      });
      expect(gap(gradientOf(r.gradient), gradientOf(reference.gradient))).toBeLessThan(1e-9);
      expect(gap(gradientOf(r.gradient), gradientOf(closedFormGradient(at)))).toBeLessThan(1e-9);
    }
  });

  it('a start on an unstable fixed point (rate 0): Christianson’s iteration fails, GMRES answers', () => {
    // z = tanh(3 z + b), b = 0, from z = 0: one sweep, rate 0; the multipliers' iteration has rate 3.
    const n = 120; // 3 members × 120 entries: beyond the dense LU
    const text = `input b[${n}] = 0\ninit z[${n}] = 0\nz = tanh(3 * z + b)\ny = sum(z)\noutput y\n`;
    const r = grad(parse(text, { file: 'unstable.lag' }), {});
    expect(methodOf(r)).toEqual(['fixed-point (failed)', 'gmres']);
    // ∂y/∂b = (I − 3I)⁻ᵀ 1 = −1/2 at z = 0.
    for (const g of flat(r.gradient.b)) expect(g).toBeCloseTo(-0.5, 12);
  });
});

describe('convergence failures on block cycles are one line naming the component', () => {
  // z = exp(z) + x has no real fixed point: sweeps overflow and Newton's I − J is singular.
  const none = parse('input x[2]\ninit z[2] = 0\nz = exp(z) + x\ny = sum(z)\noutput y\n', { file: 'none.lag' });
  // z = tanh(W z + b) with W ≈ 3 I and b = 0: z = 0 is a fixed point (sweeps stay on it) whose
  // Jacobian has spectral radius 3, so every stationary iteration on the multipliers diverges.
  const unstable = parse(
    'input W[2, 2]\ninput b[2] = 0\ninit z[2] = 0\nz = tanh(W @ z + b)\ny = sum(z * z) + sum(z)\noutput y\n',
    { file: 'unstable.lag' },
  );
  const W = [
    [3, 0.1],
    [0, 3],
  ];

  it('no fixed point: the primal solve names the component and where it is defined', () => {
    for (const primal of ['auto', 'fixed-point', 'newton'] as const) {
      let error: unknown;
      try {
        grad(none, { x: [1, 2] }, { primal });
      } catch (e) {
        error = e;
      }
      expect(error, primal).toBeInstanceOf(LagradError);
      const message = String((error as Error).message);
      expect(message).toMatch(/^none\.lag:3:\d+: cyclic component \{z/);
      expect(message).not.toContain('\n');
    }
  });

  it('a fixed point the multiplier iterations cannot contract on: one line with the rate; GMRES and the direct solves still answer', () => {
    for (const method of ['gauss-seidel', 'jacobi', 'fixed-point'] as const) {
      expect(() => grad(unstable, { W }, { schedule: 'iterative', method }), method).toThrow(
        /^unstable\.lag:4:\d+: cyclic component \{z.*diverges \(residual .* rate [\d.]+\)$/,
      );
    }
    // At z = 0: D = I, so ∂y/∂b = (I − W)⁻ᵀ (2z + 1) = (I − W)⁻ᵀ 1.
    const reference = solve(
      new Matrix([
        [1 - 3, 0],
        [-0.1, 1 - 3],
      ]),
      Matrix.columnVector([1, 1]),
    ).to1DArray();
    for (const [schedule, settings] of [
      ['reverse', {}],
      ['dense', {}],
      ['iterative', { method: 'gmres' }],
    ] as const) {
      expect(gap(flat(grad(unstable, { W }, { schedule, ...settings }).gradient.b), reference)).toBeLessThan(1e-12);
    }
  });

  it('on the command line: exit status 1 and one line on standard error', async () => {
    const files = {
      'none.lag': 'input x[2]\ninit z[2] = 0\nz = exp(z) + x\ny = sum(z)\noutput y\n',
      'x.json': '{"x": [1, 2]}',
    };
    const r = await lagrad(['grad', 'none.lag', '--data', 'x.json'], files);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/^lagrad: none\.lag:3:\d+: cyclic component \{z/);
  });
});

describe('random contracting block cycles (vectors and matrices, one or two components)', () => {
  it('every schedule equals reverse; reverse equals finite differences; the .lag text is the same program', () => {
    fc.assert(
      fc.property(arbitraryBlockCycle(), ({ program, at, text, blockInit }) => {
        const reference = grad(program, at, { schedule: 'reverse' });
        const names = Object.keys(at);
        const all = (g: Record<string, unknown>) => names.flatMap((k) => flat(g[k]));
        const expected = all(reference.gradient);
        for (const [schedule, settings] of EXACT) {
          expect(
            gap(all(grad(program, at, { schedule, ...settings }).gradient), expected),
            `${schedule} ${settings.method ?? ''}`,
          ).toBeLessThan(1e-9);
        }
        expect(gap(all(grad(program, at, { schedule: 'fd' }).gradient), expected)).toBeLessThan(1e-6);
        if (!blockInit) {
          const parsed: Program = parse(text, { file: 'cycle.lag' });
          const again = grad(parsed, at, { schedule: 'reverse' });
          expect(Math.abs((again.value as number) - (reference.value as number))).toBeLessThan(
            1e-12 * Math.max(1, Math.abs(reference.value as number)),
          );
          expect(gap(all(again.gradient), expected)).toBeLessThan(1e-10);
        }
      }),
      { numRuns: 40, seed: 13 },
    );
  }, 120_000);
});
