import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAdjoint, localPartials } from '../src/lagrangian/kkt.ts';
import * as api from '../src/index.ts';
import {
  grad,
  InternalError,
  LagradError,
  parse,
  parseProgram,
  ProgramBuilder,
  registerPrimitive,
  resolveWeights,
  schedules,
  ScheduleTable,
  verify,
  type Schedule,
} from '../src/index.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';

const { reverse } = schedules;
import { lagrad } from './helpers/cli.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

const lectureText = readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8');
const lecture = parseProgram(lectureText, { file: 'lecture.lag' });

describe('verify', () => {
  it('certifies the lecture example: five schedules agree, KKT residuals and dot product vanish', () => {
    const r = verify(lecture);
    expect(r.ok).toBe(true);
    expect(Object.keys(r.schedules)).toEqual(['reverse', 'forward', 'dense', 'paths', 'fd']);
    for (const s of Object.values(r.schedules)) expect(s.skipped).toBeUndefined();
    // Closed form: ∂f/∂x = 4 cos 3, ∂f/∂y = cos 3, ∂f/∂z = 1 − cos 3.
    expect(r.schedules.dense.gradient!.x).toBeCloseTo(4 * Math.cos(3), 14);
    expect(r.schedules.paths.gradient!.z).toBeCloseTo(1 - Math.cos(3), 14);
    expect(r.maxMultiplierDisagreement).toBeLessThanOrEqual(1e-15);
    expect(r.kkt.primal).toBe(0);
    expect(r.kkt.dual).toBeLessThanOrEqual(1e-16);
    expect(r.dotProduct).toBeLessThanOrEqual(1e-15);
    expect(r.finiteDifference!.maxError).toBeLessThan(1e-8);
    expect(r.worst).toBeNull();
  });

  it('passes on random acyclic programs, with every check within its tolerance', () => {
    fc.assert(
      fc.property(arbitraryProgram(), (p) => {
        const r = verify(p.program, p.at, { weights: p.weights });
        for (const c of r.checks) expect(c.value, `${c.name} at ${c.label}`).toBeLessThanOrEqual(c.tolerance);
        expect(r.ok).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('returns ok: false for a perturbed multiplier of any variable, naming it', () => {
    for (const [name, i] of lecture.names) {
      const reference = verify(lecture).lambda;
      const wrong = Float64Array.from(reference);
      wrong[i] *= 1 + 1e-8;
      for (const given of [wrong, { [name]: wrong[i] }]) {
        const r = verify(lecture, {}, { multipliers: given });
        expect(r.ok).toBe(false);
        expect(r.worst!.name).toBe('multipliers');
        expect(r.worst!.label).toBe(name);
        expect(r.kkt.dual).toBeGreaterThan(1e-12);
      }
    }
  });

  it('returns ok: false for a perturbed multiplier on random programs, naming the variable', () => {
    fc.assert(
      fc.property(arbitraryProgram(), fc.nat(), (p, pick) => {
        const g = grad(p.program, p.at, { schedule: 'reverse', weights: p.weights });
        const mu = absoluteAdjoint(
          p.program,
          localPartials(p.program, g.values),
          resolveWeights(p.program, undefined, p.weights),
        );
        const j = pick % p.program.size;
        const wrong = Float64Array.from(g.lambda);
        wrong[j] += 1e-8 * Math.max(mu[j], 1);
        const r = verify(p.program, p.at, { weights: p.weights, multipliers: wrong, schedules: ['reverse', 'dense'] });
        expect(r.ok).toBe(false);
        expect(r.worst!.variable).toBe(j);
      }),
      { numRuns: 100 },
    );
  });

  it('compares the multipliers of every variable, not only the gradient', () => {
    // A schedule whose gradient is right but whose λ of the intermediate d is off by 1e-6.
    const broken: Schedule = {
      name: 'broken',
      summary: 'reverse with one wrong intermediate multiplier',
      solve(problem, options) {
        const s = reverse.solve(problem, options);
        const lambda = Float64Array.from(s.lambda!);
        lambda[lecture.indexOf('d')] += 1e-6;
        return { ...s, lambda };
      },
    };
    const table = new ScheduleTable().register(reverse).register(broken);
    const r = verify(lecture, {}, { table, schedules: ['reverse', 'broken'] });
    expect(r.schedules.broken.gradient).toEqual(r.schedules.reverse.gradient);
    expect(r.ok).toBe(false);
    expect(r.worst!.label).toBe('d');
    expect(r.maxMultiplierDisagreement).toBeGreaterThan(1e-7);
  });

  it('skips schedules that refuse (too many paths, too large), says why, and still verifies with the rest', () => {
    const b = new ProgramBuilder();
    const nodes = [b.input('x', 0.3)];
    for (let k = 2; k <= 24; k++) nodes.push(b.apply('tanh', b.applyMany('sum', nodes)));
    const program = b.output(nodes[23]).build();
    const r = verify(program, {}, { settings: { maxSize: 10 } });
    expect(r.schedules.paths.skipped).toMatch(/paths of influence .* limit is 1000000/);
    expect(r.schedules.dense.skipped).toMatch(/limit is N ≤ 10/);
    expect(r.ok).toBe(true);
  });

  it('reports skipped schedules that are not registered', () => {
    const table = new ScheduleTable().register(reverse);
    const r = verify(lecture, {}, { table });
    expect(r.schedules.dense.skipped).toBe('not registered');
    expect(r.finiteDifference).toBeNull();
    expect(r.ok).toBe(true);
  });

  it('catches a primitive declared with a wrong partial by finite differences', () => {
    registerPrimitive({ name: 'badsin', arity: 1, value: 'Math.sin(a)', partials: ['1.001 * Math.cos(a)'] });
    const r = verify(parse('badsin(x) * y'), { x: 0.5, y: 2 });
    // Every schedule reads the same wrong partial, so they agree with each other and with the KKT
    // conditions of that J; only finite differences, which read values alone, see the error.
    expect(r.maxMultiplierDisagreement).toBeLessThan(1e-12);
    expect(r.kkt.dual).toBeLessThan(1e-12);
    expect(r.ok).toBe(false);
    expect(r.worst!.name).toBe('finiteDifference');
    expect(r.worst!.label).toBe('x');
  });
});

describe('lagrad verify', () => {
  it('on the lecture example exits 0 and prints a certificate a reader can follow', async () => {
    const { status, out, err } = await lagrad(['verify', 'examples/lecture.lag'], {
      'examples/lecture.lag': lectureText,
    });
    expect(err).toBe('');
    expect(status).toBe(0);
    // The constraints with their values and multipliers …
    expect(out).toMatch(/a\s+square\(x\)\s+4\s+-0\.9899924966004454/);
    expect(out).toMatch(/e\s+sin\(d\)\s+0\.1411200080598672\s+1\s/);
    // … the schedules' gradients, the checks with their tolerances, and the verdict.
    for (const s of ['reverse', 'forward', 'dense', 'paths', 'fd'])
      expect(out).toMatch(new RegExp(`^  ${s} +-3\\.9599699`, 'm'));
    expect(out).toMatch(/dual KKT: \(I − J\)ᵀλ = w\s+0\s+1e-12\s+ok/);
    expect(out).toMatch(/finite differences = λ_inputs\s+\S+\s+1e-6\s+ok/);
    expect(out).toMatch(/^verified: /m);
  });

  it('--json prints the documented object', async () => {
    const { status, out } = await lagrad(['verify', 'examples/lecture.lag', '--json'], {
      'examples/lecture.lag': lectureText,
    });
    expect(status).toBe(0);
    const j = JSON.parse(out);
    expect(j.ok).toBe(true);
    expect(Object.keys(j.schedules)).toEqual(['reverse', 'forward', 'dense', 'paths', 'fd']);
    expect(j.schedules.reverse.gradient.x).toBe(-3.9599699864017817);
    expect(typeof j.maxMultiplierDisagreement).toBe('number');
    expect(Object.keys(j.kkt)).toEqual(['primal', 'dual']);
    expect(typeof j.dotProduct).toBe('number');
    expect(j.finiteDifference.maxError).toBeLessThan(1e-6);
  });

  it('exits 1 naming the worst variable when a check fails', async () => {
    registerPrimitive({ name: 'badexp', arity: 1, value: 'Math.exp(a)', partials: ['y * 0.999'] });
    const { status, out, err } = await lagrad(['verify', 'badexp(u) + v', '--at', 'u=1,v=2']);
    expect(status).toBe(1);
    expect(out).toMatch(/^NOT verified: finite differences = λ_inputs: .* at variable 'u'/m);
    expect(err).toMatch(/^lagrad: verify: .* at variable 'u'\n$/);
    const json = await lagrad(['verify', 'badexp(u) + v', '--at', 'u=1,v=2', '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.out).worst).toMatchObject({ check: 'finiteDifference', variable: 'u' });
  });

  it('runs as a real process: exit status 0 on the lecture example', () => {
    const p = spawnSync('npx', ['tsx', 'src/cli/bin.ts', 'verify', 'examples/lecture.lag'], {
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^verified: /m);
  }, 30_000);
});

describe('verify judges against what the computation could resolve', () => {
  // jaxopt, tests/fixed_point_iteration_test.py, test_cos_fixed_point: x = cos(x) + θ with
  // θ = π/2 has the fixed point x = π/2, where cos x = 6.1e-17 is zero to rounding.
  const jaxoptCos = parse('input theta = 1.5707963267948966\nx = cos(x) + theta\noutput x');
  // JAX, tests/lax_control_flow_test.py, test_custom_root_vector_nonlinear: the root x = y of
  // f(x, y) = (x − y)(x² + y² + 1), here by Newton's iteration as a fixed point, one component per
  // entry of y. At the root f = 0, so λ of every term of x² + y² + 1 is exactly 0; the block solves
  // give ±1e-17 there.
  const ys = [0.8, -0.45, 1.7, 0.3, -1.2];
  const customRoot = parse(
    [
      ...ys.map((y, k) => `input y${k} = ${y}`),
      ...ys.flatMap((_, k) => [
        `init x${k} = -1`,
        `f${k} = (x${k} - y${k}) * (x${k}^2 + y${k}^2 + 1)`,
        `g${k} = 3*x${k}^2 - 2*x${k}*y${k} + y${k}^2 + 1`,
        `x${k} = x${k} - f${k} / g${k}`,
      ]),
      `s = ${ys.map((_, k) => `x${k}`).join(' + ')}`,
      'output s',
    ].join('\n'),
  );

  it("passes the right multipliers of jaxopt's cos fixed point at θ = π/2 and JAX's custom_root test", () => {
    for (const program of [jaxoptCos, customRoot]) {
      const r = verify(program);
      for (const c of r.checks) expect(c.value, `${c.name} at ${c.label}`).toBeLessThanOrEqual(c.tolerance);
      expect(r.ok).toBe(true);
    }
    // dx/dθ = 1 / (1 + sin x) = 1/2 at x = π/2; dx_k/dy_k = 1 at the root x = y.
    expect(verify(jaxoptCos).lambda[0]).toBeCloseTo(0.5, 14);
    for (let k = 0; k < ys.length; k++) expect(verify(customRoot).lambda[k]).toBeCloseTo(1, 14);
  });

  it('still fails a multiplier moved by 1e-8 of its scale there, naming it', () => {
    for (const program of [jaxoptCos, customRoot]) {
      const g = grad(program, {}, { schedule: 'reverse' });
      for (const [name, i] of program.names) {
        const wrong = Float64Array.from(g.lambda);
        wrong[i] += 1e-8 * Math.max(Math.abs(wrong[i]), 1);
        const r = verify(program, {}, { multipliers: wrong, schedules: ['reverse', 'dense'] });
        expect(r.ok, name).toBe(false);
      }
    }
  });

  it('passes random cyclic programs, and fails each with one multiplier moved by 1e-8 of its component scale', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), fc.nat(), ({ program, at }, pick) => {
        const r = verify(program, at, { schedules: ['reverse', 'forward', 'dense', 'fd'] });
        for (const c of r.checks) expect(c.value, `${c.name} at ${c.label}`).toBeLessThanOrEqual(c.tolerance);
        const j = pick % program.size;
        const wrong = Float64Array.from(r.lambda);
        let scale = Math.abs(wrong[j]);
        for (const [start, end] of program.components())
          if (start <= j && j < end) for (let i = start; i < end; i++) scale = Math.max(scale, Math.abs(wrong[i]));
        wrong[j] += 1e-8 * Math.max(scale, 1);
        expect(verify(program, at, { multipliers: wrong, schedules: ['reverse', 'dense'] }).ok).toBe(false);
      }),
      { numRuns: 40 },
    );
  });

  it('at a kink reports finite differences as not applicable, with the one-sided differences, and no Infinity', async () => {
    const cases = [
      ['relu(x)', { x: 0 }, ['x']],
      ['max(x, y) + y', { x: 1, y: 1 }, ['x', 'y']],
      ['min(x, 2*y) + sin(z)', { x: 2, y: 1, z: 0.5 }, ['x', 'y']],
      // abs at 0 takes the partial 0, the mean of its sides: finite differences agree, no kink to report.
      ['abs(x) * y', { x: 0, y: 2 }, []],
    ] as const;
    for (const [expression, point, inputs] of cases) {
      const r = verify(parse(expression), point);
      const fd = r.checks.find((c) => c.name === 'finiteDifference')!;
      expect(r.ok, expression).toBe(true);
      expect(
        r.finiteDifference!.kinks.map((k) => r.program.label(k.input)),
        expression,
      ).toEqual(inputs);
      expect(fd.applicable).toBe(inputs.length < r.program.inputCount);
      if (inputs.length)
        expect(fd.detail).toMatch(/not differentiable along x \(one-sided differences -?\d\S* and -?\d\S*\).*: a kink/);
      expect(Number.isFinite(fd.value)).toBe(true);
    }
    const cli = await lagrad(['verify', 'relu(x)', '--at', 'x=0', '--json']);
    expect(cli.status).toBe(0);
    expect(cli.out).not.toMatch(/Infinity|NaN/);
    const fd = JSON.parse(cli.out).finiteDifference;
    expect(fd).toMatchObject({ applicable: false, maxError: null, kinks: [{ input: 'x', left: 0, right: 1 }] });
    const text = await lagrad(['verify', 'relu(x)', '--at', 'x=0']);
    expect(text.out).toMatch(
      /finite differences = λ_inputs\s+n\/a\s+1e-6\s+not applicable\s+x\s+not differentiable along x/,
    );
  });

  it('at a kink still fails a wrong multiplier, and still judges finite differences along the smooth inputs', () => {
    expect(verify(parse('relu(x)'), { x: 0 }, { multipliers: { x: 0.3 } }).ok).toBe(false);
    registerPrimitive({ name: 'badrelu', arity: 1, value: 'a > 0 ? a : 0', partials: ['a > 0 ? 1 : 5'] });
    const bad = verify(parse('badrelu(x)'), { x: 0 });
    expect(bad.ok).toBe(false);
    expect(bad.worst!.name).toBe('finiteDifference');
    registerPrimitive({ name: 'badcos', arity: 1, value: 'Math.cos(a)', partials: ['-1.001 * Math.sin(a)'] });
    const mixed = verify(parse('relu(x) + badcos(y)'), { x: 0, y: 0.5 });
    expect(mixed.ok).toBe(false);
    expect(mixed.worst).toMatchObject({ name: 'finiteDifference', label: 'y' });
  });

  it('never reports a schedule that throws anything but a LagradError as skipped: it fails the verification', () => {
    for (const error of [
      new InternalError(`schedule 'crash'`, 'counted 3 paths but enumerated 2'),
      new TypeError("Cannot read properties of undefined (reading 'length')"),
    ]) {
      const crash: Schedule = {
        name: 'crash',
        summary: 'throws',
        solve() {
          throw error;
        },
      };
      const table = new ScheduleTable().register(reverse).register(crash);
      const r = verify(lecture, {}, { table, schedules: ['reverse', 'crash'] });
      expect(r.schedules.crash.skipped).toBeUndefined();
      expect(r.schedules.crash.failed).toMatch(/^internal error: /);
      expect(r.schedules.crash.error).toBe(error);
      expect(r.ok).toBe(false);
      expect(r.worst).toMatchObject({ name: 'schedules', ok: false });
    }
    expect(new InternalError('x', 'y')).not.toBeInstanceOf(LagradError);
  });

  it('judges values solved to a looser tolerance against that tolerance', () => {
    const program = parse('input t = 0.5\nv = cos(v) + t\noutput v');
    const r = verify(
      program,
      {},
      { settings: { tolerance: 1e-6, primal: 'fixed-point' }, schedules: ['reverse', 'dense'] },
    );
    expect(r.tolerances.primal).toBe(1e-6);
    expect(r.kkt.primal).toBeGreaterThan(1e-12);
    expect(r.ok).toBe(true);
    expect(
      verify(
        program,
        {},
        {
          settings: { tolerance: 1e-6, primal: 'fixed-point' },
          schedules: ['reverse', 'dense'],
          tolerances: { primal: 1e-12 },
        },
      ).ok,
    ).toBe(false);
  });

  it('runs the README snippet as written', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = /## Verify[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)![1];
    const claims: [string, unknown, boolean][] = [];
    const body = block
      .split('\n')
      .map((line) => {
        const imports = /^import \{([^}]*)\} from 'lagrad';$/.exec(line);
        if (imports) return `const {${imports[1]}} = lagrad;`;
        const claim = /^(.*?);\s*\/\/\s*(true|false)\b/.exec(line);
        return claim ? `claims.push([${JSON.stringify(claim[1])}, ${claim[1]}, ${claim[2]}]);` : line;
      })
      .join('\n');
    new Function('lagrad', 'claims', body)(api, claims);
    expect(claims).toHaveLength(2);
    for (const [expression, actual, expected] of claims) expect(actual, expression).toBe(expected);
  });
});
