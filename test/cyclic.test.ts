import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import {
  dualResiduals,
  evaluate,
  evaluateAll,
  grad,
  LagradError,
  localPartials,
  parse,
  primalResiduals,
  ProgramBuilder,
  resolveWeights,
  unroll,
  type Program,
} from '../src/index.ts';
import { ROUNDING } from '../src/lagrangian/convergence.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';

const example = (name: string) =>
  parse(readFileSync(new URL(`../examples/${name}`, import.meta.url), 'utf8'), { file: name });
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** Every schedule that returns exact multipliers, with the settings that select it. */
const EXACT: [string, Record<string, string>][] = [
  ['auto', {}],
  ['reverse', {}],
  ['forward', {}],
  ['dense', {}],
  ['iterative', { method: 'jacobi' }],
  ['iterative', { method: 'gauss-seidel' }],
  ['iterative', { method: 'fixed-point' }],
  ['iterative', { method: 'gmres' }],
];
/** Jacobi diverges where a component's partials form cycles of different lengths (see babylonian). */
const CONVERGENT = EXACT.filter(([, s]) => s.method !== 'jacobi');

// Reference values: the Dottie number v* = cos v* (OEIS A003957), 0.739085133215160641…; by the
// implicit function theorem dv/dt = 1 / (1 + sin v*) = 0.597510045675303….
const DOTTIE = 0.7390851332151607;

describe('closed forms', () => {
  it('v = cos(v) + t: the fixed point and dv/dt = 1/(1 + sin v*) under every schedule', () => {
    const program = example('fixed-point.lag');
    expect(evaluate(program)).toBeCloseTo(DOTTIE, 12);
    for (const [schedule, settings] of EXACT) {
      const r = grad(program, {}, { schedule, ...settings });
      expect(
        relative(r.gradient.t as number, 1 / (1 + Math.sin(DOTTIE))),
        `${schedule} ${settings.method ?? ''}`,
      ).toBeLessThan(1e-11);
    }
    expect(
      relative(grad(program, {}, { schedule: 'fd' }).gradient.t as number, 1 / (1 + Math.sin(DOTTIE))),
    ).toBeLessThan(1e-8);
  });

  it('Babylonian square root: s = √a and ds/da = 1/(2√a)', () => {
    const program = example('babylonian.lag');
    for (const a of [0.5, 2, 9, 1e4]) {
      expect(relative(evaluate(program, { a }), Math.sqrt(a))).toBeLessThan(1e-14);
      for (const [schedule, settings] of CONVERGENT) {
        expect(
          relative(grad(program, { a }, { schedule, ...settings }).gradient.a as number, 1 / (2 * Math.sqrt(a))),
          `${schedule} ${settings.method ?? ''} at a = ${a}`,
        ).toBeLessThan(1e-12);
      }
    }
  });

  it('PageRank: ∂r_A/∂d solves (I − dM) ∂r/∂d = M r − 1/n', () => {
    const program = example('pagerank.lag');
    // Pages A, B, C, D; links A → B, A → C, B → C, C → A, D → C; M_ij = 1/out(j) for j → i.
    const M = new Matrix([
      [0, 0, 1, 0],
      [0.5, 0, 0, 0],
      [0.5, 1, 0, 1],
      [0, 0, 0, 0],
    ]);
    for (const d of [0.5, 0.85, 0.95]) {
      const A = Matrix.eye(4).sub(M.clone().mul(d));
      const r = solve(A, Matrix.ones(4, 1).mul((1 - d) / 4));
      const drdd = solve(A, M.mmul(r).sub(Matrix.ones(4, 1).mul(1 / 4)));
      expect(relative(evaluate(program, { d }), r.get(0, 0))).toBeLessThan(1e-12);
      for (const [schedule, settings] of CONVERGENT) {
        expect(
          relative(grad(program, { d }, { schedule, ...settings }).gradient.d as number, drdd.get(0, 0)),
          `${schedule} ${settings.method ?? ''} at d = ${d}`,
        ).toBeLessThan(1e-10);
      }
    }
  });

  it('equilibrium layer: ∂y/∂x = cᵀ(I − D W)⁻¹ D with D = diag(1 − v²)', () => {
    const program = example('equilibrium.lag');
    const W = new Matrix([
      [0, 0.4, -0.3],
      [-0.2, 0, 0.5],
      [0.3, 0.1, 0],
    ]);
    const values = evaluateAll(program);
    const v = ['v1', 'v2', 'v3'].map((name) => values[program.indexOf(name)]);
    v.forEach((vi, i) =>
      expect(vi).toBeCloseTo(Math.tanh(W.getRow(i).reduce((s, w, j) => s + w * v[j], 0) + [0.5, -0.3, 0.8][i]), 13),
    );
    const D = Matrix.diag(v.map((x) => 1 - x * x));
    const expected = D.mmul(
      solve(Matrix.eye(3).sub(D.mmul(W)).transpose(), Matrix.columnVector([1, 2, -1])),
    ).to1DArray();
    for (const [schedule, settings] of EXACT) {
      const g = grad(program, {}, { schedule, ...settings }).gradient;
      ['x1', 'x2', 'x3'].forEach((x, i) =>
        expect(relative(g[x] as number, expected[i]), `${schedule} ${settings.method ?? ''} ${x}`).toBeLessThan(1e-11),
      );
    }
  });
});

describe('random contracting cyclic programs', () => {
  it('every schedule agrees with the dense solve to 1e-9, multipliers included, and solves the KKT system', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, inputs }) => {
        const reference = grad(program, inputs, { schedule: 'dense' });
        const values = reference.values;
        const w = resolveWeights(program);
        // The primal and dual residuals of the reference itself.
        const scale = Math.max(1, ...Array.from(values, Math.abs));
        expect(Math.max(...Array.from(primalResiduals(program, values), Math.abs))).toBeLessThan(1e-10 * scale);
        const dual = dualResiduals(program, localPartials(program, values), reference.lambda, w);
        expect(Math.max(...Array.from(dual, Math.abs))).toBeLessThan(1e-9);
        for (const [schedule, settings] of EXACT) {
          const r = grad(program, inputs, { schedule, multipliers: true, ...settings });
          for (let i = 0; i < program.size; i++) {
            expect(
              relative(r.lambda[i], reference.lambda[i]),
              `${schedule} ${settings.method ?? ''}: λ of #${i}`,
            ).toBeLessThan(1e-9);
          }
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000); // a property over many solves: no time limit is meant, only a generous one for a loaded machine

  it('the .lag text of a random program gives the same gradient through the parser', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, inputs, text, at }) => {
        const built = grad(program, inputs).gradient;
        const parsed = grad(parse(text), at).gradient;
        for (const name of program.inputNames)
          expect(relative(parsed[name] as number, built[name] as number)).toBeLessThan(1e-9);
      }),
      { numRuns: 30 },
    );
  });

  it('the forward and adjoint fixed-point iterations contract at the same rate (Christianson)', () => {
    // Over 200 random programs (a fixed sample, so the statistics below are reproducible): every
    // component's forward Gauss–Seidel solve and the adjoint iteration on its multipliers, both to
    // the default tolerance. Their asymptotic rates agree; their iteration counts differ only by
    // how far each starts from its solution along the slowest mode (init values vs λ = 0).
    const iterationGaps: number[] = [];
    const rateGaps: number[] = [];
    // The rate over the last ten iterations: the asymptotic one (ten, since complex pairs of
    // eigenvalues make the ratio of successive residuals oscillate).
    const finalRate = (r: readonly number[]) => (r.at(-1)! / r.at(-11)!) ** (1 / 10);
    for (const { program, inputs } of fc.sample(arbitraryCyclicProgram(), { numRuns: 200, seed: 20240 })) {
      const r = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
      for (const forward of r.solution.convergence!.filter((c) => c.quantity === 'values')) {
        const adjoint = r.solution.convergence!.find((c) => c.quantity === 'multipliers' && c.start === forward.start)!;
        // A component the objective does not read has λ = 0 at once: nothing to compare.
        if (!(adjoint.residuals[0] > 0) || forward.iterations < 8 || adjoint.iterations < 8) continue;
        const gap = Math.abs(forward.iterations - adjoint.iterations);
        expect(gap, `${forward.variables}: ${forward.iterations} vs ${adjoint.iterations}`).toBeLessThanOrEqual(
          3 + 0.5 * Math.max(forward.iterations, adjoint.iterations),
        );
        iterationGaps.push(gap);
        if (forward.iterations >= 20 && adjoint.iterations >= 20)
          rateGaps.push(Math.abs(finalRate(forward.residuals) - finalRate(adjoint.residuals)));
      }
    }
    const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
    const gaps = sorted(iterationGaps);
    const rates = sorted(rateGaps);
    expect(gaps.length).toBeGreaterThan(150);
    expect(rates.length).toBeGreaterThan(50);
    expect(gaps[gaps.length >> 1]).toBeLessThanOrEqual(2); // the median component: within 2 iterations
    expect(gaps[Math.floor(gaps.length * 0.9)]).toBeLessThanOrEqual(4);
    expect(rates[rates.length >> 1]).toBeLessThan(1e-4);
    expect(rates[Math.floor(rates.length * 0.9)]).toBeLessThan(0.01);
    expect(rates[rates.length - 1]).toBeLessThan(0.1);
  });

  it('evaluate solves every component (all three primal methods agree)', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, inputs }) => {
        const values = evaluateAll(program, inputs);
        const scale = Math.max(...Array.from(values, Math.abs));
        expect(Math.max(...Array.from(primalResiduals(program, values), Math.abs))).toBeLessThan(1e-10 * scale);
        for (const primal of ['newton', 'fixed-point'] as const) {
          const other = evaluateAll(program, inputs, { primal });
          for (let i = 0; i < program.size; i++) expect(Math.abs(other[i] - values[i])).toBeLessThan(1e-10 * scale);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('the forward solve of cyclic components', () => {
  it('falls back to Newton when the iteration diverges: v = 2v + t has the fixed point −t', () => {
    const program = parse('input t = 3\nv = 2 * v + t\noutput v');
    const r = grad(program, {}, { schedule: 'reverse' });
    expect(r.value).toBe(-3);
    expect(r.gradient.t).toBeCloseTo(-1, 14); // (1 − 2)λ = 1
    expect(r.stats.newtonSteps).toBeGreaterThan(0);
    expect(r.solution.convergence!.map((c) => [c.method, c.converged])).toEqual([
      ['fixed-point', false],
      ['newton', true],
    ]);
  });

  it('honours init: the same equation from two starting points reaches two fixed points', () => {
    // log v + 2 = v has two fixed points; the iteration from 1 is attracted to the larger (|1/v| < 1 there).
    const program = (init: number) => parse(`input c = 2\ninit v = ${init}\nv = log(v) + c\noutput v`);
    const v = evaluate(program(1));
    expect(v - Math.log(v)).toBeCloseTo(2, 12);
    expect(v).toBeGreaterThan(3);
    // Newton from 0.1 finds the smaller one, which the iteration alone is repelled from.
    const small = evaluate(program(0.1), {}, { primal: 'newton' });
    expect(small - Math.log(small)).toBeCloseTo(2, 12);
    expect(small).toBeLessThan(0.2);
  });

  it('reports iterations and residual in stats', () => {
    const r = grad(example('fixed-point.lag'), {});
    expect(r.stats.components).toBe(1);
    expect(r.stats.primalIterations).toBeGreaterThan(30);
    expect(r.stats.primalResidual).toBeLessThan(1e-11);
    for (const value of Object.values(r.stats)) expect(typeof value).toBe('number');
  });

  it('a component deep inside a 200 000-constraint chain: no recursion, one solve', () => {
    const b = new ProgramBuilder();
    let x = b.input('x', 0.3);
    for (let k = 0; k < 100_000; k++) x = b.apply('sin', x);
    const v = b.apply('add', b.apply('scale', b.apply('cos', b.placeholder(0)), undefined, 0.5), x);
    b.resolve(() => v);
    let y = v;
    for (let k = 0; k < 100_000; k++) y = b.apply('tanh', y);
    const program = b.output(y).build();
    expect(program.cycles.length).toBe(2);
    const reverse = grad(program, {}, { schedule: 'reverse' });
    const gs = grad(program, {}, { schedule: 'iterative', method: 'gauss-seidel' });
    expect(relative(gs.gradient.x as number, reverse.gradient.x as number)).toBeLessThan(1e-12);
    expect(gs.stats.iterations).toBeLessThan(60);
  });
});

describe('large components (beyond the dense LU)', () => {
  // A ring of m members u_r = tanh(0.9·u_{r−1} + x_r): one component of 3m constraints.
  function ring(m: number): Program {
    const b = new ProgramBuilder();
    const x = Array.from({ length: 4 }, (_, k) => b.input(`x${k}`, 0.1 * (k + 1)));
    const u: number[] = [];
    for (let r = 0; r < m; r++)
      u.push(
        b.apply('tanh', b.apply('add', b.apply('scale', b.placeholder((r + m - 1) % m), undefined, 0.9), x[r % 4])),
      );
    b.resolve((k) => u[k]);
    const y = b.applyMany(
      'sum',
      u.filter((_, r) => r % 7 === 0),
    );
    return b.output(y).build();
  }

  it('block-reverse switches to GMRES, forward to iteration, Newton to GMRES steps; all agree', () => {
    const program = ring(150); // 450 constraints in one component
    expect(program.cycles[1] - program.cycles[0]).toBe(450);
    const reverse = grad(program, {}, { schedule: 'reverse' });
    expect(reverse.stats.matvecs).toBeGreaterThan(0);
    expect(reverse.stats.directSolves).toBeUndefined();
    const dense = grad(program, {}, { schedule: 'dense' });
    const forward = grad(program, {}, { schedule: 'forward' });
    const newton = grad(program, {}, { schedule: 'reverse', primal: 'newton' });
    expect(forward.stats.iterations).toBeGreaterThan(0);
    expect(newton.stats.newtonSteps).toBeGreaterThan(0);
    for (const name of program.inputNames) {
      expect(relative(reverse.gradient[name] as number, dense.gradient[name] as number)).toBeLessThan(1e-10);
      expect(relative(forward.gradient[name] as number, dense.gradient[name] as number)).toBeLessThan(1e-10);
      expect(relative(newton.gradient[name] as number, dense.gradient[name] as number)).toBeLessThan(1e-10);
    }
  });
});

describe('unrolling', () => {
  it('k sweeps unrolled compute the fixed-point iterates; at the solve’s own count, its values exactly', () => {
    const program = example('fixed-point.lag');
    expect(evaluate(unroll(program, 1))).toBe(Math.cos(1));
    expect(evaluate(unroll(program, 2))).toBe(Math.cos(Math.cos(1)));
    const solved = grad(program, {}, { primal: 'fixed-point' });
    expect(evaluate(unroll(program, solved.stats.primalIterations))).toBe(solved.value);
  });

  it('backprop through k iterations converges to the implicit gradient, at the loop’s rate', () => {
    const program = example('fixed-point.lag');
    const implicit = grad(program).gradient.t as number;
    const errors = [10, 20, 40, 80].map((k) =>
      Math.abs((grad(unroll(program, k), {}, { schedule: 'reverse' }).gradient.t as number) - implicit),
    );
    // The loop contracts by sin v* ≈ 0.674 per step (the error of the derivative carries a factor k).
    expect(errors[1]).toBeLessThan(errors[0] * 0.674 ** 10 * 4);
    expect(errors[2]).toBeLessThan(errors[1] * 0.674 ** 20 * 4);
    expect(errors[3]).toBeLessThan(1e-11);
  });
});

describe('bad input: one line naming the component and the residual', () => {
  const cases: [string, string, string[], RegExp][] = [
    [
      'no fixed point (v = v + t)',
      'input t = 1\nv = v + t\noutput v',
      [],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v\}: no fixed point found: the fixed-point iteration makes no progress \(residual 1 after \d+ sweeps.*\), and Newton's Jacobian I − J is singular at residual 1/,
    ],
    [
      'an iteration that diverges (v = v² + 1)',
      'input t = 1\nv = v^2 + t\noutput v',
      [],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v \(\+1 unnamed\)\}: no fixed point found: the fixed-point iteration diverges \(residual [\d.e+]+ after \d+ sweeps, rate [\d.]+\), and Newton's .* residual [\d.]+/,
    ],
    [
      'an iteration that diverges, without Newton',
      'input t = 1\nv = 2 * v + t\noutput v',
      ['--primal', 'fixed-point'],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v \(\+1 unnamed\)\}: the fixed-point iteration diverges \(residual [\d.e+]+ after \d+ sweeps, rate 2\)$/,
    ],
    [
      'a non-finite value during iteration',
      'input c = 2\nv = log(v) + c\noutput v',
      [],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v \(\+1 unnamed\)\}: no fixed point found: a non-finite value at sweep 1: log\(0\) = -Infinity, and Newton's method cannot start: log\(0\) = -Infinity$/,
    ],
    [
      'a singular I − J for the multipliers',
      'input t = 0\nv = v + t\noutput v',
      [],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v\}: I − J is singular here \(pivot ratio 0\), so its multipliers are not determined; residual \|\(I − J\)ᵀλ − b\|∞ = 1 left at λ = 0$/,
    ],
    [
      'a singular I − J of two members',
      'input t = 1\na = b\nb = a\ny = a * t\noutput y',
      [],
      /^lagrad: p\.lag:[23]:1: cyclic component \{(a, b|b, a)\}: I − J is singular here/,
    ],
    [
      'a multiplier iteration that diverges',
      'input t = 1\nv = 2 * v + t\noutput v',
      ['--schedule', 'iterative', '--method', 'fixed-point'],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v \(\+1 unnamed\)\}: the fixed-point iteration on the multipliers diverges \(residual [\d.e+]+ after \d+ sweeps, rate 2\)$/,
    ],
    [
      'Jacobi diverging on the multipliers',
      'input t = 1\nv = 2 * v + t\noutput v',
      ['--schedule', 'iterative', '--method', 'jacobi'],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v \(\+1 unnamed\)\}: Jacobi on the multipliers diverges \(residual [\d.e+]+ after \d+ sweeps, rate 1\.414\)$/,
    ],
    [
      'a singular I − J under GMRES',
      'input t = 0\nv = v + t\noutput v',
      ['--schedule', 'iterative', '--method', 'gmres'],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v\}: GMRES on the multipliers makes no progress \(residual 1 after 1 iteration\)$/,
    ],
    [
      'a singular I − J under forward',
      'input t = 0\nv = v + t\noutput v',
      ['--schedule', 'forward'],
      /^lagrad: p\.lag:2:\d+: cyclic component \{v\}: I − J is singular here \(pivot ratio 0\), so its tangents are not determined$/,
    ],
    [
      'too few iterations',
      'input t = 0\ninit v = 1\nv = cos(v) + t\noutput v',
      ['--schedule', 'iterative', '--method', 'gauss-seidel', '--max-iterations', '5'],
      /^lagrad: p\.lag:3:\d+: cyclic component \{v \(\+1 unnamed\)\}: Gauss–Seidel on the multipliers did not converge within 5 sweeps \(residual [\d.e-]+ after 5 sweeps, rate 0\.67\d+\)$/,
    ],
    [
      'a bad tolerance',
      'input t = 0\nv = cos(v) + t\noutput v',
      ['--tolerance=-1'],
      /^lagrad: --tolerance: must be a number ≥ 0, got -1$/,
    ],
    [
      'a bad iteration limit',
      'input t = 0\nv = cos(v) + t\noutput v',
      ['--max-iterations', '0'],
      /^lagrad: --max-iterations: must be an integer ≥ 1 and ≤ 1000000, got 0$/,
    ],
    [
      'an unknown primal method',
      'input t = 0\nv = cos(v) + t\noutput v',
      ['--primal', 'bisection'],
      /^lagrad: --primal: must be one of auto, fixed-point, newton, got 'bisection'$/,
    ],
    [
      'an unknown iterative method',
      'input t = 0\nv = cos(v) + t\noutput v',
      ['--schedule', 'iterative', '--method', 'sor'],
      /^lagrad: --method: must be one of gauss-seidel, jacobi, fixed-point, gmres, cg, gradient, got 'sor'$/,
    ],
  ];
  // A setting's value out of its range is a usage error (exit 2, DESIGN §10); the rest are the program's.
  const usage = new Set([
    'a bad tolerance',
    'a bad iteration limit',
    'an unknown primal method',
    'an unknown iterative method',
  ]);
  for (const [what, text, flags, message] of cases) {
    it(`${what}: exit ${usage.has(what) ? 2 : 1}`, async () => {
      const r = await lagrad(['grad', 'p.lag', ...flags], { 'p.lag': text });
      expect(r.err.trimEnd()).toMatch(message);
      expect(r.status).toBe(usage.has(what) ? 2 : 1);
      expect(r.out).toBe('');
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('the API throws the same LagradError, and evaluate throws for a component without a fixed point', () => {
    const program = parse('input t = 1\nv = v + t\noutput v');
    expect(() => evaluate(program)).toThrow(LagradError);
    expect(() => evaluate(program)).toThrow(/cyclic component \{v\}: no fixed point found/);
    expect(() => grad(parse('input t = 0\nv = v + t\noutput v'))).toThrow(/I − J is singular here/);
  });
});

describe('the command line on examples/fixed-point.lag', () => {
  const file = {
    'examples/fixed-point.lag': readFileSync(new URL('../examples/fixed-point.lag', import.meta.url), 'utf8'),
  };
  const runs: string[][] = [
    [],
    ['--schedule', 'auto'],
    ['--schedule', 'reverse'],
    ['--schedule', 'forward'],
    ['--schedule', 'dense'],
    ...['jacobi', 'gauss-seidel', 'fixed-point', 'gmres'].map((m) => ['--schedule', 'iterative', '--method', m]),
  ];
  for (const flags of runs) {
    it(`grad --json ${flags.join(' ')}`, async () => {
      const r = await lagrad(['grad', 'examples/fixed-point.lag', '--json', ...flags], file);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.out);
      expect(out.value).toBeCloseTo(DOTTIE, 12);
      expect(relative(out.gradient.t, 1 / (1 + Math.sin(DOTTIE)))).toBeLessThan(1e-11);
      // The fixed-point solve's record, and the multiplier iteration's under iterative.
      if (!flags.includes('dense')) expect(out.convergence.length).toBe(flags.includes('iterative') ? 2 : 1);
    });
  }

  it('npm run -s lagrad -- grad examples/fixed-point.lag --json, as a real process', () => {
    const p = spawnSync('npm', ['run', '-s', 'lagrad', '--', 'grad', 'examples/fixed-point.lag', '--json'], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(p.status).toBe(0);
    expect(relative(JSON.parse(p.stdout).gradient.t, 1 / (1 + Math.sin(DOTTIE)))).toBeLessThan(1e-11);
  }, 30_000); // a child process through npm and tsx: seconds on a loaded machine

  it('eval solves the fixed point', async () => {
    const r = await lagrad(['eval', 'examples/fixed-point.lag'], file);
    expect(Number(r.out)).toBeCloseTo(DOTTIE, 12);
  });
});

describe('tolerance 0 iterates to rounding', () => {
  // v = cos(v) + t: Newton reaches |v − cos v − t| ≈ 2e-16 and can go no further.
  const program = parse('input t = 0.5\nv = cos(v) + t\noutput v');
  it("converges by every primal method and gives the default tolerance's answer to rounding", () => {
    const reference = grad(program, {}, { primal: 'newton' });
    for (const primal of ['auto', 'fixed-point', 'newton'] as const) {
      const r = grad(program, {}, { primal, tolerance: 0 });
      expect(r.value, primal).toBeCloseTo(reference.value, 15);
      expect(r.gradient.t).toBeCloseTo(reference.gradient.t as number, 14);
      expect(r.stats.primalResidual, primal).toBeLessThanOrEqual(ROUNDING * Math.abs(r.value)); // the documented meaning: within 64 ulps
    }
    // An iteration stopped at rounding r is off by about r / (1 − rate): Jacobi's rate here is √0.85.
    for (const method of ['gauss-seidel', 'jacobi', 'fixed-point', 'gmres'] as const) {
      expect(grad(program, {}, { schedule: 'iterative', method, tolerance: 0 }).gradient.t, method).toBeCloseTo(
        reference.gradient.t as number,
        13,
      );
    }
  });
  it('on the command line too', async () => {
    const r = await lagrad(['grad', 'p.lag', '--tolerance', '0', '--primal', 'newton', '--json'], {
      'p.lag': 'input t = 0.5\nv = cos(v) + t\noutput v',
    });
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
  });
  it('still fails a component without a fixed point, with the residual reached', () => {
    expect(() => grad(parse('input t = 1\nv = v + t\noutput v'), {}, { tolerance: 0 })).toThrow(/no fixed point found/);
  });
});
