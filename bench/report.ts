import type { Timing } from './harness.ts';
import type { Workload } from './dag.ts';
import { TARGET as CHECKPOINT_TARGET, type CheckpointOverhead } from './checkpoint.ts';
import {
  LECTURE_TARGET,
  TARGET as COMPILED_TARGET,
  type CompiledRow,
  type LectureRow,
  type Times,
} from './compiled.ts';
import { BY_NAME, DEFAULT_CALL, type Mode } from './systems.ts';

// What one benchmark run measured, the targets judged from it, and the tables printed.

export interface Row {
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
  /** This row's median ÷ the tape's median for the same solve (value, gradient, forward mode), same run. */
  readonly perTape: number | null;
}

/** The fraction of variables the output reads (λ ≠ 0), per workload and size. */
export interface Reach {
  readonly workload: string;
  readonly size: number;
  readonly fraction: number;
}

export interface BuildRow {
  readonly how: 'builder';
  readonly constraints: number;
  readonly timing: Timing;
  readonly constraintsPerSecond: number;
}

/** `parse` of a `.lag` text beside the name-table baseline on the same text, side by side. */
export interface ParseRow {
  readonly order: 'in order' | 'reversed';
  readonly lines: number;
  readonly parse: Timing;
  readonly baseline: Timing;
  /** parse ÷ baseline (medians). */
  readonly ratio: number;
}

export interface MemoryResult {
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

export interface Target {
  readonly name: string;
  readonly measured: number | null;
  readonly limit: string;
  readonly met: boolean | null;
}

/** Everything one run measured, with the settings it ran under. */
export interface Measured {
  readonly lecture: readonly Row[];
  readonly rows: readonly Row[];
  readonly reach: readonly Reach[];
  readonly build: BuildRow;
  readonly parsed: readonly ParseRow[];
  readonly mem: MemoryResult | null;
  /** bench/compiled.ts: tape, reverse and the compiled schedule per workload and size (10²–10⁵). */
  readonly compiled: readonly CompiledRow[];
  /** bench/compiled.ts: the lecture per call, bare and by name, default and compiled, beside the tape. */
  readonly lectureCalls: readonly LectureRow[];
  /** bench/checkpoint.ts: revolve against reverse on sine chains. */
  readonly checkpoint: readonly CheckpointOverhead[];
  /** `smoke`: sizes too small for the targets, which are then shown but not judged. */
  readonly settings: {
    readonly workloads: readonly Workload[];
    readonly runs: number;
    readonly inputs: number;
    readonly seed: number;
    readonly parseSize: number;
    readonly smoke: boolean;
  };
}

/** The size at which issue 14's targets are stated. */
export const TARGET_SIZE = 1e6;

export const ms = (x: number) =>
  x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
export const range = (t: Timing) => `${ms(t.median)} [${ms(t.min)}–${ms(t.max)}]`;
export const exp10 = (n: number) => {
  const e = Math.log10(n);
  return Number.isInteger(e) ? `1e${e}` : String(n);
};

function find(rows: readonly Row[], workload: string, size: number, system: string, mode: Mode): Row | undefined {
  return rows.find(
    (r) => r.workload === workload && r.size === size && r.system === system && r.mode === mode && r.timing,
  );
}

/** Issue 14's targets and the earlier ones, each measured as a ratio of medians from this run. */
export function targets(run: Measured): Target[] {
  const { lecture: lectureRows, rows, parsed, mem, settings } = run;
  const { workloads, parseSize, smoke } = settings;
  const ratio = (a?: Row, b?: Row) => (a?.timing && b?.timing ? a.timing.median / b.timing.median : null);
  const check = (name: string, measured: number | null, limit: string, ok: (x: number) => boolean): Target => ({
    name,
    measured,
    limit,
    met: measured === null || smoke ? null : ok(measured),
  });
  const at = exp10(TARGET_SIZE);
  const list: Target[] = [];
  // Issue 14, step 2: the interpreter at the tape, on every workload.
  for (const w of workloads) {
    const perTape = (system: string, mode: Mode) => find(rows, w, TARGET_SIZE, system, mode)?.perTape ?? null;
    list.push(
      check(
        `${w}: lagrad evaluate ÷ tape forward sweep at N = ${at}`,
        perTape('lagrad', 'value'),
        '≤ 1.2',
        (x) => x <= 1.2,
      ),
      check(
        `${w}: lagrad grad (workspace) ÷ tape gradient at N = ${at}`,
        perTape('lagrad', 'gradient'),
        '≤ 1.2',
        (x) => x <= 1.2,
      ),
      check(
        `${w}: lagrad grad (default call) ÷ tape gradient at N = ${at}`,
        perTape(DEFAULT_CALL, 'gradient'),
        '≤ 1.5',
        (x) => x <= 1.5,
      ),
    );
  }
  // Step 3: the compiled gradient ≤ 0.7× the tape on 10²–10⁵ constraints (CPU time; the worst size per workload).
  for (const w of workloads) {
    const mine = run.compiled.filter((r) => r.workload === w);
    if (mine.length === 0) continue;
    const worst = mine.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    list.push(
      check(
        `${w}: compiled grad ÷ tape gradient, worst of N = ${mine.map((r) => exp10(r.size)).join(', ')} (here N = ${exp10(worst.size)}, cpu)`,
        worst.ratio,
        `≤ ${COMPILED_TARGET}`,
        (x) => x <= COMPILED_TARGET,
      ),
    );
  }
  // Steps 3 and 4: the lecture per call, side by side with the tape (bench/compiled.ts's lectureBench).
  const call = (name: string) => run.lectureCalls.find((r) => r.call === name)?.ratio ?? null;
  if (run.lectureCalls.length > 0) {
    list.push(
      check(
        'lecture: compiled, bare (array, workspace) ÷ tape gradient, per call (cpu)',
        call('compiled, bare'),
        `≤ ${LECTURE_TARGET}`,
        (x) => x <= LECTURE_TARGET,
      ),
      check(
        'lecture: grad(program, { x, y, z }).gradient ÷ tape gradient, per call (cpu)',
        call('default, by name'),
        '≤ 3',
        (x) => x <= 3,
      ),
      check(
        "lecture: grad(program, { x, y, z }, { schedule: 'compiled' }).gradient ÷ tape, per call (cpu)",
        call('compiled, by name'),
        '≤ 1.5',
        (x) => x <= 1.5,
      ),
    );
  } else {
    const lectureByName = lectureRows.find((r) => r.system === BY_NAME && r.mode === 'gradient');
    list.push(
      check(
        'lecture: grad(program, { x, y, z }).gradient ÷ tape gradient, per call',
        lectureByName?.perTape ?? null,
        '≤ 3',
        (x) => x <= 3,
      ),
    );
  }
  for (const p of parsed)
    list.push(
      check(`parse ${exp10(parseSize)} lines (${p.order}) ÷ name-table baseline`, p.ratio, '≤ 1.5', (x) => x <= 1.5),
    );
  list.push(
    check(
      `far: lagrad grad ÷ lagrad evaluate at N = ${at}`,
      ratio(find(rows, 'far', TARGET_SIZE, 'lagrad', 'gradient'), find(rows, 'far', TARGET_SIZE, 'lagrad', 'value')),
      '≤ 2.5',
      (x) => x <= 2.5,
    ),
    check(
      'far: TF.js grad ÷ lagrad grad per variable at N = 1e5',
      ratio(find(rows, 'far', 1e5, 'tfjs', 'gradient'), find(rows, 'far', 1e5, 'lagrad', 'gradient')),
      '≥ 1000',
      (x) => x >= 1000,
    ),
    check(
      `reverse peak memory beyond the program, bytes/variable at N = ${mem ? exp10(mem.size) : '1e7'}`,
      mem && mem.size >= 1e7 ? mem.reverseBytesPerVariable : null,
      '≤ 48',
      (x) => x <= 48,
    ),
  );
  // Step 6: revolve's time ratio to reverse within 1.2× its evaluation ratio (CPU time).
  for (const c of run.checkpoint) {
    list.push(
      check(
        `checkpoint: revolve (${c.snapshots} slots) on a ${exp10(c.steps)} chain, (time ÷ reverse) ÷ (evaluations ÷ reverse), cpu`,
        c.cpuOverhead,
        `≤ ${CHECKPOINT_TARGET}`,
        (x) => x <= CHECKPOINT_TARGET,
      ),
    );
  }
  return list;
}

/** A table with a header row, columns padded to fit; the first `left` columns align left. */
export function table(header: readonly string[], body: readonly (readonly string[])[], left = 3): string {
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((row) => row[k].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, k) => (k < left ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const DESCRIPTIONS: Record<Workload, string> = {
  far: 'one parent among the 16 before, the other anywhere earlier; add sub mul sin cos tanh sigmoid θ·a',
  near: 'every parent among the 64 before; mul add sub sin cos tanh',
  layered: 'levels of 1000, each reading one or two variables of the level before; mul add sub sin cos tanh',
};

/** The tables printed on the terminal. */
export function report(run: Measured, goals: readonly Target[]): string {
  const { lecture: lectureRows, rows, reach, build, parsed, mem, settings } = run;
  const { workloads, runs, inputs, seed } = settings;
  const parts: string[] = [];
  const value = (r: Row, all: readonly Row[]) =>
    all.find(
      (t) => t.workload === r.workload && t.size === r.size && t.system === 'lagrad' && t.mode === 'value' && t.timing,
    );
  const err = (r: Row) =>
    r.system.startsWith('lagrad') && r.mode !== 'forward mode' ? 'reference' : r.error.toExponential(0);
  const ratio = (x: number | null) => (x === null ? '' : x.toFixed(2));
  parts.push('Lecture function f = z + sin(x² + y·exp(z)): per-call time (µs), median [min–max]');
  parts.push(
    table(
      ['system', 'solve', 'check', 'µs/call', '÷ tape'],
      lectureRows.map((r) => [
        r.system,
        r.mode,
        err(r),
        r.timing ? `${ms(r.timing.median * 1000)} [${ms(r.timing.min * 1000)}–${ms(r.timing.max * 1000)}]` : 'failed',
        ratio(r.perTape),
      ]),
    ),
  );
  for (const w of workloads) {
    parts.push('');
    parts.push(
      `Workload ${w} (${DESCRIPTIONS[w]}; ${inputs} inputs, seed ${seed}): ms per solve, median [min–max] of ${runs} runs after a warm-up`,
    );
    parts.push(
      `  variables the output reads (λ ≠ 0): ${reach
        .filter((r) => r.workload === w)
        .map((r) => `${(100 * r.fraction).toFixed(0)}% at ${exp10(r.size)}`)
        .join(', ')}`,
    );
    const body = rows
      .filter((r) => r.workload === w)
      .map((r) => {
        const t = r.timing;
        const v = r.mode === 'gradient' ? value(r, rows) : undefined;
        return [
          exp10(r.size),
          r.system,
          r.mode,
          t ? range(t) : 'failed',
          r.nsPerVariable !== null ? r.nsPerVariable.toFixed(1) : '',
          t && v?.timing ? (t.median / v.timing.median).toFixed(2) : '',
          ratio(r.perTape),
          err(r),
        ];
      });
    parts.push(table(['N', 'system', 'solve', 'ms', 'ns/var', '÷ value', '÷ tape', 'rel. error'], body));
  }
  if (run.compiled.length > 0) {
    parts.push('');
    parts.push(
      `The compiled schedule (bench/compiled.ts): time per gradient call with reused buffers, median of the rounds, wall [cpu]; ratios in CPU time; target compiled ≤ ${COMPILED_TARGET}× the tape`,
    );
    parts.push(
      table(
        [
          'workload',
          'N',
          'tape',
          'reverse',
          'compiled',
          '÷ tape',
          'reverse ÷ tape',
          'compile ms',
          'warm-up',
          'break-even',
          'met',
        ],
        run.compiled.map(compiledCells),
        2,
      ),
    );
  }
  if (run.lectureCalls.length > 0) {
    parts.push('');
    parts.push(
      'Lecture function per gradient call (bench/compiled.ts), side by side: wall [cpu] µs, ratio to the tape in CPU time',
    );
    parts.push(
      table(
        ['call', 'µs/call', '÷ tape'],
        run.lectureCalls.map((r) => [r.call, `${us(r.times.wallMs)} [${us(r.times.cpuMs)}]`, r.ratio.toFixed(2)]),
        1,
      ),
    );
  }
  if (run.checkpoint.length > 0) {
    parts.push('');
    parts.push(
      `Checkpointing's overhead (bench/checkpoint.ts): revolve against reverse on a chain of sines, medians wall [cpu] ms; target (cpu ratio ÷ evaluation ratio) ≤ ${CHECKPOINT_TARGET}`,
    );
    parts.push(
      table(
        ['chain', 'slots', 'reverse', 'revolve', 'time ratio', 'evaluation ratio', 'overhead', 'met'],
        run.checkpoint.map((c) => [
          exp10(c.steps),
          String(c.snapshots),
          timesMs(c.reverse),
          timesMs(c.revolve),
          `${c.timeRatio.toFixed(2)} [${c.cpuRatio.toFixed(2)}]`,
          c.evaluationRatio.toFixed(2),
          `${c.overhead.toFixed(2)} [${c.cpuOverhead.toFixed(2)}]`,
          c.met ? 'yes' : 'NO',
        ]),
        1,
      ),
    );
  }
  parts.push('');
  parts.push(
    `Build (far workload): the ProgramBuilder records ${build.constraints} constraints in ${range(build.timing)} ms (${(build.constraintsPerSecond / 1e6).toFixed(2)} M constraints/s)`,
  );
  if (parsed.length > 0) {
    parts.push('');
    parts.push(
      `Parse (far workload as a .lag text, one constraint a line), beside the name-table baseline (names sliced out of each line, a Map's look-ups), side by side: ms, median [min–max]`,
    );
    parts.push(
      table(
        ['lines', 'parse', 'baseline', 'parse ÷ baseline', 'target'],
        parsed.map((p) => [`${p.lines} ${p.order}`, range(p.parse), range(p.baseline), p.ratio.toFixed(2), '≤ 1.5']),
        1,
      ),
    );
  }
  if (mem) {
    parts.push('');
    parts.push(
      `Memory at N = ${exp10(mem.size)} (${mem.tool}): program ${mem.programBytesPerConstraint.toFixed(1)} B/constraint (${(mem.programBytes / 2 ** 20).toFixed(0)} MiB); ` +
        `peak ${mem.programPeakMiB.toFixed(0)} MiB with the program alone, ${mem.reversePeakMiB.toFixed(0)} MiB with reverse → ${mem.reverseBytesPerVariable.toFixed(1)} B/variable ` +
        `(process.memoryUsage: rss +${mem.rssBytesPerVariable.toFixed(1)}, arrayBuffers +${mem.arrayBufferBytesPerVariable.toFixed(1)} B/variable)`,
    );
  }
  parts.push('');
  parts.push(
    `Targets (ratios of medians measured in this run${settings.smoke ? '; a smoke run is too small to judge them' : ''})`,
  );
  parts.push(
    table(
      ['target', 'limit', 'measured', 'met'],
      goals.map((g) => [
        g.name,
        g.limit,
        g.measured === null ? 'not measured' : g.measured.toFixed(g.measured >= 100 ? 0 : 2),
        g.met === null ? '' : g.met ? 'yes' : 'NO',
      ]),
      2,
    ),
  );
  return parts.join('\n');
}

const us = (msPerCall: number) => ms(msPerCall * 1000);
const timesMs = (t: Times) => `${ms(t.wallMs)} [${ms(t.cpuMs)}]`;
/** Per call: µs below a millisecond, else ms. */
const perCall = (t: Times) => (t.wallMs < 1 ? `${us(t.wallMs)} µs [${us(t.cpuMs)}]` : `${timesMs(t)} ms`);

function compiledCells(r: CompiledRow): string[] {
  const served = r.compileMs === 0 ? ' (reverse serves)' : '';
  return [
    r.workload,
    exp10(r.size),
    perCall(r.tape),
    perCall(r.reverse),
    perCall(r.compiled) + served,
    r.ratio.toFixed(2),
    (r.reverse.cpuMs / r.tape.cpuMs).toFixed(2),
    r.compileMs === 0 ? '—' : r.compileMs.toFixed(1),
    r.compileMs === 0 ? '—' : `${r.warmupCalls} calls, ${r.warmupMs.toFixed(0)} ms`,
    r.breakEven === null ? 'never' : String(r.breakEven),
    r.met ? 'yes' : 'NO',
  ];
}
