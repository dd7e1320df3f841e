// `npm run bench:blocks`: the block workloads alone (they also run at the end of `npm run bench`):
// an MLP's gradient by lagrad, a hand-written Float64Array pass and TF.js CPU at two sizes, and one
// matrix product in GFLOP/s. Prints the tables and targets, writes blocks.json and blocks.svg.
//
//   npm run bench:blocks                                 every block workload, results in bench/
//   npm run bench:blocks -- --smoke                      small sizes, results in a temporary folder
//   npm run bench:blocks -- --blocks mlp-iris,matmul --runs 5 --no-tfjs --out DIR
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { blockBench, unknownBlockBench } from './blockBench.ts';
import { SEED } from './memory.ts';
import { loadTf } from './tfjs.ts';

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    blocks: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
    'no-tfjs': { type: 'boolean', default: false },
  },
});
const smoke = flags.smoke!;
const which = flags.blocks?.split(',');
const unknown = which ? unknownBlockBench(which) : null;
if (unknown) fail(`--blocks: ${unknown}`);
const runs = flags.runs ? Number(flags.runs) : smoke ? 2 : 15;
if (!(Number.isInteger(runs) && runs >= 1)) fail('--runs: a positive integer');
const out = flags.out ?? (smoke ? join(tmpdir(), 'lagrad-bench-smoke') : fileURLToPath(new URL('.', import.meta.url)));

const tf = flags['no-tfjs'] ? null : await loadTf();
const { failed } = await blockBench({ tf, runs, smoke, seed: SEED, out, which });
if (failed.length > 0) fail(`${failed.length} result(s) disagree with lagrad's: ${failed.join(', ')}`);
