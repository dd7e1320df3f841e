// `npm run bench`: lagrad against a hand-written tape, a micrograd-style object graph and TF.js
// (CPU), side by side in one process on the same programs; then build costs and the memory probe.
// Prints a table, writes results.json and results.svg (time per variable against N, log–log).
//
//   npm run bench                      the full run (N = 10⁴ … 10⁷), results in bench/
//   npm run bench -- --smoke           tiny sizes, results in a temporary folder (CI)
//   npm run bench -- --sizes 1e4,1e5 --no-tfjs --no-memory --runs 3 --out DIR
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { grad, parseProgram } from '../src/index.ts';
import { lectureDag, randomDag, type Dag } from './dag.ts';
import { batchSize, measure, sideBySide, type MeasureOptions, type Timing } from './harness.ts';
import { deqBench, deqReport } from './deq.ts';
import { buildProgram, lagText, LagradRunner } from './lagrad.ts';
import { INPUTS, SEED } from './memory.ts';
import { plotSvg } from './plot.ts';
import { relativeError, runners, type Limits, type Mode, type Runner } from './systems.ts';
import { loadTf, type TF } from './tfjs.ts';

interface Row {
  readonly workload: string;
  readonly size: number;
  readonly system: string;
  readonly mode: Mode;
  /** Relative error against lagrad (0 for lagrad's own rows), measured before timing. */
  readonly error: number;
  readonly checked: boolean;
  /** Milliseconds per run; per call for the lecture. Null when the check failed (not timed). */
  readonly timing: Timing | null;
  readonly nsPerVariable: number | null;
}

interface BuildRow {
  readonly how: 'builder' | 'parse';
  readonly constraints: number;
  readonly timing: Timing;
  readonly constraintsPerSecond: number;
}

interface MemoryResult {
  readonly size: number;
  readonly tool: string;
  readonly programPeakMiB: number;
  readonly reversePeakMiB: number;
  /** (peak with reverse − peak with the program alone) / N. */
  readonly reverseBytesPerVariable: number;
  /** process.memoryUsage inside the reverse run: growth of rss and of arrayBuffers, per variable. */
  readonly rssBytesPerVariable: number;
  readonly arrayBufferBytesPerVariable: number;
  readonly programBytes: number;
  readonly programBytesPerConstraint: number;
}

interface Target {
  readonly name: string;
  readonly measured: number | null;
  readonly limit: string;
  readonly met: boolean | null;
}

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    runs: { type: 'string' },
    out: { type: 'string' },
    'no-tfjs': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
  },
});

const smoke = flags.smoke!;
const sizes = flags.sizes ? flags.sizes.split(',').map(Number) : smoke ? [1e3, 1e4] : [1e4, 1e5, 1e6, 1e7];
if (!sizes.every((n) => Number.isInteger(n) && n > INPUTS)) fail(`--sizes: every size must be an integer above ${INPUTS}`);
const runs = flags.runs ? Number(flags.runs) : smoke ? 2 : 15;
if (!(Number.isInteger(runs) && runs >= 1)) fail('--runs: a positive integer');
const out = flags.out ?? (smoke ? join(tmpdir(), 'lagrad-bench-smoke') : fileURLToPath(new URL('.', import.meta.url)));
const limits: Limits = smoke ? { micrograd: 1e4, tfjs: 1e3, forwardMode: 1e4 } : { micrograd: 1e6, tfjs: 1e5, forwardMode: 1e7 };
const parseSize = smoke ? 1e4 : 1e6;
const memorySize = smoke ? 1e5 : 1e7;
const options: MeasureOptions = { warmup: 1, runs, budgetMs: smoke ? 2000 : 15000 };

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(1);
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));
const range = (t: Timing) => `${ms(t.median)} [${ms(t.min)}–${ms(t.max)}]`;
const exp10 = (n: number) => {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `1e${e}` : String(n);
};

/**
 * Checks every runner against lagrad's result first; those that agree are then timed side by side.
 * `perCall`: fast calls, timed in batches and reported per call (the lecture function).
 */
function bench(workload: string, dag: Dag, lagrad: LagradRunner, tf: TF | null, perCall: boolean): Row[] {
  const list = runners(dag, lagrad, tf, perCall ? { micrograd: Infinity, tfjs: Infinity, forwardMode: Infinity } : limits);
  const referenceValue = lagrad.value(dag.x);
  const referenceGradient = Float64Array.from(lagrad.gradient(dag.x));
  const errors = list.map((r) => {
    const result = r.run();
    return relativeError(typeof result === 'number' ? result : Float64Array.from(result), r.mode === 'value' ? referenceValue : referenceGradient);
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
  return list.map((r, k) => {
    const checked = errors[k] <= r.tolerance;
    const timing = timings.get(r) ?? null;
    const nsPerVariable = timing ? (timing.median * 1e6) / dag.size : null;
    const status = timing ? `${range(timing)} ${perCall ? 'ms/call' : 'ms'}` : `CHECK FAILED (error ${errors[k].toExponential(1)} > ${r.tolerance})`;
    console.error(`  ${workload} N=${exp10(dag.size)} ${r.system} ${r.mode}: ${status}`);
    return { workload, size: dag.size, system: r.system, mode: r.mode, error: errors[k], checked, timing, nsPerVariable };
  });
}

/**
 * The lecture function, examples/lecture.lag (inputs x, y, z in the order of lectureDag), through
 * the public API, with lagrad's gradient checked against the closed form first.
 */
function lecture(tf: TF | null): Row[] {
  const dag = lectureDag();
  const program = parseProgram(readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8'), { file: 'lecture.lag' });
  const closedForm = [4 * Math.cos(3), Math.cos(3), 1 - Math.cos(3)];
  const g = grad(program, { x: 2, y: -1, z: 0 }, { schedule: 'reverse' }).gradient as Record<string, number>;
  const error = relativeError(Float64Array.of(g.x, g.y, g.z), Float64Array.from(closedForm));
  if (!(error < 1e-14)) fail(`lecture: lagrad's gradient is off the closed form by ${error}`);
  return bench('lecture', dag, new LagradRunner(program), tf, true);
}

function buildCosts(): BuildRow[] {
  const rows: BuildRow[] = [];
  const dag = randomDag(parseSize, INPUTS, SEED);
  const built = measure(() => buildProgram(dag), options);
  rows.push({ how: 'builder', constraints: dag.size - dag.inputs, timing: built, constraintsPerSecond: (dag.size - dag.inputs) / (built.median / 1000) });
  const text = lagText(dag);
  const parsed = parseProgram(text);
  const reference = buildProgram(dag);
  const same = parsed.size === reference.size && parsed.ops.every((op, i) => op === reference.ops[i]) && parsed.parents.every((p, e) => p === reference.parents[e]);
  if (!same) fail('parse: the parsed .lag text is not the program the builder records');
  const timing = measure(() => parseProgram(text), options);
  rows.push({ how: 'parse', constraints: parsed.constraintCount, timing, constraintsPerSecond: parsed.constraintCount / (timing.median / 1000) });
  for (const r of rows) console.error(`  build ${r.how} N=${exp10(r.constraints)}: ${range(r.timing)} ms, ${(r.constraintsPerSecond / 1e6).toFixed(2)} M constraints/s`);
  return rows;
}

/** Peak memory of reverse beyond the program: two child processes, the program alone and with reverse. */
function memory(size: number): MemoryResult {
  const script = fileURLToPath(new URL('./memory.ts', import.meta.url));
  const timeTool = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const probe = (mode: string) => {
    const node = [process.execPath, '--expose-gc', '--import', 'tsx', script, String(size), mode];
    const child = timeTool ? spawnSync(timeTool, ['-v', ...node], { encoding: 'utf8' }) : spawnSync(node[0], node.slice(1), { encoding: 'utf8' });
    if (child.status !== 0) fail(`memory probe (${mode}) failed: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
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
  console.error(`  memory N=${exp10(size)}: peak ${program.peakMiB.toFixed(0)} MiB (program) → ${reverse.peakMiB.toFixed(0)} MiB (reverse): ${result.reverseBytesPerVariable.toFixed(1)} B/variable`);
  return result;
}

function find(rows: readonly Row[], size: number, system: string, mode: Mode): Row | undefined {
  return rows.find((r) => r.workload === 'random DAG' && r.size === size && r.system === system && r.mode === mode && r.timing);
}

function targets(rows: readonly Row[], mem: MemoryResult | null): Target[] {
  const ratio = (a?: Row, b?: Row) => (a?.timing && b?.timing ? a.timing.median / b.timing.median : null);
  const check = (name: string, measured: number | null, limit: string, ok: (x: number) => boolean): Target => ({ name, measured, limit, met: measured === null ? null : ok(measured) });
  return [
    check('lagrad grad / lagrad evaluate at N = 1e6', ratio(find(rows, 1e6, 'lagrad', 'gradient'), find(rows, 1e6, 'lagrad', 'value')), '≤ 2.5', (x) => x <= 2.5),
    check('lagrad grad / hand-written tape grad at N = 1e6', ratio(find(rows, 1e6, 'lagrad', 'gradient'), find(rows, 1e6, 'tape', 'gradient')), '≤ 1.3', (x) => x <= 1.3),
    check('TF.js grad / lagrad grad per variable at N = 1e5', ratio(find(rows, 1e5, 'tfjs', 'gradient'), find(rows, 1e5, 'lagrad', 'gradient')), '≥ 1000', (x) => x >= 1000),
    check(`reverse peak memory beyond the program, bytes/variable at N = ${mem ? exp10(mem.size) : '1e7'}`, mem && mem.size >= 1e7 ? mem.reverseBytesPerVariable : null, '≤ 48', (x) => x <= 48),
  ];
}

/** A table with a header row, columns padded to fit. */
function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((row) => row[k].length)));
  const line = (cells: readonly string[]) => cells.map((c, k) => (k < 3 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

function report(lectureRows: readonly Row[], rows: readonly Row[], build: readonly BuildRow[], mem: MemoryResult | null, goals: readonly Target[]): string {
  const parts: string[] = [];
  const tape = (r: Row) => rows.find((t) => t.size === r.size && t.system === 'tape' && t.mode === r.mode && t.timing);
  const value = (r: Row) => rows.find((t) => t.size === r.size && t.system === r.system && t.mode === 'value' && t.timing);
  const err = (r: Row) => (r.system === 'lagrad' && r.mode !== 'forward mode' ? 'reference' : r.error.toExponential(0));
  parts.push('Lecture function f = z + sin(x² + y·exp(z)): per-call time (µs), median [min–max]');
  parts.push(table(['system', 'solve', 'check', 'µs/call'], lectureRows.map((r) => [r.system, r.mode, err(r), r.timing ? `${ms(r.timing.median * 1000)} [${ms(r.timing.min * 1000)}–${ms(r.timing.max * 1000)}]` : 'failed'])));
  parts.push('');
  parts.push(`Random scalar DAGs (${INPUTS} inputs, seed ${SEED}): ms per solve, median [min–max] of ${runs} runs after a warm-up`);
  const body = rows.map((r) => {
    const t = r.timing;
    const base = tape(r);
    const v = r.mode === 'gradient' ? value(r) : undefined;
    return [
      exp10(r.size),
      r.system,
      r.mode,
      t ? range(t) : 'failed',
      r.nsPerVariable !== null ? r.nsPerVariable.toFixed(1) : '',
      t && v?.timing ? (t.median / v.timing.median).toFixed(2) : '',
      t && base?.timing ? (t.median / base.timing.median).toFixed(2) : '',
      err(r),
    ];
  });
  parts.push(table(['N', 'system', 'solve', 'ms', 'ns/var', '÷ value', '÷ tape', 'rel. error'], body));
  parts.push('');
  parts.push('Build cost (random DAG)');
  parts.push(table(['how', 'solve', '', 'constraints', 'ms', 'M constraints/s'], build.map((b) => [b.how, '', '', String(b.constraints), range(b.timing), (b.constraintsPerSecond / 1e6).toFixed(2)])));
  if (mem) {
    parts.push('');
    parts.push(`Memory at N = ${exp10(mem.size)} (${mem.tool}): program ${mem.programBytesPerConstraint.toFixed(1)} B/constraint (${(mem.programBytes / 2 ** 20).toFixed(0)} MiB); ` +
      `peak ${mem.programPeakMiB.toFixed(0)} MiB with the program alone, ${mem.reversePeakMiB.toFixed(0)} MiB with reverse → ${mem.reverseBytesPerVariable.toFixed(1)} B/variable ` +
      `(process.memoryUsage: rss +${mem.rssBytesPerVariable.toFixed(1)}, arrayBuffers +${mem.arrayBufferBytesPerVariable.toFixed(1)} B/variable)`);
  }
  parts.push('');
  parts.push('Targets');
  parts.push(table(['target', 'limit', '', 'measured', 'met'], goals.map((g) => [g.name, g.limit, '', g.measured === null ? 'not measured' : g.measured.toFixed(g.measured >= 100 ? 0 : 2), g.met === null ? '' : g.met ? 'yes' : 'NO'])));
  return parts.join('\n');
}

function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, v8: process.versions.v8 };
}

const started = performance.now();
const tf = flags['no-tfjs'] ? null : await loadTf();
console.error('lagrad bench: lecture function');
const lectureRows = lecture(tf);
const rows: Row[] = [];
for (const size of sizes) {
  console.error(`lagrad bench: random DAG N=${exp10(size)}`);
  const dag = randomDag(size, INPUTS, SEED);
  const runner = new LagradRunner(buildProgram(dag));
  rows.push(...bench('random DAG', dag, runner, tf, false));
}
console.error('lagrad bench: build cost');
const build = buildCosts();
const mem = flags['no-memory'] ? null : memory(memorySize);
const goals = targets(rows, mem);
console.error('lagrad bench: equilibrium layer (bench/deq.ts)');
const deq = deqBench({ smoke });
const text = report(lectureRows, rows, build, mem, goals) + '\n\n' + deqReport(deq);
console.log(text);

mkdirSync(out, { recursive: true });
const results = { date: new Date().toISOString(), machine: machine(), settings: { seed: SEED, inputs: INPUTS, sizes, ...options, smoke }, lecture: lectureRows, dags: rows, build, memory: mem, targets: goals, deq };
writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2) + '\n');
const points = rows.filter((r) => r.nsPerVariable !== null).map((r) => ({ size: r.size, system: r.system, mode: r.mode, nsPerVariable: r.nsPerVariable! }));
writeFileSync(join(out, 'results.svg'), await plotSvg(points, 'Random scalar DAGs: time per variable (log–log)'));
console.error(`lagrad bench: wrote ${join(out, 'results.json')} and results.svg in ${((performance.now() - started) / 1000).toFixed(0)} s`);
const failed = [...lectureRows, ...rows].filter((r) => !r.checked);
if (failed.length > 0) fail(`${failed.length} result(s) disagree with lagrad's: ${failed.map((r) => `${r.system} ${r.mode} at N=${exp10(r.size)}`).join(', ')}`);
