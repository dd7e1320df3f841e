import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAdjoint, localPartials } from '../src/lagrangian/kkt.ts';
import { grad, LagradError, parse, ProgramBuilder, resolveWeights, type Program } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryProgram, type RandomProgram } from './helpers/randomPrograms.ts';

// Every schedule solves the same (I − J)ᵀλ = w; they differ in how they add the chain rule up, so
// they agree up to rounding. Rounding in any such sum is proportional to
// μ_j = Σ over paths j → o of |w_o ∏ J| (absoluteAdjoint), the scale agreement is measured against.

/** The multipliers (or gradient) of a schedule and of reverse, and μ, for a random program. */
function solve(r: RandomProgram, schedule: string, options: Record<string, unknown> = {}) {
  const reverse = grad(r.program, r.at, { schedule: 'reverse', weights: r.weights });
  const other = grad(r.program, r.at, { schedule, weights: r.weights, ...options });
  const mu = absoluteAdjoint(
    r.program,
    localPartials(r.program, reverse.values),
    resolveWeights(r.program, undefined, r.weights),
  );
  return { reverse, other, mu };
}

/** |a − b| / max(μ, |a|, |b|), 0 when equal. */
const disagreement = (a: number, b: number, mu: number) =>
  a === b ? 0 : Math.abs(a - b) / Math.max(mu, Math.abs(a), Math.abs(b));

/** The lecture's fully connected graph on n nodes: u_k = tanh(u_1 + … + u_{k−1}); 2^(n−2) paths from u_1 to u_n. */
function fullyConnected(n: number, op = 'tanh'): Program {
  const b = new ProgramBuilder();
  const nodes = [b.input('x', 0.3)];
  for (let k = 2; k <= n; k++) {
    const s = b.applyMany('sum', nodes);
    nodes.push(op === 'sum' ? s : b.apply(op, s));
  }
  return b.output(nodes[n - 1]).build();
}

describe('dense: the whole KKT system in one LU solve', () => {
  it('equals reverse to 1e-10 relative on the multipliers of every variable (random acyclic programs)', () => {
    fc.assert(
      fc.property(arbitraryProgram(), (r) => {
        const { reverse, other, mu } = solve(r, 'dense');
        for (let j = 0; j < r.program.size; j++)
          expect(disagreement(other.lambda[j], reverse.lambda[j], mu[j])).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 200 },
    );
  });

  it('needs no order: on the cyclic v = cos(v) + t it gives dv/dt = 1 / (1 + sin v*) = 0.597510045675303… at t = 0', () => {
    const cyclic = parse('input t = 0\nv = cos(v) + t\noutput v');
    const r = grad(cyclic, {}, { schedule: 'dense' });
    expect(r.gradient.t).toBeCloseTo(0.597510045675303, 11);
    expect(r.gradient.t).toBeCloseTo(1 / (1 + Math.sin(r.value)), 14);
  });

  it('counts the matrix it solves', () => {
    const r = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 }, { schedule: 'dense' });
    expect(r.stats.matrixOrder).toBe(r.program.size);
    expect(r.stats.matrixEntries).toBe(r.program.size ** 2);
    expect(r.stats.partialEvaluations).toBe(r.program.constraintCount);
  });

  it('refuses N > 1000 (its default everywhere) in one line before allocating, and honours maxSize', () => {
    const b = new ProgramBuilder();
    let v = b.input('x');
    for (let k = 0; k < 1001; k++) v = b.apply('sin', v);
    const long = b.output(v).build();
    expect(() => grad(long, { x: 1 }, { schedule: 'dense' })).toThrow(
      /1002 variables need a 1002×1002 matrix .* the limit is N ≤ 1000/,
    );
    expect(() => grad(parse('sin(x)'), { x: 1 }, { schedule: 'dense', maxSize: 1 })).toThrow(LagradError);
  });
});

describe('paths: the sum over all paths of influence', () => {
  it('equals reverse on the multipliers of every variable of small random programs', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 12 }), (r) => {
        const { reverse, other, mu } = solve(r, 'paths', { multipliers: true });
        for (let j = 0; j < r.program.size; j++)
          expect(disagreement(other.lambda[j], reverse.lambda[j], mu[j])).toBeLessThanOrEqual(1e-10);
      }),
      { numRuns: 200 },
    );
  });

  it('enumerates 2^(n−2) paths between first and last node of the fully connected graph; with all partials 1 the gradient is that count', () => {
    for (let n = 3; n <= 14; n++) {
      const tanh = grad(fullyConnected(n), { x: 0.3 }, { schedule: 'paths' });
      expect(tanh.stats.paths).toBe(2 ** (n - 2));
      expect(tanh.gradient.x).toBeCloseTo(
        grad(fullyConnected(n), { x: 0.3 }, { schedule: 'reverse' }).gradient.x as number,
        14,
      );
      expect(grad(fullyConnected(n, 'sum'), { x: 0.3 }, { schedule: 'paths' }).gradient.x).toBe(2 ** (n - 2));
    }
  });

  it('counts every path from every variable when asked for all multipliers (lecture: 10)', () => {
    const r = grad(
      parse(
        'input x = 2\ninput y = -1\ninput z = 0\na = x^2\nb = exp(z)\nc = y * b\nd = a + c\ne = sin(d)\ng = z + e\noutput g',
      ),
      {},
      { schedule: 'paths', multipliers: true },
    );
    // x: 1, y: 1, z: 2 (directly and through b), a, b, c, d, e, g: 1 each.
    expect(r.stats.paths).toBe(10);
  });

  it('refuses above maxPaths (default 1e6) before enumerating, with the count', () => {
    expect(() => grad(fullyConnected(22), { x: 0.3 }, { schedule: 'paths' })).toThrow(
      /1048576 paths of influence .* the limit is 1000000/,
    );
    expect(() => grad(fullyConnected(10), { x: 0.3 }, { schedule: 'paths', maxPaths: 255 })).toThrow(/256 paths/);
    expect(grad(fullyConnected(10), { x: 0.3 }, { schedule: 'paths', maxPaths: 256 }).stats.paths).toBe(256);
  });

  it('counts astronomically many paths without overflow trouble: 1100 diamonds in a row', () => {
    const b = new ProgramBuilder();
    let v = b.input('x');
    for (let k = 0; k < 1100; k++) v = b.apply('add', b.apply('sin', v), b.apply('cos', v));
    const diamonds = b.output(v).build();
    expect(() => grad(diamonds, { x: 1 }, { schedule: 'paths' })).toThrow(/more than 1e308 paths|Infinity/);
    const fewer = new ProgramBuilder();
    let u = fewer.input('x');
    for (let k = 0; k < 100; k++) u = fewer.apply('add', fewer.apply('sin', u), fewer.apply('cos', u));
    expect(() => grad(fewer.output(u).build(), { x: 1 }, { schedule: 'paths' })).toThrow(/1\.27e\+30 paths/);
  });

  it('refuses few but long paths too: the multipliers of every variable of a chain of N cost N²/2 multiplications', () => {
    const b = new ProgramBuilder();
    let v = b.input('x', 0.5);
    for (let k = 0; k < 20_000; k++) v = b.apply('sin', v);
    const chain = b.output(v).build();
    expect(() => grad(chain, {}, { schedule: 'paths', multipliers: true })).toThrow(
      /20001 paths of influence from every variable take 200010000 multiplications; the limit is 50000000 \(maxPathEdges\)/,
    );
    const r = grad(chain, {}, { schedule: 'paths' });
    expect(r.stats.paths).toBe(1);
    expect(r.stats.pathEdges).toBe(20_000);
    // The same 20 000 factors multiplied in the opposite order: equal up to rounding.
    const g = grad(chain, {}, { schedule: 'reverse' }).gradient.x as number;
    expect(Math.abs((r.gradient.x as number) - g) / Math.abs(g)).toBeLessThan(1e-12);
  });

  it('refuses a cyclic program: it has infinitely many paths', () => {
    const cyclic = parse('input t = 0\nv = cos(v) + t\noutput v');
    expect(() => grad(cyclic, {}, { schedule: 'paths' })).toThrow(/cyclic \(a cycle through v.*infinitely many paths/);
  });
});

describe('fd: central finite differences', () => {
  it('agree with reverse to 1e-6 on random programs, relative to max(|∂f/∂x|, max|v| / max(1, |x|))', () => {
    fc.assert(
      fc.property(arbitraryProgram(), (r) => {
        const { reverse, other } = solve(r, 'fd');
        let largest = 0;
        for (let i = 0; i < r.program.size; i++) largest = Math.max(largest, Math.abs(reverse.values[i]));
        for (const [k, name] of r.program.inputNames.entries()) {
          const g = reverse.gradient[name] as number;
          const scale = Math.max(Math.abs(g), largest / Math.max(1, Math.abs(r.inputs[k])));
          expect(Math.abs((other.gradient[name] as number) - g)).toBeLessThanOrEqual(1e-6 * scale);
        }
        expect(other.solution.lambda).toBeNull();
      }),
      { numRuns: 200 },
    );
  });

  it('reports its step ε^(1/3)·max(1, |x|) and a Richardson error estimate close to the true error', () => {
    // f = exp(10x) at 0: f' = 10, and the central difference's error is f'''·h²/6 = 1000·h²/6, far above rounding.
    const p = parse('exp(10 * x)');
    const r = grad(p, { x: 0 }, { schedule: 'fd' });
    const h = Math.cbrt(Number.EPSILON);
    expect(r.stats.step).toBe(h);
    const error = Math.abs((r.gradient.x as number) - 10);
    expect(error / ((1000 * h * h) / 6)).toBeCloseTo(1, 1);
    expect(r.stats.errorEstimate / error).toBeGreaterThan(0.9);
    expect(r.stats.errorEstimate / error).toBeLessThan(1.1);
    expect(grad(p, { x: 4 }, { schedule: 'fd' }).stats.step).toBe(4 * h);
    expect(grad(p, { x: 0 }, { schedule: 'fd', step: 1e-3 }).stats.step).toBe(1e-3);
  });

  it('names the shifted point when the objective fails there', () => {
    expect(() => grad(parse('sqrt(x)'), { x: 0 }, { schedule: 'fd' })).toThrow(/finite-difference point x = -/);
  });
});

describe('lagrad grad --schedule dense|paths|fd agree with reverse', () => {
  it('on random acyclic programs given as .lag files', async () => {
    await fc.assert(
      fc.asyncProperty(arbitraryProgram({ outputs: 1, constraints: 14 }), async (r) => {
        const files = { 'p.lag': r.text };
        const run = async (schedule: string) => {
          const out = await lagrad(['grad', 'p.lag', '--schedule', schedule, '--json'], files);
          expect(out.err).toBe('');
          expect(out.status).toBe(0);
          return JSON.parse(out.out).gradient as Record<string, number>;
        };
        const reverse = await run('reverse');
        const mu = solve(r, 'reverse').mu;
        for (const [k, name] of r.program.inputNames.entries()) {
          // The parsed file is the same program: reverse through the CLI equals reverse through the API.
          expect(reverse[name]).toBe(grad(r.program, r.at, { schedule: 'reverse', weights: r.weights }).gradient[name]);
          for (const schedule of ['dense', 'paths'])
            expect(disagreement((await run(schedule))[name], reverse[name], mu[k])).toBeLessThanOrEqual(1e-10);
        }
        const fd = await run('fd');
        for (const name of r.program.inputNames)
          expect(Math.abs(fd[name] - reverse[name])).toBeLessThanOrEqual(
            1e-6 * Math.max(1, Math.abs(reverse[name]), ...Array.from(solve(r, 'reverse').reverse.values, Math.abs)),
          );
      }),
      { numRuns: 25 },
    );
  });

  it('on the lecture example, printing the same gradient', async () => {
    const files = {
      'lecture.lag':
        'input x = 2\ninput y = -1\ninput z = 0\na = x^2\nb = exp(z)\nc = y * b\nd = a + c\ne = sin(d)\ng = z + e\noutput g\n',
    };
    const reverse = JSON.parse((await lagrad(['grad', 'lecture.lag', '--json'], files)).out);
    for (const schedule of ['dense', 'paths', 'fd']) {
      const limit = schedule === 'paths' ? ['--max-paths', '100'] : [];
      const other = JSON.parse(
        (await lagrad(['grad', 'lecture.lag', '--schedule', schedule, '--json', ...limit], files)).out,
      );
      for (const name of ['x', 'y', 'z'])
        expect(other.gradient[name]).toBeCloseTo(reverse.gradient[name], schedule === 'fd' ? 8 : 15);
    }
    const refused = await lagrad(['grad', 'lecture.lag', '--schedule', 'paths', '--max-paths', '3'], files);
    expect(refused.status).toBe(1);
    expect(refused.err).toMatch(
      /^lagrad: schedule 'paths': 4 paths of influence lead from the inputs to the outputs; the limit is 3/,
    );
  });
});
