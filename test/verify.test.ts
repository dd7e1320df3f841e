import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absoluteAdjoint, localPartials } from '../src/lagrangian/kkt.ts';
import { grad, parse, parseProgram, ProgramBuilder, registerPrimitive, resolveWeights, schedules, ScheduleTable, verify, type Schedule } from '../src/index.ts';

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
        const mu = absoluteAdjoint(p.program, localPartials(p.program, g.values), resolveWeights(p.program, undefined, p.weights));
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
    const { status, out, err } = await lagrad(['verify', 'examples/lecture.lag'], { 'examples/lecture.lag': lectureText });
    expect(err).toBe('');
    expect(status).toBe(0);
    // The constraints with their values and multipliers …
    expect(out).toMatch(/a\s+square\(x\)\s+4\s+-0\.9899924966004454/);
    expect(out).toMatch(/e\s+sin\(d\)\s+0\.1411200080598672\s+1\s/);
    // … the schedules' gradients, the checks with their tolerances, and the verdict.
    for (const s of ['reverse', 'forward', 'dense', 'paths', 'fd']) expect(out).toMatch(new RegExp(`^  ${s} +-3\\.9599699`, 'm'));
    expect(out).toMatch(/dual KKT: \(I − J\)ᵀλ = w\s+0\s+1\.0e-12\s+ok/);
    expect(out).toMatch(/finite differences = λ_inputs\s+\S+\s+1\.0e-6\s+ok/);
    expect(out).toMatch(/^verified: /m);
  });

  it('--json prints the documented object', async () => {
    const { status, out } = await lagrad(['verify', 'examples/lecture.lag', '--json'], { 'examples/lecture.lag': lectureText });
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
    const p = spawnSync('npx', ['tsx', 'src/cli/bin.ts', 'verify', 'examples/lecture.lag'], { encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)) });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(p.stdout).toMatch(/^verified: /m);
  }, 30_000);
});
