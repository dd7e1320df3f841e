import { describe, expect, it } from 'vitest';
import { grad, parseProgram, ProgramBuilder, unroll, verify, type Program } from '../src/index.ts';
import { WORK_LIMIT } from '../src/schedule/work.ts';
import { lagrad } from './helpers/cli.ts';

// Family 5 of issue 9: every schedule whose cost can explode counts it first (closed forms over
// the program's shape) and refuses above a documented limit that a setting overrides; long solves
// report their progress.

/** A chain of n sines after a sum of `inputs` inputs. */
function chain(n: number, inputs = 1): Program {
  const b = new ProgramBuilder();
  const xs = Array.from({ length: inputs }, (_, k) => b.input(`x${k}`, 0.5));
  let v = b.applyMany('sum', xs);
  for (let k = 0; k < n; k++) v = b.apply('sin', v);
  return b.output(v).build();
}

describe('work counted before it starts, refused above maxWork (default 10⁹)', () => {
  const long = chain(100_000);
  const wide = chain(30_000, 40_000);

  it('forward: the multipliers of every variable of a long program, O(N²)', () => {
    expect(() => grad(long, {}, { schedule: 'forward', multipliers: true })).toThrow(
      /^schedule 'forward': tangent sweeps for the multipliers of all 100002 variables \(one lane each\) need about 1e\+10 operations; the limit is 1000000000 \(maxWork\) — use reverse$/,
    );
    // The gradient alone is one sweep; and a smaller program's multipliers fit.
    expect(grad(long, {}, { schedule: 'forward' }).gradient.x0).toBeCloseTo(grad(long).gradient.x0 as number, 12);
    expect(grad(chain(2000), {}, { schedule: 'forward', multipliers: true }).lambda).toHaveLength(2002);
  });

  it('forward: the gradient of a program with many inputs', () => {
    expect(() => grad(wide, {}, { schedule: 'forward' })).toThrow(
      /^schedule 'forward': tangent sweeps for 40000 inputs \(one lane each\) need about .* \(maxWork\) — use reverse$/,
    );
    expect(() => grad(wide, {}, { schedule: 'forward', maxWork: 10 })).toThrow(/the limit is 10 \(maxWork\)/);
  });

  it('fd: four evaluations of the program per input', () => {
    expect(() => grad(wide, {}, { schedule: 'fd' })).toThrow(
      /^schedule 'fd': 4 evaluations of the program per input \(40000 inputs\) need about 4\.8e\+9 operations; the limit is 1000000000 \(maxWork\) — use reverse$/,
    );
    expect(grad(chain(10, 3), {}, { schedule: 'fd', maxWork: 4 * 3 * 11 }).gradient.x0).toBeCloseTo(
      grad(chain(10, 3)).gradient.x0 as number,
      6,
    );
    expect(() => grad(chain(10, 3), {}, { schedule: 'fd', maxWork: 4 * 3 * 11 - 1 })).toThrow(/\(maxWork\)/);
  });

  it('iterative jacobi: at least as many sweeps as the longest chain', () => {
    expect(() => grad(long, {}, { schedule: 'iterative', method: 'jacobi', maxIterations: 1_000_000 })).toThrow(
      /^schedule 'iterative': Jacobi's sweeps, at least the 100002 of its longest chain, need about 2e\+10 operations; the limit is 1000000000 \(maxWork\) — use gauss-seidel or reverse$/,
    );
    // Deeper than maxIterations allows: refused at once, not after maxIterations sweeps.
    expect(() => grad(chain(5000), {}, { schedule: 'iterative', method: 'jacobi' })).toThrow(
      /Jacobi needs at least 5002 sweeps here .* more than maxIterations = 1000/,
    );
    // Gauss–Seidel is one sweep on an acyclic program.
    expect(grad(long, {}, { schedule: 'iterative' }).stats.iterations).toBe(1);
  });

  it('dual: at least as many iterations of two sweeps as the longest chain', () => {
    expect(() => grad(long, {}, { schedule: 'dual' })).toThrow(
      /^schedule 'dual': its iterations of two sweeps, at least the 100002 of its longest chain, need about 4e\+10 operations; .* \(maxWork\) — use reverse$/,
    );
  });

  it('the limit is a setting of its own on the command line, listed with its default', async () => {
    const help = (await lagrad(['grad', '--help'])).out;
    expect(help).toMatch(/--max-work N +forward, fd, iterative, dual: the most operations/);
    expect(help).toContain(`default ${WORK_LIMIT}`);
    const files = {
      'c.lag': [
        'input x = 1',
        'v0 = sin(x)',
        ...Array.from({ length: 50 }, (_, k) => `v${k + 1} = sin(v${k})`),
        'output v50',
      ].join('\n'),
    };
    const refused = await lagrad(
      ['grad', 'c.lag', '--schedule', 'forward', '--multipliers', '--max-work', '100'],
      files,
    );
    expect(refused.status).not.toBe(0);
    expect(refused.err).toMatch(
      /^lagrad: schedule 'forward': tangent sweeps for the multipliers of all 52 variables .* the limit is 100 \(maxWork\) — use reverse\n$/,
    );
    expect((await lagrad(['grad', 'c.lag', '--schedule', 'forward', '--multipliers'], files)).status).toBe(0);
  });
});

describe('limits of their own', () => {
  it('dense: 1000 variables by default, the same under grad and verify', () => {
    const program = chain(1000);
    expect(() => grad(program, {}, { schedule: 'dense' })).toThrow(
      /1002 variables .* the limit is N ≤ 1000 \(maxSize\)/,
    );
    const report = verify(program);
    expect(report.schedules.dense.skipped).toMatch(/the limit is N ≤ 1000 \(maxSize\)/);
    expect(report.ok).toBe(true);
  });

  it('unroll: the variables k sweeps make, before building them', () => {
    const cyclic = parseProgram('input t = 0\nv = cos(w) + t\nw = 0.5 * v\noutput v');
    expect(() => unroll(cyclic, 1e9)).toThrow(
      /^unroll: 1000000000 sweeps of the \d+ members of its cyclic components make .* variables; the limit is 10000000 \(maxVariables\)$/,
    );
    expect(() => unroll(cyclic, 100, { maxVariables: 50 })).toThrow(/the limit is 50 \(maxVariables\)/);
    expect(unroll(cyclic, 100).size).toBeLessThan(1000);
  });

  it('tradeoff: at most 1000 budgets on a curve', async () => {
    const r = await lagrad(['tradeoff', '--chain', '1000', '--points', '100000']);
    expect(r.status).not.toBe(0);
    expect(r.err).toBe('lagrad: --points: must be at most 1000, got 100000\n');
  });
});

describe('progress of long solves', () => {
  it('forward, fd, paths and the iterations report steps done out of the most there will be', () => {
    const program = chain(20, 20);
    for (const options of [
      { schedule: 'forward', lanes: 3, multipliers: true },
      { schedule: 'fd' },
      { schedule: 'paths' },
      { schedule: 'iterative', method: 'jacobi' },
      { schedule: 'iterative' },
    ] as const) {
      const seen: [number, number][] = [];
      grad(program, {}, { ...options, progress: (done, total) => seen.push([done, total]) });
      expect(seen.length, options.schedule).toBeGreaterThan(0);
      for (const [done, total] of seen) expect(done).toBeLessThanOrEqual(total);
      for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    }
  });
});
