import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { revolveAdvances } from '../solvers/checkpoint/revolve.ts';
import { lagrad } from './helpers/cli.ts';

const PROGRAM = `input x = 0.5
input y = 1.5
a = x * y
b = sin(a) + y
c = exp(b) * a
d = tanh(c + x)
e = d * b + sqrt(y)
f = log(e * e + 1) + a
output f
`;

describe('lagrad tradeoff --chain', () => {
  it('revolve on 1000 steps with 10 snapshots: 3636 advances within 10 snapshots', async () => {
    const r = await lagrad(['tradeoff', '--chain', '1000', '--snapshots', '10', '--strategy', 'revolve', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out).slice(0, 6)).toEqual([
      'steps',
      'snapshots',
      'strategy',
      'advances',
      'evaluations',
      'peakSnapshots',
    ]);
    expect(out).toMatchObject({ steps: 1000, snapshots: 10, strategy: 'revolve', advances: 3636, evaluations: 4636 });
    expect(out.peakSnapshots).toBeLessThanOrEqual(10);
  });

  it('a chain of 10⁷ steps by the closed forms', async () => {
    const r = await lagrad(['tradeoff', '--chain', '10000000', '--snapshots', '100', '--json']);
    const out = JSON.parse(r.out);
    expect(out.advances).toBe(revolveAdvances(10_000_000, 100));
    expect(out.peakSnapshots).toBe(100);
    const sqrt = JSON.parse(
      (await lagrad(['tradeoff', '--chain', '10000000', '--snapshots', '99', '--strategy', 'sqrt', '--json'])).out,
    );
    // 100 segments of 10⁵ steps: the first 99 advanced once, 99 snapshots.
    expect(sqrt).toMatchObject({
      advances: 99 * 100_000,
      evaluations: 99 * 100_000 + 10_000_000,
      peakSnapshots: 99,
      peakValues: 100 + 100_000,
    });
  });

  it('the curve: each strategy within each budget, as JSON and as an SVG plot with every series', async () => {
    const r = await lagrad(['tradeoff', '--chain', '500', '--points', '8', '--json', '--svg', 'curve.svg']);
    expect(r.status).toBe(0);
    const { steps, points } = JSON.parse(r.out);
    expect(steps).toBe(500);
    for (const p of points) if (p.fits) expect(p.peakValues).toBeLessThanOrEqual(p.budget);
    const strategies = new Set(
      points.filter((p: { fits: boolean }) => p.fits).map((p: { strategy: string }) => p.strategy),
    );
    expect([...strategies].sort()).toEqual(['revolve', 'sqrt', 'store-all']);
    // Fewer evaluations for more memory, per strategy.
    const revolve = points.filter((p: { strategy: string; fits: boolean }) => p.strategy === 'revolve' && p.fits);
    for (let k = 1; k < revolve.length; k++)
      expect(revolve[k].evaluations).toBeLessThanOrEqual(revolve[k - 1].evaluations);
    const svg = r.written['curve.svg'];
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const name of strategies) expect(svg).toContain(`>${name}</text>`);
    expect(svg).toContain('peak values held');
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(3);
  });

  it('prints a table without --json', async () => {
    const r = await lagrad(['tradeoff', '--chain', '100', '--points', '4']);
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/a chain of 100 steps/);
    expect(r.out).toMatch(/revolve/);
    expect(r.err).toBe('');
  });
});

describe('lagrad tradeoff <source>', () => {
  it('runs each strategy at each budget and checks the gradient against reverse', async () => {
    const r = await lagrad(['tradeoff', 'p.lag', '--points', '6', '--json', '--svg', 'p.svg'], { 'p.lag': PROGRAM });
    expect(r.status).toBe(0);
    const { constraints, points } = JSON.parse(r.out);
    expect(constraints).toBe(14);
    const fitting = points.filter((p: { fits: boolean }) => p.fits);
    expect(new Set(fitting.map((p: { strategy: string }) => p.strategy)).size).toBe(4);
    for (const p of fitting) {
      expect(p.peakValues).toBeLessThanOrEqual(p.budget);
      expect(p.gradientError).toBe(0);
      expect(p.evaluations).toBeGreaterThanOrEqual(14);
    }
    expect(r.written['p.svg']).toContain('>budget</text>');
  });

  it('one plan with --snapshots', async () => {
    const r = await lagrad(
      ['tradeoff', 'p.lag', '--snapshots', '2', '--strategy', 'revolve', '--json', '--at', 'x=0.25'],
      { 'p.lag': PROGRAM },
    );
    const out = JSON.parse(r.out);
    expect(out).toMatchObject({
      constraints: 14,
      snapshots: 2,
      strategy: 'revolve',
      peakSnapshots: 2,
      gradientError: 0,
    });
  });
});

describe('errors in the options are one line and status 2 (usage)', () => {
  const cases: [string[], RegExp][] = [
    [
      ['tradeoff', '--chain', '1000', '--snapshots', '10', '--strategy', 'bogus'],
      /^lagrad: --strategy: unknown strategy 'bogus'; choose one of store-all, sqrt, revolve, budget\n$/,
    ],
    [['tradeoff', '--chain', '1000', '--snapshots', '0'], /^lagrad: --snapshots: must be an integer ≥ 1, got 0\n$/],
    [['tradeoff', '--chain', '0'], /^lagrad: --chain: must be an integer ≥ 1, got 0\n$/],
    [['tradeoff', '--chain', 'ten'], /^lagrad: --chain: 'ten' is not a number\n$/],
    [
      ['tradeoff', '--chain', '100', '--snapshots', '3', '--budget', '9'],
      /^lagrad: --snapshots: give --snapshots or --budget, not both\n$/,
    ],
    [
      ['tradeoff', '--chain', '100', '--snapshots', '3', '--strategy', 'budget'],
      /^lagrad: --strategy: 'budget' plans programs, not chains/,
    ],
    [
      ['tradeoff', '--chain', '100', '--budget', '2', '--strategy', 'revolve'],
      /^lagrad: --budget: no revolve plan of a 100-step chain holds at most 2 values\n$/,
    ],
    [
      ['tradeoff', '--chain', '200000000', '--snapshots', '1'],
      /^lagrad: --chain: revolve: the advance count .* exceeds 2\^53\n$/,
    ],
    [['tradeoff', 'x + y', '--chain', '10'], /^lagrad: usage: give a <source> or --chain L, not both\n$/],
    [['tradeoff'], /^lagrad: usage: missing <source>/],
    [
      ['tradeoff', 'x*y', '--at', 'x=1,y=2', '--budget', '1'],
      /^lagrad: --budget: no budget plan holds at most 1 values here/,
    ],
    [
      ['grad', 'x*y', '--at', 'x=1,y=2', '--schedule', 'checkpoint', '--strategy', 'bogus'],
      /^lagrad: --strategy: must be one of store-all, sqrt, revolve, budget, got 'bogus'\n$/,
    ],
    [
      ['grad', 'x*y', '--at', 'x=1,y=2', '--schedule', 'checkpoint', '--snapshots', '0'],
      /^lagrad: --snapshots: must be an integer ≥ 1, got 0\n$/,
    ],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await lagrad(argv);
      expect(r.status).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});

describe('lagrad tradeoff: writes, and figures that agree', () => {
  const lecture = readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8');

  it('reports the snapshots written: 28 for revolve on 50 steps with 7 snapshots, in JSON and in the table', async () => {
    const out = JSON.parse(
      (await lagrad(['tradeoff', '--chain', '50', '--snapshots', '7', '--strategy', 'revolve', '--json'])).out,
    );
    expect(out).toMatchObject({ advances: 105, writes: 28, peakSnapshots: 7 });
    const curve = JSON.parse((await lagrad(['tradeoff', '--chain', '200', '--points', '5', '--json'])).out);
    for (const p of curve.points.filter((q: { fits: boolean }) => q.fits)) expect(typeof p.writes).toBe('number');
    const table = (await lagrad(['tradeoff', 'p.lag', '--points', '4'], { 'p.lag': PROGRAM })).out;
    expect(table.split('\n')[1]).toMatch(/\bwrites\b/);
  });

  it('the least budget a strategy meets is the peak its plan holds (the lecture example: revolve, 8 values)', async () => {
    const files = { 'lecture.lag': lecture };
    const viaBudget = JSON.parse(
      (await lagrad(['tradeoff', 'lecture.lag', '--budget', '8', '--strategy', 'revolve', '--json'], files)).out,
    );
    const viaSnapshots = JSON.parse(
      (await lagrad(['tradeoff', 'lecture.lag', '--snapshots', '1', '--strategy', 'revolve', '--json'], files)).out,
    );
    expect(viaBudget.peakValues).toBe(8);
    expect(viaSnapshots.peakValues).toBe(8);
    const refused = await lagrad(['tradeoff', 'lecture.lag', '--budget', '7', '--strategy', 'revolve'], files);
    expect(refused.err).toBe(
      'lagrad: --budget: no revolve plan holds at most 7 values here (the smallest needs 8); raise the budget\n',
    );
    const curve = JSON.parse((await lagrad(['tradeoff', 'lecture.lag', '--json', '--points', '8'], files)).out);
    for (const p of curve.points) if (p.fits) expect(p.peakValues).toBeLessThanOrEqual(p.budget);
    expect(
      Math.min(...curve.points.filter((p: { fits: boolean }) => p.fits).map((p: { budget: number }) => p.budget)),
    ).toBe(8);
  });

  it('prices a plan too long to run instead of running it', async () => {
    const lines = [
      'input x = 0.5',
      ...Array.from({ length: 10_000 }, (_, k) => `v${k} = sin(${k === 0 ? 'x' : `v${k - 1}`})`),
      'output v9999',
    ];
    const r = await lagrad(['tradeoff', 'long.lag', '--snapshots', '1', '--strategy', 'revolve', '--json'], {
      'long.lag': lines.join('\n') + '\n',
    });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      constraints: 10_000,
      advances: revolveAdvances(10_000, 1),
      writes: 1,
      gradientError: 'not run',
    });
  });

  it('grad under checkpointing refuses a plan over --max-evaluations in one line', async () => {
    const lines = [
      'input x = 0.5',
      ...Array.from({ length: 100 }, (_, k) => `v${k} = sin(${k === 0 ? 'x' : `v${k - 1}`})`),
      'output v99',
    ];
    const files = { 'c.lag': lines.join('\n') + '\n' };
    const r = await lagrad(
      [
        'grad',
        'c.lag',
        '--schedule',
        'checkpoint',
        '--strategy',
        'revolve',
        '--snapshots',
        '1',
        '--max-evaluations',
        '1000',
      ],
      files,
    );
    expect(r.status).toBe(1);
    expect(r.err).toBe(
      'lagrad: checkpoint: revolve with 1 snapshot would run 5050 primitive evaluations (51× the 100 constraints), over the limit of 1000; give more snapshots or a larger budget, or raise the limit (--max-evaluations N, or the option maxEvaluations)\n',
    );
    expect(
      (
        await lagrad(
          [
            'grad',
            'c.lag',
            '--schedule',
            'checkpoint',
            '--strategy',
            'revolve',
            '--snapshots',
            '1',
            '--max-evaluations',
            '6000',
            '--json',
          ],
          files,
        )
      ).status,
    ).toBe(0);
  });
});
