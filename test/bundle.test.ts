import { build, type Metafile } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// lagrad in a browser bundle (esbuild, the way an application bundles it): no Node built-ins,
// only the schedules the application imports, and (with the interpreted kernels) no code generated
// from strings, so it runs under a Content-Security-Policy without 'unsafe-eval'.

const root = fileURLToPath(new URL('..', import.meta.url));

async function bundle(contents: string): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'app.ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    minify: true,
    metafile: true,
    logLevel: 'silent',
  });
  const meta: Metafile = result.metafile!;
  const output = Object.values(meta.outputs)[0];
  return { code: result.outputFiles![0].text, inputs: Object.keys(output.inputs) };
}

const OTHER_SCHEDULES = [
  'solvers/forward.ts',
  'solvers/dense.ts',
  'solvers/paths.ts',
  'solvers/fd.ts',
  'solvers/iterative/',
  'solvers/dual.ts',
  'solvers/checkpoint/',
  'solvers/schedules.ts',
];

describe('a browser bundle', () => {
  it('of parse + grad from lagrad/core: no Node built-ins, only the reverse schedule', async () => {
    const { code, inputs } = await bundle(
      `import { parse, grad } from './src/core.ts';\nconsole.log(grad(parse('x * sin(y)'), { x: 2, y: 0.5 }).gradient);`,
    );
    expect(inputs.filter((i) => i.startsWith('node:') || /^(fs|path|os|util|module|child_process)$/.test(i))).toEqual(
      [],
    );
    expect(inputs).toContain('solvers/reverse.ts');
    for (const schedule of OTHER_SCHEDULES) expect(inputs.filter((i) => i.startsWith(schedule))).toEqual([]);
    expect(inputs.filter((i) => i.startsWith('src/cli/') || i === 'src/api/verify.ts')).toEqual([]);
    expect(code).not.toMatch(/revolve|store-all|sum over all paths/);
    expect(code.length).toBeLessThan(200_000);
  });

  it('keeps a schedule the application imports, and only that one', async () => {
    const { inputs } = await bundle(
      `import { parse, grad, forward } from './src/core.ts';\nconsole.log(grad(parse('x * y'), { x: 2, y: 3 }, { schedule: forward }).gradient);`,
    );
    expect(inputs).toContain('solvers/forward.ts');
    for (const schedule of OTHER_SCHEDULES.filter((s) => s !== 'solvers/forward.ts'))
      expect(inputs.filter((i) => i.startsWith(schedule))).toEqual([]);
  });

  it('of the package root: no Node built-ins either (every schedule, by name)', async () => {
    const { inputs } = await bundle(
      `import { parse, grad } from './src/index.ts';\nconsole.log(grad(parse('x * y'), { x: 2, y: 3 }, { schedule: 'paths' }).gradient);`,
    );
    expect(inputs.filter((i) => i.startsWith('node:'))).toEqual([]);
    expect(inputs).toContain('solvers/paths.ts');
  });

  it('runs where code generation from strings is forbidden (a page whose CSP lacks unsafe-eval): the interpreted sweeps', async () => {
    const app = `import { parse, grad, jvp, codeGenerationAllowed } from './src/core.ts';
const p = parse('z + sin(x^2 + y*exp(z))');
const r = grad(p, { x: 2, y: -1, z: 0 });
console.log(JSON.stringify({ generated: codeGenerationAllowed(), value: r.value, gradient: r.gradient, tangent: jvp(p, { x: 2, y: -1, z: 0 }, { x: 1 }).tangents[0] }));`;
    const { code, inputs } = await bundle(app);
    expect(
      inputs.filter(
        (i) =>
          i.startsWith('solvers/') &&
          i !== 'solvers/reverse.ts' &&
          i !== 'solvers/auto.ts' &&
          i !== 'solvers/forward.ts',
      ),
    ).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'lagrad-bundle-'));
    try {
      writeFileSync(join(dir, 'app.mjs'), code);
      const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', join(dir, 'app.mjs')], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.stderr).toBe('');
      const out = JSON.parse(r.stdout);
      expect(out.generated).toBe(false);
      // f = z + sin(x² + y e^z) at (2, −1, 0): sin 3, and ∇f = (1 − cos 3, 4 cos 3, cos 3) for (z, x, y).
      expect(out.value).toBeCloseTo(Math.sin(3), 15);
      expect(out.gradient.z).toBeCloseTo(1 - Math.cos(3), 15);
      expect(out.gradient.x).toBeCloseTo(4 * Math.cos(3), 15);
      expect(out.gradient.y).toBeCloseTo(Math.cos(3), 15);
      expect(out.tangent).toBeCloseTo(4 * Math.cos(3), 15);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
