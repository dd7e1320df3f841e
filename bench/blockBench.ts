import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg } from '../src/cli/plot.ts';
import { blockPanel, blockReport, blockTargets, type BlockTarget } from './blockReport.ts';
import type { MeasureOptions } from './harness.ts';
import { benchMatmul, benchMlp, BLOCK_WORKLOADS, type BlockRow, type MatmulRow } from './mlp.ts';
import type { TF } from './tfjs.ts';

// The block part of the benchmark (issue 12) in one call, so that `bench/main.ts` (after its
// scalar workloads) and `bench/blocksMain.ts` (on its own) run the same thing: the MLP workloads and the
// matrix product, their tables and targets on standard output, blocks.json and blocks.svg in `out`
// (files of their own beside results.json and results.svg).

/** The MLP networks and the matrix product, in the order they run. */
export const BLOCK_BENCHES = [...BLOCK_WORKLOADS, 'matmul'] as const;

export interface BlockBenchSettings {
  /** TF.js with its CPU backend, or null to leave it out. */
  readonly tf: TF | null;
  readonly runs: number;
  /** Shrinks the large network and the product so a CI run stays quick; targets are then not judged. */
  readonly smoke: boolean;
  readonly seed: number;
  /** Where blocks.json and blocks.svg go. */
  readonly out: string;
  /** A subset of BLOCK_BENCHES; all of them by default. */
  readonly which?: readonly string[];
}

export interface BlockBenchResult {
  readonly mlp: BlockRow[];
  readonly matmul: MatmulRow[];
  readonly targets: BlockTarget[];
  /** One line per system whose result disagreed with lagrad's (it was not timed). */
  readonly failed: string[];
}

/** Checks `which` against BLOCK_BENCHES: the message of the first name that is not one, or null. */
export function unknownBlockBench(which: readonly string[]): string | null {
  const bad = which.find((w) => !(BLOCK_BENCHES as readonly string[]).includes(w));
  return bad === undefined ? null : `'${bad}' is not one of ${BLOCK_BENCHES.join(', ')}`;
}

/** Runs the chosen block benchmarks, prints their tables and targets, writes blocks.json and blocks.svg. */
export async function blockBench(settings: BlockBenchSettings): Promise<BlockBenchResult> {
  const { tf, runs, smoke, seed, out } = settings;
  const which = settings.which ?? BLOCK_BENCHES;
  const options: MeasureOptions = { warmup: 1, runs, budgetMs: smoke ? 2000 : 15000 };
  const mlp: BlockRow[] = [];
  for (const workload of BLOCK_WORKLOADS.filter((w) => which.includes(w))) {
    console.error(`lagrad bench: ${workload}`);
    mlp.push(...benchMlp(workload, tf, options, smoke, seed));
  }
  let matmul: MatmulRow[] = [];
  if (which.includes('matmul')) {
    console.error('lagrad bench: matrix product');
    matmul = benchMatmul(tf, options, smoke, seed);
  }
  const targets = blockTargets(mlp, matmul);
  console.log(blockReport(mlp, matmul, runs, targets));

  mkdirSync(out, { recursive: true });
  const results = {
    date: new Date().toISOString(),
    settings: { seed, ...options, smoke, which },
    mlp,
    matmul,
    targets,
  };
  writeFileSync(join(out, 'blocks.json'), JSON.stringify(results, null, 2) + '\n');
  if (mlp.some((r) => r.timing)) {
    const panel = blockPanel(mlp);
    writeFileSync(
      join(out, 'blocks.svg'),
      await renderSvg({ $schema: 'https://vega.github.io/schema/vega-lite/v5.json', background: 'white', ...panel }),
    );
  }
  console.error(`lagrad bench: wrote ${join(out, 'blocks.json')}${mlp.some((r) => r.timing) ? ' and blocks.svg' : ''}`);
  const failed = [
    ...mlp.filter((r) => !r.checked).map((r) => `${r.system} ${r.mode} on ${r.network}`),
    ...matmul.filter((r) => !r.checked).map((r) => `${r.system} ${r.product}`),
  ];
  return { mlp, matmul, targets, failed };
}
