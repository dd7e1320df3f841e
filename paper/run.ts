// npm run paper [-- --quick] [--out DIR]: runs every experiment of the paper, writes the figures
// under DIR/figures/, the numbers into DIR/results.json, and renders DIR/paper.md from
// paper/paper.template.md (DIR defaults to paper/). --quick uses small sizes (CI, tests);
// --render only renders paper.md again from DIR/results.json (after editing the template's prose);
// --only claim3[,claim5] runs those experiments alone, into a temporary folder unless --out is given.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createContext, type Experiment } from './context.ts';
import { render } from './render.ts';
import { lectureClaim } from './experiments/c1-lecture.ts';
import { exponentialClaim } from './experiments/c2-exponential.ts';
import { lagrangeClaim } from './experiments/c3-lagrange.ts';
import { tradeoffClaim } from './experiments/c4-tradeoff.ts';
import { dualClaim } from './experiments/c5-dual.ts';
import { cyclicClaim } from './experiments/c6-cyclic.ts';
import { nlpClaim } from './experiments/c7-nlp.ts';
import { speedClaim } from './experiments/c8-speed.ts';

export const PAPER_DIR = fileURLToPath(new URL('.', import.meta.url));
export const experiments: readonly Experiment[] = [
  lectureClaim,
  exponentialClaim,
  lagrangeClaim,
  tradeoffClaim,
  dualClaim,
  cyclicClaim,
  nlpClaim,
  speedClaim,
];

export interface PaperOptions {
  readonly quick?: boolean;
  /** Where results.json, paper.md and figures/ go (default: paper/). */
  readonly outDir?: string;
  /** Only these experiments (ids): results.json holds them alone and paper.md is not rendered. */
  readonly only?: readonly string[];
  readonly log?: (line: string) => void;
}

/** Runs the experiments and renders the paper; returns the results. */
export async function buildPaper(options: PaperOptions = {}): Promise<Record<string, unknown>> {
  const started = performance.now();
  const quick = options.quick ?? false;
  const outDir = options.outDir ?? PAPER_DIR;
  const log = options.log ?? ((line: string) => console.log(line));
  const unknown = options.only?.filter((id) => !experiments.some((e) => e.id === id)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `paper: no experiment ${unknown.join(', ')}; the experiments are ${experiments.map((e) => e.id).join(', ')}`,
    );
  mkdirSync(outDir, { recursive: true });
  const context = createContext(outDir, quick);
  const results: Record<string, unknown> = {};
  const seconds: Record<string, number> = {};
  for (const experiment of experiments) {
    if (options.only && !options.only.includes(experiment.id)) continue;
    const t = performance.now();
    results[experiment.id] = await experiment.run(context);
    seconds[experiment.id] = (performance.now() - t) / 1000;
    log(`${experiment.id.padEnd(8)} ${seconds[experiment.id].toFixed(1).padStart(6)} s  ${experiment.title}`);
  }
  const claims = experiments
    .filter((e) => results[e.id] !== undefined)
    .map((e) => ({
      id: e.id,
      title: e.title,
      ...(results[e.id] as { supported: boolean; verdict: string; criterion: string }),
    }));
  const unsupported = claims.filter((c) => !c.supported);
  results.summary = {
    supported: claims.length - unsupported.length,
    claims: claims.length,
    verdicts: claims
      .map((c) => `- **${c.title}** — ${c.supported ? 'supported' : '**not supported**'}: ${c.verdict}.`)
      .join('\n'),
    criteria: claims.map((c) => `- ${c.title}: ${c.criterion}.`).join('\n'),
    unsupported:
      unsupported.length === 0
        ? 'None: every experiment supported its claim at the sizes run.'
        : unsupported.map((c) => `- ${c.title}: ${c.verdict} (criterion: ${c.criterion}).`).join('\n'),
  };
  const total = (performance.now() - started) / 1000;
  results.meta = {
    mode: quick ? 'quick' : 'full',
    command: quick ? 'npm run paper -- --quick' : 'npm run paper',
    seconds: Number(total.toFixed(1)),
    experimentSeconds: Object.fromEntries(Object.entries(seconds).map(([k, s]) => [k, Number(s.toFixed(1))])),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
  writeFileSync(join(outDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  const template = readFileSync(join(PAPER_DIR, 'paper.template.md'), 'utf8');
  if (!options.only) writeFileSync(join(outDir, 'paper.md'), render(template, results));
  log(
    `paper: ${total.toFixed(1)} s (${quick ? 'quick' : 'full'} mode) → ${join(outDir, options.only ? 'results.json' : 'paper.md')}`,
  );
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const args = process.argv.slice(2);
    const value = (flag: string) => {
      const k = args.indexOf(flag);
      return k >= 0 ? args[k + 1] : undefined;
    };
    const stray = args.filter(
      (a, k) => !['--quick', '--render', '--out', '--only'].includes(a) && !['--out', '--only'].includes(args[k - 1]),
    );
    if (stray.length > 0)
      throw new Error(
        `unknown argument '${stray[0]}'; usage: npm run paper [-- --quick] [--out DIR] [--only claimN,…] [--render]`,
      );
    const only = value('--only')?.split(',');
    // One experiment alone never overwrites the paper's results: it writes to a temporary folder unless told.
    const outDir = value('--out') ?? (only ? join(tmpdir(), 'lagrad-paper') : PAPER_DIR);
    if (args.includes('--render')) {
      const results = JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8'));
      writeFileSync(
        join(outDir, 'paper.md'),
        render(readFileSync(join(PAPER_DIR, 'paper.template.md'), 'utf8'), results),
      );
      console.log(
        `paper: rendered ${join(outDir, 'paper.md')} from results.json (${results.meta.mode} mode, no experiment run)`,
      );
    } else {
      await buildPaper({ quick: args.includes('--quick'), outDir, only });
    }
  } catch (e) {
    // One line, as the CLI reports errors; the stack only when asked (LAGRAD_PAPER_STACK=1).
    console.error(process.env.LAGRAD_PAPER_STACK ? e : `paper: ${(e as Error).message.replace(/^paper: /, '')}`);
    process.exitCode = 1;
  }
}
