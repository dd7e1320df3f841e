// The compiled schedule (issue 14, item 3) against the hand-written tape and the interpreter
// (`reverse`), side by side in one process, per workload and size, and on the lecture function:
//
//   compiled gradient  ≤  0.7 × the tape's (programs of 10²–10⁵ constraints, per call)
//   lecture, compiled  ≤  the tape's time per call
//
// and, for each program, what compiling costs: generating and compiling the source, then the calls
// V8 runs in its baseline tier until it has optimized every generated function (it optimizes a
// function after running about 900 times its own size of bytecode, so straight-line code needs
// on the order of a thousand calls), and the break-even number of calls — the first k for which
// compiling plus k compiled calls took no longer than k calls of reverse.
//
// Gradients are timed as users call them with reused buffers,
// `grad(program, x, { schedule, workspace })`, in rounds that run each once (a batch of calls for
// fast ones), garbage collected before each run; wall clock and CPU time (process.cpuUsage: on a
// shared machine the wall clock also counts waits for a core), medians over the rounds.
//
//   node --expose-gc --import tsx bench/compiled.ts [sizes…] [--runs R]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { grad, parseProgram, type Program } from '../src/index.ts';
import { COMPILE_LIMIT, compiledProgram } from '../solvers/compiled.ts';
import { lectureDag, randomDag, type Dag } from './dag.ts';
import { buildProgram } from './lagrad.ts';
import { INPUTS, SEED } from './memory.ts';
import { Tape } from './tape.ts';

/** Milliseconds of one call: medians over the rounds, on the wall clock and in CPU time. */
export interface Times {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface CompiledRow {
  readonly workload: string;
  readonly size: number;
  readonly tape: Times;
  readonly reverse: Times;
  readonly compiled: Times;
  /** compiled / tape, CPU time; the target is at most TARGET. */
  readonly ratio: number;
  /** Generating the source and `new Function` (ms); 0 when the program is above COMPILE_LIMIT (reverse serves). */
  readonly compileMs: number;
  /** Calls run before the timing (until V8 had optimized the generated code), and their time (ms). */
  readonly warmupCalls: number;
  readonly warmupMs: number;
  /** First k with compileMs + (time of the first k compiled calls) ≤ k × reverse's time per call (past the calls run: at the steady times); null when compiled is not faster. */
  readonly breakEven: number | null;
  readonly met: boolean;
}

/** The targets: compiled at most 0.7× the tape on 10²–10⁵ constraints; the lecture at most the tape. */
export const TARGET = 0.7;
export const LECTURE_TARGET = 1;

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * Times the functions in rounds, one run (a batch of `batch[k]` calls) of each per round after one
 * untimed round; medians per call. `collectEach`: a full collection before every run (default), or
 * only before the rounds.
 */
function rounds(fns: readonly (() => void)[], runs: number, batch: readonly number[], collectEach = true): Times[] {
  if (!collectEach) collect();
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let round = 0; round <= runs; round++) {
    fns.forEach((fn, k) => {
      if (collectEach) collect();
      const usage = process.cpuUsage();
      const start = performance.now();
      for (let c = 0; c < batch[k]; c++) fn();
      const ms = performance.now() - start;
      const used = process.cpuUsage(usage);
      if (round === 0) return;
      wall[k].push(ms / batch[k]);
      cpu[k].push((used.user + used.system) / 1000 / batch[k]);
    });
  }
  return fns.map((_, k) => ({ wallMs: median(wall[k]), cpuMs: median(cpu[k]) }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Calls per timed run: enough for about `ms` milliseconds (after 200 untimed calls). */
function batchFor(fn: () => void, ms = 20): number {
  for (let c = 0; c < 200; c++) fn();
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    for (let c = 0; c < 20; c++) fn();
    best = Math.min(best, (performance.now() - start) / 20);
  }
  return Math.max(1, Math.ceil(ms / Math.max(best, 1e-5)));
}

/**
 * The first calls of a freshly built program under `compiled`, each timed: until `calls` were run
 * or `budgetMs` spent. Returns the compile time (the first call's part that generated and compiled
 * the source) and the times of the calls.
 */
function firstCalls(
  program: Program,
  call: () => void,
  calls: number,
  budgetMs: number,
): { compileMs: number; times: number[] } {
  const code = compiledProgram(program); // generates and compiles; the calls below find it cached
  if (code === null) return { compileMs: 0, times: [] }; // reverse serves: nothing to warm up
  const compileMs = code.compileMs;
  const times: number[] = [];
  const start = performance.now();
  while (times.length < calls && performance.now() - start < budgetMs) {
    const t = performance.now();
    call();
    times.push(performance.now() - t);
  }
  return { compileMs, times };
}

/**
 * The first k with compileMs + (the first k compiled calls) ≤ k × reverseMs: found among the calls
 * run, or past them at the steady compiled time per call (null: compiled is not faster than reverse).
 */
function breakEvenOf(
  compileMs: number,
  times: readonly number[],
  reverseMs: number,
  compiledMs: number,
): number | null {
  let spent = compileMs;
  for (let k = 0; k < times.length; k++) {
    spent += times[k];
    if (spent <= (k + 1) * reverseMs) return k + 1;
  }
  if (compiledMs >= reverseMs) return null;
  return times.length + Math.ceil((spent - times.length * reverseMs) / (reverseMs - compiledMs));
}

export interface CompiledBenchOptions {
  /** Workloads by name, each a DAG of a given size (default: the random DAG of bench/dag.ts, 'far'). */
  readonly workloads?: Readonly<Record<string, (size: number) => Dag>>;
  /** Sizes N (default 10², 10³, 3·10³, 10⁴, 10⁵). */
  readonly sizes?: readonly number[];
  /** Timed rounds (default 7). */
  readonly runs?: number;
  /** Calls run before timing, at most (default 3000; fewer when they would take longer than warmupBudgetMs). */
  readonly warmup?: number;
  readonly warmupBudgetMs?: number;
  readonly log?: (line: string) => void;
}

/** Tape, reverse and compiled side by side on every workload and size; compile time, warm-up and break-even. */
export function compiledBench(options: CompiledBenchOptions = {}): CompiledRow[] {
  const workloads = options.workloads ?? { far: (size: number) => randomDag(size, INPUTS, SEED) };
  const rows: CompiledRow[] = [];
  for (const [workload, make] of Object.entries(workloads)) {
    for (const size of options.sizes ?? [1e2, 1e3, 3e3, 1e4, 1e5]) {
      const dag = make(size);
      const program = buildProgram(dag);
      const x = dag.x;
      const tape = new Tape(dag);
      const out = new Float64Array(dag.inputs);
      const workspace = { values: new Float64Array(program.size), lambda: new Float64Array(program.size) };
      const reverse = () => grad(program, x, { schedule: 'reverse', workspace });
      const compiled = () => grad(program, x, { schedule: 'compiled', workspace });
      const [reverseFirst] = rounds([reverse], 3, [batchFor(reverse)]);
      const first = firstCalls(program, compiled, options.warmup ?? 3000, options.warmupBudgetMs ?? 30_000);
      const a = grad(program, x, { schedule: 'reverse' }).solution.gradient;
      const b = grad(program, x, { schedule: 'compiled' }).solution.gradient;
      if (a.some((g, k) => !Object.is(g, b[k])))
        throw new Error(`bench: compiled's gradient differs from reverse's on ${workload} N=${size}`);
      const fns = [() => (tape.forward(x), tape.reverse(out)), reverse, compiled];
      const [tapeTimes, reverseTimes, compiledTimes] = rounds(
        fns,
        options.runs ?? 7,
        fns.map((fn) => batchFor(fn)),
      );
      const ratio = compiledTimes.cpuMs / tapeTimes.cpuMs;
      const row: CompiledRow = {
        workload,
        size,
        tape: tapeTimes,
        reverse: reverseTimes,
        compiled: compiledTimes,
        ratio,
        compileMs: first.compileMs,
        warmupCalls: first.times.length,
        warmupMs: first.times.reduce((s, t) => s + t, 0),
        breakEven: breakEvenOf(
          first.compileMs,
          first.times,
          Math.min(reverseFirst.wallMs, reverseTimes.wallMs),
          compiledTimes.wallMs,
        ),
        met: ratio <= TARGET,
      };
      options.log?.(format(row));
      rows.push(row);
    }
  }
  return rows;
}

export interface LectureRow {
  readonly call: string;
  readonly times: Times;
  /** ÷ the tape's gradient, CPU time. */
  readonly ratio: number;
}

/**
 * The lecture function (examples/lecture.lag): the tape, then lagrad's gradient as users call it —
 * bare (inputs in an array, a reused workspace) and by name (`grad(program, { x, y, z }).gradient`,
 * read by name) — under the default schedule and the compiled one.
 */
export function lectureBench(runs = 15, warmupCalls = 5000): LectureRow[] {
  const dag = lectureDag();
  const program = parseProgram(readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8'), {
    file: 'lecture.lag',
  });
  const x = dag.x;
  const tape = new Tape(dag);
  const out = new Float64Array(3);
  const workspace = { values: new Float64Array(program.size), lambda: new Float64Array(program.size) };
  let sink = 0;
  const byName = (options?: { schedule: string }) => () => {
    const g = grad(program, { x: x[0], y: x[1], z: x[2] }, options).gradient;
    sink += (g.x as number) + (g.y as number) + (g.z as number);
  };
  const calls: [string, () => void][] = [
    ['tape gradient', () => (tape.forward(x), tape.reverse(out))],
    ['default, bare', () => void grad(program, x, { workspace })],
    ['default, by name', byName()],
    ['compiled, bare', () => void grad(program, x, { schedule: 'compiled', workspace })],
    ['compiled, by name', byName({ schedule: 'compiled' })],
  ];
  for (const [, fn] of calls) for (let c = 0; c < warmupCalls; c++) fn(); // past V8's tiers
  // No full collection before each run: after one, the next few thousand calls that allocate run
  // 3–8× slower (measured on the by-name call: ~4–6 µs per call for the first 2000, then ~0.6),
  // which in a 20 ms run charges a call that allocates for the collection rather than for itself.
  const times = rounds(
    calls.map(([, fn]) => fn),
    runs,
    calls.map(([, fn]) => batchFor(fn)),
    false,
  );
  if (!Number.isFinite(sink)) throw new Error('bench: the lecture gradient is not finite');
  return calls.map(([call], k) => ({ call, times: times[k], ratio: times[k].cpuMs / times[0].cpuMs }));
}

/** Two lines per row: the times and ratios, then the cost of compiling. */
export function format(r: CompiledRow): string {
  const t = (x: Times) =>
    `${x.wallMs >= 1 ? x.wallMs.toFixed(2) + ' ms' : (x.wallMs * 1000).toFixed(1) + ' µs'} (cpu ${x.cpuMs >= 1 ? x.cpuMs.toFixed(2) + ' ms' : (x.cpuMs * 1000).toFixed(1) + ' µs'})`;
  const compiledNote = r.size > COMPILE_LIMIT ? ` (above COMPILE_LIMIT = ${COMPILE_LIMIT}: reverse serves)` : '';
  return (
    `${r.workload} N=${r.size.toExponential(0)}: tape ${t(r.tape)}, reverse ${t(r.reverse)} (×${(r.reverse.cpuMs / r.tape.cpuMs).toFixed(2)}), compiled ${t(r.compiled)}${compiledNote}: ` +
    `×${r.ratio.toFixed(2)} the tape (cpu); target ≤ ${TARGET}: ${r.met ? 'met' : 'NOT met'}\n` +
    `  compile ${r.compileMs.toFixed(1)} ms, then ${r.warmupCalls} calls in ${r.warmupMs.toFixed(0)} ms while V8 optimizes; break-even after ${r.breakEven === null ? 'never (not faster than reverse)' : `${r.breakEven} calls`}`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const k = args.indexOf(name);
    return k >= 0 ? Number(args.splice(k, 2)[1]) : undefined;
  };
  const runs = flag('--runs');
  const sizes = args.map(Number);
  console.log(`compiled schedule, ${process.platform} ${process.arch}, node ${process.version}`);
  for (const r of lectureBench())
    console.log(
      `lecture ${r.call}: ${(r.times.wallMs * 1000).toFixed(3)} µs (cpu ${(r.times.cpuMs * 1000).toFixed(3)} µs), ×${r.ratio.toFixed(2)} the tape`,
    );
  compiledBench({ sizes: sizes.length > 0 ? sizes : undefined, runs, log: (line) => console.log(line) });
}
