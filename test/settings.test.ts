import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradCommand } from '../src/cli/gradCommand.ts';
import { flagOf, readSettings } from '../src/schedule/settings.ts';
import { evaluate, grad, LagradError, parse, schedules, verify, type GradOptions } from '../src/index.ts';
import { builtinSchedules } from '../solvers/schedules.ts';
import { lagrad } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const cos = parse('input t = 0.5\nv = cos(v) + t\noutput v');
const lecture = parse('z + sin(x^2 + y*exp(z))');
const at = { x: 2, y: -1, z: 0 };

/** The message of what `f` throws (a LagradError, or the test fails). */
function thrown(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LagradError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('settings declared by the schedules', () => {
  it('every built-in schedule declares each setting with a type, a range and a help line; one declaration per name', () => {
    const byName = new Map<string, unknown>();
    for (const schedule of builtinSchedules) {
      for (const s of schedule.settings ?? []) {
        expect(s.name).toMatch(/^[a-z][A-Za-z]*$/);
        expect(s.help.length).toBeGreaterThan(10);
        expect(s.range).not.toBe('');
        expect(s.default !== undefined || s.defaultText !== undefined || s.name === 'budget').toBe(true);
        // Shared settings (tolerance, primal, …) are one object, declared once in the core.
        if (byName.has(s.name)) expect(byName.get(s.name)).toBe(s);
        byName.set(s.name, s);
      }
    }
    for (const name of [
      'tolerance',
      'maxIterations',
      'primal',
      'lanes',
      'preconditioner',
      'maxPathEdges',
      'restart',
      'maxSize',
      'maxPaths',
      'step',
      'method',
      'strategy',
      'snapshots',
      'budget',
    ])
      expect(byName.has(name), name).toBe(true);
  });

  it('no schedule reads a setting untyped (options.lanes): only through readSettings', () => {
    const files = (dir: string): string[] =>
      readdirSync(join(root, dir)).flatMap((n) =>
        statSync(join(root, dir, n)).isDirectory() ? files(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : [],
      );
    const names = new Set(builtinSchedules.flatMap((s) => (s.settings ?? []).map((x) => x.name)));
    const reads: string[] = [];
    for (const file of [...files('solvers'), ...files('src')]) {
      for (const m of readFileSync(join(root, file), 'utf8').matchAll(/\boptions\??\.(\w+)/g))
        if (names.has(m[1]) && !file.includes('api')) reads.push(`${file}: options.${m[1]}`);
    }
    expect(reads).toEqual([]);
  });

  it('auto is an alias of reverse: the same settings, the same numbers, reported as reverse', () => {
    expect(schedules.auto.settings).toBe(schedules.reverse.settings);
    for (const program of [lecture, cos]) {
      const a = grad(program, program === lecture ? at : {}, {});
      const r = grad(program, program === lecture ? at : {}, { schedule: 'reverse' });
      expect(a.schedule).toBe('reverse');
      expect(Array.from(a.lambda)).toEqual(Array.from(r.lambda));
    }
  });
});

describe('the API validates its options', () => {
  it('an unknown option is an error naming it, with the nearest name', () => {
    expect(thrown(() => grad(lecture, at, { shedule: 'forward' } as GradOptions))).toBe(
      "'shedule': unknown option; did you mean 'schedule'?",
    );
    expect(thrown(() => grad(lecture, at, { schedule: 'forward', lane: 4 } as GradOptions))).toBe(
      "'lane': unknown option; did you mean 'lanes'?",
    );
    expect(thrown(() => evaluate(cos, {}, { tolerence: 1e-6 } as object))).toBe(
      "'tolerence': unknown option; did you mean 'tolerance'?",
    );
    expect(thrown(() => verify(lecture, at, { seeds: 3 } as object))).toBe(
      "'seeds': unknown option; did you mean 'seed'?",
    );
    expect(thrown(() => verify(lecture, at, { tolerances: { dual: 1e-10, dot: 1 } as object }))).toMatch(
      /^'dot': unknown option/,
    );
  });

  it('a wrong type or a value out of range names the option and the allowed range', () => {
    const cases: [GradOptions, string][] = [
      [{ schedule: 'forward', lanes: 0 }, 'lanes: must be an integer ≥ 1, got 0'],
      [{ schedule: 'forward', lanes: 2.5 }, 'lanes: must be an integer ≥ 1, got 2.5'],
      [{ schedule: 'forward', lanes: '4' as unknown as number }, "lanes: must be an integer ≥ 1, got '4'"],
      [{ tolerance: -1 }, 'tolerance: must be a number ≥ 0, got -1'],
      [{ tolerance: NaN }, 'tolerance: must be a number ≥ 0, got NaN'],
      [{ maxIterations: 1e9 }, 'maxIterations: must be an integer ≥ 1 and ≤ 1000000, got 1000000000'],
      [
        { primal: 'newtn' as 'newton' },
        "primal: must be one of auto, fixed-point, newton, got 'newtn'; did you mean 'newton'?",
      ],
      [{ schedule: 'fd', step: 0 }, 'step: must be a number > 0, got 0'],
      [{ schedule: 'paths', maxPaths: null as unknown as number }, 'maxPaths: must be an integer ≥ 0, got null'],
      [
        { schedule: 'checkpoint', strategy: 'binomial' as 'revolve' },
        "strategy: must be one of store-all, sqrt, revolve, budget, got 'binomial'",
      ],
    ];
    for (const [options, message] of cases) {
      const text = thrown(() => grad(lecture, at, options));
      expect(text).toBe(message);
      expect(text).not.toContain('--'); // the API names the option, not a flag
    }
  });

  it('a setting the chosen schedule does not read is an error saying which schedules read it', () => {
    expect(thrown(() => grad(lecture, at, { schedule: 'paths', lanes: 4 }))).toBe(
      "lanes: not read by schedule 'paths' (forward reads it)",
    );
    expect(thrown(() => grad(lecture, at, { schedule: 'reverse', maxPaths: 10 }))).toBe(
      "maxPaths: not read by schedule 'reverse' (paths reads it)",
    );
    expect(thrown(() => grad(lecture, at, { schedule: 'paths', tolerance: 1e-6 }))).toMatch(
      /^tolerance: not read by schedule 'paths' \(auto, reverse, compiled, forward, dense, fd, iterative, dual read it\)$/,
    );
    expect(thrown(() => verify(lecture, at, { settings: { method: 'jacobi' } }))).toMatch(
      /^method: not read by the schedules verify runs \(reverse, forward, dense, paths, fd\) \(iterative, dual read it\)$/,
    );
    // Settings that some schedule verify runs reads are fine: each schedule gets its own.
    expect(verify(lecture, at, { settings: { lanes: 2, maxPaths: 100, step: 1e-5 } }).ok).toBe(true);
  });

  it('a schedule called directly checks its options too', () => {
    const problem = { program: lecture, inputs: Float64Array.of(0, 2, -1), weights: Float64Array.of(1) };
    expect(thrown(() => schedules.forward.solve(problem, { lane: 2 }))).toBe(
      "'lane': unknown option; did you mean 'lanes'?",
    );
    expect(thrown(() => schedules.forward.solve(problem, { lanes: -1 }))).toBe('lanes: must be an integer ≥ 1, got -1');
    expect(schedules.forward.solve(problem, { lanes: 2, workspace: {}, multipliers: false }).stats.lanes).toBe(2);
  });

  it('readSettings fills defaults and types the values', () => {
    const values = readSettings(schedules.forward.settings!, { lanes: 3 });
    expect(values).toEqual({ lanes: 3, maxWork: 1e9, primal: 'auto', tolerance: 1e-12, maxIterations: 1000 });
  });
});

describe('the CLI derives its flags, parsing and help from the declarations', () => {
  it('every setting of every schedule is a flag in kebab-case, listed in --help with its help line and default', async () => {
    const help = (await lagrad(['grad', '--help'])).out;
    for (const schedule of builtinSchedules) {
      expect(help).toContain(`  ${schedule.name}`);
      for (const s of schedule.settings ?? []) {
        expect(Object.keys(gradCommand.options)).toContain(flagOf(s.name));
        expect(help).toContain(`--${flagOf(s.name)}`);
        expect(help).toContain(s.help);
        expect(help).toContain(`default ${s.default ?? s.defaultText ?? 'none'}`);
      }
    }
  });

  const cases: [string, string[], RegExp][] = [
    [
      '--lanes 0',
      ['grad', 'x*y', '--at', 'x=1,y=2', '--schedule', 'forward', '--lanes', '0'],
      /^lagrad: --lanes: must be an integer ≥ 1, got 0\n$/,
    ],
    [
      '--lanes ten',
      ['grad', 'x*y', '--at', 'x=1,y=2', '--schedule', 'forward', '--lanes', 'ten'],
      /^lagrad: --lanes: 'ten' is not a number\n$/,
    ],
    [
      '--primal bogus',
      ['grad', 'x*y', '--at', 'x=1,y=2', '--primal', 'bogus'],
      /^lagrad: --primal: must be one of auto, fixed-point, newton, got 'bogus'\n$/,
    ],
    [
      'an unread setting',
      ['grad', 'x*y', '--at', 'x=1,y=2', '--schedule', 'paths', '--lanes', '4'],
      /^lagrad: --lanes: not read by schedule 'paths' \(forward reads it\)\n$/,
    ],
    [
      'an unread setting under verify',
      ['verify', 'x*y', '--at', 'x=1,y=2', '--method', 'jacobi'],
      /^lagrad: --method: not read by the schedules verify runs .*\(iterative, dual read it\)\n$/,
    ],
    [
      'extra positional arguments',
      ['grad', 'x*y', 'z', '--at', 'x=1,y=2'],
      /^lagrad: usage: one <source> expected, but 'z' follows 'x\*y'/,
    ],
    [
      'extra positional arguments to eval',
      ['eval', 'x', 'y'],
      /^lagrad: usage: one <source> expected, but 'y' follows 'x'/,
    ],
    [
      '--tolerance -1 on eval',
      ['eval', 'x', '--at', 'x=1', '--tolerance=-1'],
      /^lagrad: --tolerance: must be a number ≥ 0, got -1\n$/,
    ],
  ];
  for (const [what, argv, message] of cases) {
    it(`${what}: one line naming the flag, status 2 (a usage error)`, async () => {
      const r = await lagrad(argv);
      expect(r.err).toMatch(message);
      expect(r.status).toBe(2);
      expect(r.out).toBe('');
    });
  }

  it('passes each setting through typed: --lanes 2 sweeps two lanes, --max-size refuses', async () => {
    const r = JSON.parse(
      (await lagrad(['grad', 'x*y*z', '--at', 'x=1,y=2,z=3', '--schedule', 'forward', '--lanes', '2', '--json'])).out,
    );
    expect(r.stats.lanes).toBe(2);
    expect(r.gradient).toEqual({ x: 6, y: 3, z: 2 });
    const refused = await lagrad(['grad', 'x*y*z', '--at', 'x=1,y=2,z=3', '--schedule', 'dense', '--max-size', '2']);
    expect(refused.err).toMatch(
      /^lagrad: schedule 'dense': 5 variables need a 5×5 matrix .* the limit is N ≤ 2 \(maxSize\)/,
    );
  });
});

describe('options that are not an object', () => {
  it('are an error naming them, in every API call', () => {
    for (const bad of [null, 'fast', [1]]) {
      expect(thrown(() => grad(lecture, at, bad as GradOptions))).toMatch(
        /^options: must be an object of named options, got /,
      );
      expect(thrown(() => evaluate(lecture, at, bad as object))).toMatch(
        /^options: must be an object of named options, got /,
      );
      expect(thrown(() => verify(lecture, at, bad as object))).toMatch(
        /^options: must be an object of named options, got /,
      );
    }
    expect(thrown(() => verify(lecture, at, { seed: 0.5 }))).toBe('seed: must be an integer, got 0.5');
  });
});
