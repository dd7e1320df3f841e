import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the tarball
// installed into a fresh project with --omit=dev (offline: from the tarball and the npm cache), then
// an ES module import, a require, TypeScript consumers under strict flags, and the executable.

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work = '';
let app = '';
let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };

const run = (file: string, args: string[], input?: string) =>
  spawnSync(file, args, { cwd: app, encoding: 'utf8', input, timeout: 30_000 });

function bytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytes(path) : entry.isFile() ? statSync(path).size : 0;
  }
  return total;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'lagrad-package-'));
  const out = execFileSync(npm, ['pack', '--json', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  packed = JSON.parse(out.slice(out.indexOf('[')))[0];
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync(
    npm,
    [
      'install',
      join(work, packed.filename),
      '--omit=dev',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: app, stdio: 'pipe' },
  );
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the compiled library, its declarations, the README and the LICENSE, and nothing else', () => {
    const paths = packed.files.map((f) => f.path);
    for (const path of [
      'LICENSE',
      'README.md',
      'package.json',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/core.js',
      'dist/src/frontend/ops.js',
      'dist/bin/lagrad.js',
    ])
      expect(paths).toContain(path);
    expect(paths.filter((p) => !/^(dist\/.*\.(js|d\.ts)|LICENSE|README\.md|package\.json)$/.test(p))).toEqual([]);
    // The executable is one bundled file; the CLI's modules are not shipped a second time.
    expect(paths.filter((p) => p.startsWith('dist/src/cli/'))).toEqual([]);
    expect(packed.size).toBeLessThan(1_000_000);
  });

  it('installs for production as the library and its one dependency, well under 10 MB', () => {
    const installed = readdirSync(join(app, 'node_modules')).filter((name) => !name.startsWith('.'));
    for (const heavy of ['tsx', 'esbuild', 'vega', 'vega-lite', 'cli-progress', 'typescript'])
      expect(installed).not.toContain(heavy);
    expect(installed).toContain('ml-matrix');
    expect(bytes(join(app, 'node_modules'))).toBeLessThan(10 * 2 ** 20);
  });
});

describe('the installed package', () => {
  it('imports as an ES module, with the lagrad/ops and lagrad/core subpaths', () => {
    writeFileSync(
      join(app, 'esm.mjs'),
      `import { parse, grad, trace } from 'lagrad';
import { mul, sin } from 'lagrad/ops';
import * as core from 'lagrad/core';
const r = grad(parse('x * sin(y)'), { x: 2, y: 0.5 });
const t = grad(trace(({ x, y }) => mul(x, sin(y)), { x: 2, y: 0.5 }));
const c = core.grad(core.parse('x * sin(y)'), { x: 2, y: 0.5 }, { schedule: core.forward });
console.log(JSON.stringify([r.value, r.gradient, t.gradient, c.gradient]));`,
    );
    const r = run(process.execPath, ['esm.mjs']);
    expect(r.stderr).toBe('');
    const [value, g, t, c] = JSON.parse(r.stdout);
    expect(value).toBeCloseTo(2 * Math.sin(0.5), 15);
    expect(g).toEqual({ x: Math.sin(0.5), y: 2 * Math.cos(0.5) });
    expect(t).toEqual(g);
    expect(c.y).toBeCloseTo(g.y, 15);
  }, 30_000);

  it('loads with require (Node’s require of an ES module, no second copy)', () => {
    writeFileSync(
      join(app, 'cjs.cjs'),
      `const { parse, grad } = require('lagrad');\nconsole.log(JSON.stringify(grad(parse('x*y'), { x: 2, y: 3 }).gradient));`,
    );
    const r = run(process.execPath, ['cjs.cjs']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ x: 3, y: 2 });
  }, 30_000);

  it('type-checks a TypeScript consumer from the declarations (bundler, node16, nodenext; strict flags)', () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { parse, grad, evaluate, trace, ProgramBuilder, verify, LagradError, valueAndGrad, jvp, vjp, jacobian, type GradResult, type Program, type Point, type Value } from 'lagrad';
import * as core from 'lagrad/core';
import { add, mul, sin } from 'lagrad/ops';

const program: Program = parse('z + sin(x^2 + y*exp(z))');
const r: GradResult = grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'reverse' });
export const gx: Value | undefined = r.gradient['x'];
export const scalar: number = r.gradient['x'] as number;
export const value: number = evaluate(program, { x: 2, y: -1, z: 0 });
const f = trace(({ x, y }) => add(mul(x!, y!), sin(x!)), { x: 1, y: 2 });
export const traced: number = grad(f).value;
const b = new ProgramBuilder();
const v = b.input('x', 0.5);
export const ok: boolean = verify(b.output(b.apply('sin', v)).build()).ok;
export const where: string = new LagradError('here', 'what').where;
export const vg: (at?: Point) => { readonly value: number; readonly gradient: Record<string, Value> } = valueAndGrad(program);
export const directional: Float64Array = jvp(program, { x: 2, y: -1, z: 0 }, { x: 1 }).tangents;
export const rows: readonly Float64Array[] = jacobian(program, [2, -1, 0] as const).rows;
export const pulled: Value | undefined = vjp(program, { x: 2, y: -1, z: 0 }, [1]).gradient['y'];
export const lean: number = core.grad(core.parse('x*y'), { x: 1, y: 2 }, { schedule: core.forward }).value;
`,
    );
    for (const [resolution, module] of [
      ['bundler', 'esnext'],
      ['node16', 'node16'],
      ['nodenext', 'nodenext'],
    ]) {
      const compilerOptions = {
        module,
        moduleResolution: resolution,
        target: 'ES2022',
        lib: ['ES2022'],
        types: [],
        strict: true,
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: false,
      };
      writeFileSync(
        join(app, `tsconfig.${resolution}.json`),
        JSON.stringify({ compilerOptions, files: ['consumer.ts'] }),
      );
      const r = run(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`]);
      expect(`${resolution}: ${r.stdout}${r.stderr}`).toBe(`${resolution}: `);
      expect(r.status).toBe(0);
    }
  }, 60_000);

  it('runs the lagrad executable: compiled JavaScript, one line for an error, a note for a missing optional package', () => {
    const bin = join(app, 'node_modules', '.bin', process.platform === 'win32' ? 'lagrad.cmd' : 'lagrad');
    // One file: no module of the package is loaded beside it (the optional packages are imported by name).
    expect(readFileSync(join(app, 'node_modules', 'lagrad', 'dist', 'bin', 'lagrad.js'), 'utf8')).not.toMatch(
      /(from|import\()\s*["']\.\.?\//,
    );
    expect(run(bin, ['--version']).stdout).toBe(
      `${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}\n`,
    );
    const ok = run(bin, ['grad', 'x * y', '--at', 'x=3,y=4', '--json']);
    expect(ok.stderr).toBe('');
    expect(JSON.parse(ok.stdout).gradient).toEqual({ x: 4, y: 3 });
    expect(run(bin, ['eval', '-'], 'input x = 2\na = x^2\noutput a\n').stdout).toBe('4\n');
    const bad = run(bin, ['grad', 'log(x)', '--at', 'x=-1']);
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([
      1,
      '',
      'lagrad: expression:1:1: log(-1) = NaN: not a finite number\n',
    ]);
    const svg = run(bin, ['tradeoff', '--chain', '10', '--svg', 'curve.svg']);
    expect(svg.status).toBe(1);
    expect(svg.stderr).toBe(
      'lagrad: plotting: needs the optional packages vega and vega-lite: npm install vega vega-lite\n',
    );
  }, 30_000);

  it.runIf(process.platform !== 'win32')(
    'ends quietly when its reader goes away (| true), with its own exit status',
    () => {
      const bin = join(app, 'node_modules', '.bin', 'lagrad');
      const cases = [
        [['grad', 'x * sin(y)', '--at', 'x=1,y=2', '--multipliers'], 0, ''],
        [['eval', 'p.lag', '--values', '--at', 'x=-1'], 1, "lagrad: p.lag:3:5: 'b' = log(-1) = NaN"],
      ] as const;
      writeFileSync(join(app, 'p.lag'), 'input x\na = 2 * x\nb = log(x)\noutput b\n');
      for (const [argv, status, err] of cases) {
        const r = run('bash', ['-c', '"$0" "$@" | true; exit ${PIPESTATUS[0]}', bin, ...argv]);
        expect([r.status, r.stderr.slice(0, err.length)]).toEqual([status, err]);
        expect(r.stderr.split('\n').length).toBeLessThanOrEqual(2);
      }
    },
    30_000,
  );

  it.runIf(process.platform === 'linux' && spawnSync('script', ['--version']).status === 0)(
    'says that it waits when standard input is a terminal',
    () => {
      const bin = join(app, 'node_modules', '.bin', 'lagrad');
      const r = spawnSync('script', ['-qec', `"${bin}" eval -`, '/dev/null'], {
        cwd: app,
        encoding: 'utf8',
        input: '',
        timeout: 30_000,
      });
      expect(r.stdout).toMatch(/^lagrad: reading the program from standard input; end it with Ctrl-D\r?\n/);
    },
    30_000,
  );
});
