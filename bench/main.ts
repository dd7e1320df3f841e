// `npm run bench`: lagrad against a hand-written tape, a micrograd-style object graph and TF.js
// (CPU), side by side in one process on the same programs; then build and parse costs and the
// memory probe. Prints tables, writes results.json and results.svg (time per variable and the
// ratio to the tape against N, log–log, one panel per workload).
//
//   npm run bench                      the full run (N = 10⁴ … 10⁷, three workloads), results in bench/
//   npm run bench -- --smoke           tiny sizes, results in a temporary folder (CI)
//   npm run bench -- --workloads near,layered --sizes 1e4,1e5 --no-tfjs --no-memory --no-parse --runs 3 --out DIR
//   npm run bench -- --workloads none --no-memory      the lecture function, build and parse only
//   npm run bench -- --no-compiled --no-checkpoint      without the compiled schedule's rows (bench/compiled.ts) or checkpointing's (bench/checkpoint.ts)
//   npm run bench -- --no-rnn                            without the RNN rows (bench/rnn.ts: reverse, revolve and TF.js on an Elman network)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluate, grad, parseProgram } from '../src/index.ts';
import { lectureDag, randomDag, workloadDag, WORKLOADS, type Dag, type Workload } from './dag.ts';
import { batchSize, measure, sideBySide, type MeasureOptions, type Timing } from './harness.ts';
import { checkpointOverhead } from './checkpoint.ts';
import { compiledBench, lectureBench, type CompiledRow } from './compiled.ts';
import { buildProgram, ByNameRunner, LagradRunner } from './lagrad.ts';
import { INPUTS, SEED } from './memory.ts';
import { nameTableBaseline, parseTexts } from './parsing.ts';
import { plotSvg } from './plot.ts';
import {
  exp10,
  range,
  report,
  targets,
  type BuildRow,
  type Measured,
  type MemoryResult,
  type ParseRow,
  type Reach,
  type Row,
} from './report.ts';
import { rnnBench, rnnTable } from './rnn.ts';
import { deqBench, deqReport } from './deq.ts';
import { relativeError, runners, type Mode, type Runner, type Selection } from './systems.ts';
import { loadTf, type TF } from './tfjs.ts';
import { blockBench, unknownBlockBench } from './blockBench.ts';

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    blocks: { type: 'string' },
    sizes: { type: 'string' },
    workloads: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
    'no-tfjs': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    'no-parse': { type: 'boolean', default: false },
    'no-compiled': { type: 'boolean', default: false },
    'no-checkpoint': { type: 'boolean', default: false },
    'no-rnn': { type: 'boolean', default: false },
  },
});

const smoke = flags.smoke!;
const sizes = flags.sizes ? flags.sizes.split(',').map(Number) : smoke ? [1e3, 1e4] : [1e4, 1e5, 1e6, 1e7];
if (!sizes.every((n) => Number.isInteger(n) && n > INPUTS))
  fail(`--sizes: every size must be an integer above ${INPUTS}`);
const workloads = (
  flags.workloads === 'none' ? [] : flags.workloads ? flags.workloads.split(',') : [...WORKLOADS]
) as Workload[];
for (const w of workloads)
  if (!WORKLOADS.includes(w)) fail(`--workloads: '${w}' is not one of ${WORKLOADS.join(', ')}`);
const runs = flags.runs ? Number(flags.runs) : smoke ? 2 : 15;
if (!(Number.isInteger(runs) && runs >= 1)) fail('--runs: a positive integer');
const out = flags.out ?? (smoke ? join(tmpdir(), 'lagrad-bench-smoke') : fileURLToPath(new URL('.', import.meta.url)));
/** micrograd and TF.js run on the `far` workload only (their comparison is per variable and does not depend on the shape), up to these sizes. */
const limits = smoke
  ? { micrograd: 1e4, tfjs: 1e3, forwardMode: 1e4 }
  : { micrograd: 1e6, tfjs: 1e5, forwardMode: 1e7 };
const parseSize = smoke ? 1e4 : 1e6;
const memorySize = smoke ? 1e5 : 1e7;
/** The compiled schedule's sizes (issue 14 step 3 states its target on 10²–10⁵ constraints), and its warm-up: at most this many calls or this long. */
const compiledSizes = smoke ? [1e3] : [1e2, 1e3, 3e3, 1e4, 1e5];
const compiledWarmup = smoke ? { warmup: 100, warmupBudgetMs: 300 } : { warmup: 3000, warmupBudgetMs: 30_000 };
/** Chains for checkpointing's overhead (revolve with 100 slots against reverse). */
const checkpointSteps = smoke ? [1e3] : [1e6, 1e7];
const options: MeasureOptions = { warmup: 1, runs, budgetMs: smoke ? 2000 : 10000 };
/** Parsing 10⁶ lines takes seconds: fewer rounds. */
const parseOptions: MeasureOptions = { warmup: 1, runs: Math.min(runs, smoke ? 2 : 7), budgetMs: smoke ? 2000 : 12000 };

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

/**
 * Checks every runner against lagrad's result first; those that agree are then timed side by side.
 * `perCall`: fast calls, timed in batches and reported per call (the lecture function).
 */
function bench(
  workload: string,
  dag: Dag,
  lagrad: LagradRunner,
  tf: TF | null,
  selected: Selection,
  perCall: boolean,
): { rows: Row[]; reached: number } {
  const list = runners(dag, lagrad, tf, selected);
  const referenceValue = lagrad.value(dag.x);
  const referenceGradient = Float64Array.from(lagrad.gradient(dag.x));
  const reached = lagrad.reached();
  const errors = list.map((r) => {
    const result = r.run();
    return relativeError(
      typeof result === 'number' ? result : Float64Array.from(result),
      r.mode === 'value' ? referenceValue : referenceGradient,
    );
  });
  // Groups, each timed side by side: lagrad with the tape, then each allocating system on its own,
  // whose garbage and heap growth (collected in the background too) would slow whatever runs next.
  const timings = new Map<Runner, Timing>();
  const groupOf = (r: Runner) => (r.system === 'micrograd' || r.system === 'tfjs' ? r.system : 'typed arrays');
  for (const name of ['typed arrays', 'micrograd', 'tfjs']) {
    const group = list.filter((r, k) => errors[k] <= r.tolerance && groupOf(r) === name);
    const fns = group.map((r) => () => void r.run());
    sideBySide(fns, options, perCall ? fns.map(batchSize) : undefined).forEach((t, k) => timings.set(group[k], t));
  }
  const tapeTime = (mode: Mode) => timings.get(list.find((r) => r.system === 'tape' && r.mode === mode)!)?.median;
  const rows = list.map((r, k) => {
    const checked = errors[k] <= r.tolerance;
    const timing = timings.get(r) ?? null;
    const nsPerVariable = timing ? (timing.median * 1e6) / dag.size : null;
    const tape = tapeTime(r.mode);
    const perTape = timing && tape ? timing.median / tape : null;
    const status = timing
      ? `${range(timing)} ${perCall ? 'ms/call' : 'ms'}`
      : `CHECK FAILED (error ${errors[k].toExponential(1)} > ${r.tolerance})`;
    console.error(`  ${workload} N=${exp10(dag.size)} ${r.system} ${r.mode}: ${status}`);
    return {
      workload,
      size: dag.size,
      system: r.system,
      mode: r.mode,
      error: errors[k],
      checked,
      timing,
      nsPerVariable,
      perTape,
    };
  });
  return { rows, reached };
}

/**
 * The lecture function, examples/lecture.lag (inputs x, y, z in the order of lectureDag), through
 * the public API — with arrays and a workspace, with the default call, and by name as users write
 * it — with lagrad's gradient checked against the closed form first.
 */
function lecture(tf: TF | null): Row[] {
  const dag = lectureDag();
  const program = parseProgram(readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8'), {
    file: 'lecture.lag',
  });
  const closedForm = [4 * Math.cos(3), Math.cos(3), 1 - Math.cos(3)];
  const g = grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'reverse' }).gradient as Record<string, number>;
  const error = relativeError(Float64Array.of(g.x, g.y, g.z), Float64Array.from(closedForm));
  if (!(error < 1e-14)) fail(`lecture: lagrad's gradient is off the closed form by ${error}`);
  if (evaluate(program, { x: 2, y: -1, z: 0 }) !== Math.sin(3)) fail('lecture: lagrad evaluate is not sin(3)');
  const selected = { micrograd: true, tfjs: true, forwardMode: true, byName: new ByNameRunner(program) };
  return bench('lecture', dag, new LagradRunner(program), tf, selected, true).rows;
}

/** bench/compiled.ts's rows on the selected workloads: tape, reverse and compiled per size, with compile time and break-even. */
function compiledRows(): CompiledRow[] {
  if (workloads.length === 0) return [];
  progress('compiled schedule');
  // A smoke run checks the code path on the first workload only (CI's time); the full run covers every workload.
  const chosen = Object.fromEntries(
    (smoke ? workloads.slice(0, 1) : workloads).map((w) => [w, (size: number) => workloadDag(w, size, INPUTS, SEED)]),
  );
  return compiledBench({
    workloads: chosen,
    sizes: compiledSizes,
    runs: smoke ? 1 : 7,
    ...compiledWarmup,
    log: (line) => console.error(`  ${line.replace('\n', '\n  ')}`),
  });
}

function buildCost(): BuildRow {
  const dag = randomDag(parseSize, INPUTS, SEED);
  const timing = measure(() => buildProgram(dag), options);
  const constraints = dag.size - dag.inputs;
  const row: BuildRow = {
    how: 'builder',
    constraints,
    timing,
    constraintsPerSecond: constraints / (timing.median / 1000),
  };
  console.error(
    `  build builder N=${exp10(constraints)}: ${range(timing)} ms, ${(row.constraintsPerSecond / 1e6).toFixed(2)} M constraints/s`,
  );
  return row;
}

/**
 * `parse` of the `far` workload as a `.lag` text, in order and with its constraint lines reversed
 * (every name then used before its definition), each beside the name-table baseline on the same
 * text, all four timed side by side. Both texts are checked against the builder's program first.
 */
function parseCosts(): ParseRow[] {
  const { inOrder, reversed } = parseTexts(parseSize, INPUTS, SEED);
  const dag = randomDag(parseSize, INPUTS, SEED);
  const reference = buildProgram(dag);
  const parsed = parseProgram(inOrder);
  const same =
    parsed.size === reference.size &&
    parsed.ops.every((op, i) => op === reference.ops[i]) &&
    parsed.parents.every((p, e) => p === reference.parents[e]);
  if (!same) fail('parse: the parsed .lag text is not the program the builder records');
  const backwards = parseProgram(reversed);
  if (backwards.size !== reference.size || evaluate(backwards, dag.x) !== evaluate(reference, dag.x))
    fail('parse: the reversed .lag text is not the same program');
  const [inOrderParse, inOrderBaseline, reversedParse, reversedBaseline] = sideBySide(
    [
      () => void parseProgram(inOrder),
      () => void nameTableBaseline(inOrder),
      () => void parseProgram(reversed),
      () => void nameTableBaseline(reversed),
    ],
    parseOptions,
  );
  const lines = inOrder.split('\n').length - 1;
  const rows: ParseRow[] = [
    {
      order: 'in order',
      lines,
      parse: inOrderParse,
      baseline: inOrderBaseline,
      ratio: inOrderParse.median / inOrderBaseline.median,
    },
    {
      order: 'reversed',
      lines,
      parse: reversedParse,
      baseline: reversedBaseline,
      ratio: reversedParse.median / reversedBaseline.median,
    },
  ];
  for (const r of rows)
    console.error(
      `  parse ${r.order} ${exp10(parseSize)} constraints: ${range(r.parse)} ms, baseline ${range(r.baseline)} ms, ratio ${r.ratio.toFixed(2)}`,
    );
  return rows;
}

/** Peak memory of reverse beyond the program: two child processes, the program alone and with reverse. */
function memory(size: number): MemoryResult {
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const probe = (mode: string) => {
    const node = [process.execPath, '--expose-gc', '--import', 'tsx', script, String(size), mode];
    const child = timeTool
      ? spawnSync(timeTool, ['-v', ...node], { encoding: 'utf8' })
      : spawnSync(node[0], node.slice(1), { encoding: 'utf8' });
    if (child.status !== 0)
      fail(`memory probe (${mode}) failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const report = JSON.parse(child.stdout.trim().split('\n').pop()!);
    const kbytes = /Maximum resident set size \(kbytes\): (\d+)/.exec(child.stderr);
    // Without /usr/bin/time, the child's own getrusage peak (the same ru_maxrss) stands in.
    const peakMiB = kbytes ? Number(kbytes[1]) / 1024 : report.peakAfterMiB;
    return { report, peakMiB };
  };
  const program = probe('program');
  const reverse = probe('reverse');
  const r = reverse.report;
  const result: MemoryResult = {
    size,
    tool: timeTool ? '/usr/bin/time -v' : 'getrusage (no /usr/bin/time)',
    programPeakMiB: program.peakMiB,
    reversePeakMiB: reverse.peakMiB,
    reverseBytesPerVariable: ((reverse.peakMiB - program.peakMiB) * 2 ** 20) / size,
    rssBytesPerVariable: ((r.rssAfterMiB - r.rssBeforeMiB) * 2 ** 20) / size,
    arrayBufferBytesPerVariable: ((r.arrayBuffersAfterMiB - r.arrayBuffersBeforeMiB) * 2 ** 20) / size,
    programBytes: r.programBytes,
    programBytesPerConstraint: r.programBytesPerConstraint,
  };
  console.error(
    `  memory N=${exp10(size)}: peak ${program.peakMiB.toFixed(0)} MiB (program) → ${reverse.peakMiB.toFixed(0)} MiB (reverse): ${result.reverseBytesPerVariable.toFixed(1)} B/variable`,
  );
  return result;
}

function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
  };
}

// The block workloads (bench/blockBench.ts; alone: npm run bench:blocks): --blocks mlp-iris,mlp-784,matmul or none.
const blocks = flags.blocks === 'none' ? [] : flags.blocks?.split(',');
if (blocks && unknownBlockBench(blocks)) fail(`--blocks: ${unknownBlockBench(blocks)}`);
const started = performance.now();
const tf = flags['no-tfjs'] ? null : await loadTf();
/** Progress on standard error, with the seconds since the start. */
const progress = (what: string) =>
  console.error(`lagrad bench: ${what} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
progress('lecture function');
const lectureRows = lecture(tf);
const rows: Row[] = [];
const reach: Reach[] = [];
for (const workload of workloads) {
  for (const size of sizes) {
    progress(`${workload} N=${exp10(size)}`);
    const dag = workloadDag(workload, size, INPUTS, SEED);
    const runner = new LagradRunner(buildProgram(dag));
    const far = workload === 'far';
    const selected = {
      micrograd: far && size <= limits.micrograd,
      tfjs: far && size <= limits.tfjs,
      forwardMode: size <= limits.forwardMode,
    };
    const result = bench(workload, dag, runner, tf, selected, false);
    rows.push(...result.rows);
    reach.push({ workload, size, fraction: result.reached });
  }
}
const compiled = flags['no-compiled'] ? [] : compiledRows();
const lectureCalls = flags['no-compiled']
  ? []
  : (progress('lecture function, default and compiled calls'), lectureBench(smoke ? 1 : runs, smoke ? 500 : 5000));
if (!flags['no-checkpoint']) progress('checkpointing overhead');
const checkpoint = flags['no-checkpoint']
  ? []
  : checkpointOverhead({
      steps: checkpointSteps,
      snapshots: 100,
      runs: smoke ? 1 : 5,
      log: (line) => console.error(`  ${line.replace('\n', '\n  ')}`),
    });
progress('build and parse');
const build = buildCost();
const parsed = flags['no-parse'] ? [] : parseCosts();
if (!flags['no-memory']) progress('memory');
const mem = flags['no-memory'] ? null : memory(memorySize);
const measured: Measured = {
  lecture: lectureRows,
  rows,
  reach,
  build,
  parsed,
  mem,
  compiled,
  lectureCalls,
  checkpoint,
  settings: { workloads, runs, inputs: INPUTS, seed: SEED, parseSize, smoke },
};
const goals = targets(measured);
const text = report(measured, goals);
console.log(text);
if (blocks?.length !== 0) {
  console.log('');
  const { failed } = await blockBench({ tf, runs, smoke, seed: SEED, out, which: blocks });
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} block result(s) disagree with lagrad's: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}
// The RNN rows (issue 13) live in bench/rnn.ts; T = 10³ only in a smoke run; --no-rnn leaves them out.
if (!flags['no-rnn']) {
  progress('RNN gradient');
  console.log(
    `\nRNN gradient, Elman network (hidden 64): reverse, revolve, TF.js\n\n${rnnTable(rnnBench({ steps: smoke ? [1000] : [1000, 10_000], runs: smoke ? 1 : 3, tf }))}`,
  );
}
// The equilibrium layer's row (issue 13) lives in bench/deq.ts.
progress('equilibrium layer');
const deq = deqBench({ smoke });
console.log(`\n${deqReport(deq)}`);

mkdirSync(out, { recursive: true });
const settings = {
  seed: SEED,
  inputs: INPUTS,
  sizes,
  workloads,
  ...options,
  parseRuns: parseOptions.runs,
  compiledSizes,
  ...compiledWarmup,
  checkpointSteps,
  smoke,
};
const results = {
  date: new Date().toISOString(),
  machine: machine(),
  settings,
  lecture: lectureRows,
  lectureCalls,
  dags: rows,
  compiled,
  checkpoint,
  reached: reach,
  build,
  parse: parsed,
  memory: mem,
  targets: goals,
  deq,
};
writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
const points = [
  ...rows
    .filter((r) => r.nsPerVariable !== null)
    .map((r) => ({
      workload: r.workload,
      size: r.size,
      system: r.system,
      mode: r.mode,
      nsPerVariable: r.nsPerVariable!,
      perTape: r.perTape,
    })),
  // The compiled schedule's rows (where it compiled; above COMPILE_LIMIT reverse serves), ÷ the tape timed beside it.
  ...compiled
    .filter((r) => r.compileMs > 0)
    .map((r) => ({
      workload: r.workload,
      size: r.size,
      system: 'lagrad compiled',
      mode: 'gradient',
      nsPerVariable: (r.compiled.wallMs * 1e6) / r.size,
      perTape: r.ratio,
    })),
];
writeFileSync(join(out, 'results.svg'), await plotSvg(points, workloads));
console.error(
  `lagrad bench: wrote ${join(out, 'results.json')} and results.svg in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
const failed = [...lectureRows, ...rows].filter((r) => !r.checked);
if (failed.length > 0)
  fail(
    `${failed.length} result(s) disagree with lagrad's: ${failed.map((r) => `${r.workload} ${r.system} ${r.mode} at N=${exp10(r.size)}`).join(', ')}`,
  );
