import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lagrad } from './helpers/cli.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('lagrad grad and eval (DESIGN §7)', () => {
  it('prints the lecture gradient as JSON in full precision', async () => {
    const r = await lagrad(['grad', 'z + sin(x^2 + y*exp(z))', '--at', 'x=2,y=-1,z=0', '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.out);
    // 0.14112000805986… = sin 3; the gradient is (4 cos 3, cos 3, 1 − cos 3).
    expect(out.value).toBe(0.1411200080598672);
    expect(out.gradient).toEqual({ x: -3.9599699864017817, y: -0.9899924966004454, z: 1.9899924966004454 });
    expect(out.schedule).toBe('reverse');
    expect(out.stats).toMatchObject({ primitiveEvaluations: 6, partialEvaluations: 6, sweeps: 2 });
    expect(out.multipliers).toBeUndefined();
  });
  it('adds every named multiplier under --multipliers, for each schedule', async () => {
    const file = {
      'l.lag':
        'input x = 2\ninput y = -1\ninput z = 0\na = x^2\nb = exp(z)\nc = y * b\nd = a + c\ne = sin(d)\ng = z + e\noutput g\n',
    };
    for (const schedule of ['reverse', 'forward']) {
      const r = await lagrad(['grad', 'l.lag', '--multipliers', '--json', '--schedule', schedule], file);
      const m = JSON.parse(r.out).multipliers;
      expect(Object.keys(m)).toEqual(['x', 'y', 'z', 'a', 'b', 'c', 'd', 'e', 'g']);
      expect(m.e).toBe(1);
      expect(m.d).toBeCloseTo(Math.cos(3), 15);
      expect(m.b).toBeCloseTo(-Math.cos(3), 15);
    }
  });
  it('prints a readable table without --json', async () => {
    const r = await lagrad(['grad', 'x * y', '--at', 'x=3,y=4', '--multipliers']);
    expect(r.out).toMatch(/^value +12\nschedule +reverse\ngradient\n {2}x +4\n {2}y +3\n/);
  });
  it('evaluates, with every named value on request', async () => {
    expect((await lagrad(['eval', 'x^2', '--at', 'x=3'])).out).toBe('9\n');
    const r = await lagrad(['eval', 'p.lag', '--values', '--json'], { 'p.lag': 'input x = 3\na = x^2\noutput a' });
    expect(JSON.parse(r.out)).toEqual({ value: 9, values: { x: 3, a: 9 } });
  });
  it('runs as a process: the npm script, and bin.ts through tsx (the installed executable: package.test.ts)', () => {
    const viaScript = execFileSync(
      'npm',
      ['run', '-s', 'lagrad', '--', 'grad', 'z + sin(x^2 + y*exp(z))', '--at', 'x=2,y=-1,z=0', '--json'],
      { cwd: root, encoding: 'utf8' },
    );
    expect(JSON.parse(viaScript).gradient.x).toBe(-3.9599699864017817);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', 'grad', 'log(x)', '--at', 'x=-1'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toBe('lagrad: expression:1:1: log(-1) = NaN: not a finite number\n');
  }, 30_000);
});
