// `npm run build` (also run by `prepare`): the library as ES modules with declarations (tsc, into
// dist/src and dist/solvers), and the `lagrad` executable as one bundled file (esbuild, dist/bin):
// a single file starts several times faster than the tree of modules it is made of (minified: the
// CLI prints errors as one line, never a stack trace, so nothing needs its original names).
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// ml-matrix is bundled into the executable, so its license goes with it. The optional packages
// (plots, progress bars, Graphviz) stay outside: they load from node_modules when installed.
const mlMatrixLicense = readFileSync(join(dirname(require.resolve('ml-matrix')), 'LICENSE'), 'utf8').trim();
await build({
  entryPoints: [fileURLToPath(new URL('../src/cli/bin.ts', import.meta.url))],
  outfile: fileURLToPath(new URL('../dist/bin/lagrad.js', import.meta.url)),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  external: ['vega', 'vega-lite', 'cli-progress', '@viz-js/viz'],
  footer: {
    js: `/*! The lagrad executable bundles ml-matrix (https://github.com/mljs/matrix):\n${mlMatrixLicense}\n*/`,
  },
  logLevel: 'warning',
});
