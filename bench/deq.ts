// The equilibrium layer's gradient (issue 13): lagrad's multipliers of the fixed point against
// backprop through k unrolled sweeps of the layer, at equal accuracy. The layer is examples/deq-model.ts
// on the iris flowers (150 samples, 64 units, ‖W‖ = 0.9), parameters from a seed.
//
// Accuracy is the relative error ‖g − g*‖₂/‖g*‖₂ of the parameters' gradient against g*, the
// multipliers solved to rounding (tolerance 0), which GMRES and Christianson's iteration must give
// alike. For each accuracy level: the implicit gradient at the loosest tolerance 10⁻ᵗ that reaches
// it (10^(−j/2); block-reverse by GMRES on VJPs, `iterative --method gmres`, and by Christianson's fixed-point
// adjoint, `iterative --method fixed-point` — the default's choice here, as the forward sweeps
// contract at a rate below 1/2), and backprop through the unrolled program
// with the fewest sweeps k that reaches it (Christianson's iteration and unrolled backprop timed side
// by side, GMRES alone). Each calls grad with its own reused values and multipliers
// (`workspace`), as a training loop should. Time: CPU time (process.cpuUsage: on a shared machine the
// wall clock also counts waits for a core), median [min] of side-by-side rounds; bytes: counted
// by the solves — the values, the multipliers (one per value: reverse holds both) and the solver's
// own work arrays (Krylov basis, scratch). Target: the implicit gradient cheaper than unrolled
// backprop, in time and in bytes, at every level.
//
//   node --expose-gc --import tsx bench/deq.ts [--smoke]
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { grad, unroll, type GradResult, type Program } from '../src/index.ts';
import { deqProgram, flatGradient, PARAMETERS, relativeError, startingParameters } from '../examples/lib/deq-model.ts';
import { irisData } from '../examples/lib/iris-data.ts';
import { summarize, type Timing } from './harness.ts';

export interface DeqRow {
  /** The accuracy asked for: relative error of the gradient at most this. */
  readonly level: number;
  readonly method: 'multipliers, GMRES' | 'multipliers, Christianson' | 'unrolled backprop';
  /** The tolerance (implicit) or the number of sweeps k (unrolled) that reached the level. */
  readonly setting: string;
  readonly error: number;
  /** CPU milliseconds per gradient. */
  readonly timing: Timing;
  /** Wall-clock milliseconds per gradient, over the same runs. */
  readonly wall: Timing;
  readonly valueBytes: number;
  readonly multiplierBytes: number;
  readonly solverBytes: number;
  readonly bytes: number;
}

export interface DeqResult {
  readonly hidden: number;
  readonly slots: number;
  /** Contraction rate of the fixed-point solve, and its sweeps to the default tolerance. */
  readonly rate: number;
  readonly sweeps: number;
  /** |g_GMRES − g_Christianson| / |g| at tolerance 0: the reference's own check. */
  readonly referenceCheck: number;
  readonly rows: readonly DeqRow[];
  /** Per level: best implicit ÷ unrolled, in time (medians) and in bytes; the target is both < 1. */
  readonly ratios: readonly { level: number; time: number; bytes: number; met: boolean }[];
}

const LEVELS = [1e-4, 1e-8, 1e-12];
/** Tolerances tried, 10^(−j/2) from 10⁻² to 10⁻¹⁴: steps as fine, relative to the error, as one more unrolled sweep. */
const TOLERANCES = Array.from({ length: 25 }, (_, j) => Number((10 ** (-2 - j / 2)).toPrecision(2)));
const MAX_SWEEPS = 200;

export function deqBench(options: { smoke?: boolean; hidden?: number } = {}): DeqResult {
  const smoke = options.smoke ?? false;
  const hidden = options.hidden ?? (smoke ? 16 : 64);
  const data = irisData();
  const classes = data.classes.length;
  const program = deqProgram(data.samples, data.features, hidden, classes);
  const at = { X: data.X, Y: data.Y, ...startingParameters(data.features, hidden, classes, 1, 0.9) };
  const wrt = [...PARAMETERS];
  const methods = {
    'multipliers, GMRES': { wrt, schedule: 'iterative', method: 'gmres' },
    'multipliers, Christianson': { wrt, schedule: 'iterative', method: 'fixed-point' },
  } as const;
  const exact = grad(program, at, { ...methods['multipliers, GMRES'], tolerance: 0 });
  const reference = flatGradient(exact.gradient);
  const referenceCheck = relativeError(
    flatGradient(grad(program, at, { ...methods['multipliers, Christianson'], tolerance: 0 }).gradient),
    reference,
  );
  if (!(referenceCheck < 1e-12))
    throw new Error(`deq bench: GMRES and Christianson's multipliers differ by ${referenceCheck}`);
  const plain = grad(program, at, { wrt });
  const errorOf = (r: GradResult) => relativeError(flatGradient(r.gradient), reference);
  const runs = smoke ? 3 : 25;
  const rows: DeqRow[] = [];
  let k = 1;
  for (const level of LEVELS) {
    const candidates: { method: DeqRow['method']; setting: string; run: () => GradResult }[] = [];
    for (const method of ['multipliers, GMRES', 'multipliers, Christianson'] as const) {
      const tolerance = TOLERANCES.find(
        (t) => errorOf(grad(program, at, { ...methods[method], tolerance: t })) <= level,
      );
      if (tolerance === undefined) throw new Error(`deq bench: ${method} does not reach ${level}`);
      const workspace = buffersFor(program);
      candidates.push({
        method,
        setting: `tolerance ${tolerance}`,
        run: () => grad(program, at, { ...methods[method], tolerance, workspace }),
      });
    }
    // The fewest sweeps that reach the level; only that unrolled program is kept (the others would
    // only grow the heap the timed runs share).
    let unrolled: Program = unroll(program, k);
    while (errorOf(grad(unrolled, at, { wrt })) > level) {
      if (++k > MAX_SWEEPS) throw new Error(`deq bench: ${MAX_SWEEPS} unrolled sweeps do not reach ${level}`);
      unrolled = unroll(program, k);
    }
    const chosen = unrolled;
    const workspace = buffersFor(chosen);
    candidates.push({
      method: 'unrolled backprop',
      setting: `k = ${k}`,
      run: () => grad(chosen, at, { wrt, workspace }),
    });
    // Christianson's iteration and unrolled backprop side by side; GMRES on its own afterwards: its
    // basis is garbage that V8 collects on background threads, whose CPU time process.cpuUsage
    // bills to whatever runs next.
    const paired = cpuSideBySide([candidates[1].run, candidates[2].run], runs);
    const alone = cpuSideBySide([candidates[0].run], runs);
    const cpu = [alone.cpu[0], ...paired.cpu];
    const wall = [alone.wall[0], ...paired.wall];
    candidates.forEach((c, n) => {
      const r = c.run();
      const valueBytes = r.stats.peakBytes;
      const multiplierBytes = 8 * r.program.slots;
      const solverBytes = r.stats.solverBytes ?? 0;
      rows.push({
        level,
        method: c.method,
        setting: c.setting,
        error: errorOf(r),
        timing: cpu[n],
        wall: wall[n],
        valueBytes,
        multiplierBytes,
        solverBytes,
        bytes: valueBytes + multiplierBytes + solverBytes,
      });
    });
  }
  const ratios = LEVELS.map((level) => {
    const here = rows.filter((r) => r.level === level);
    const base = here.find((r) => r.method === 'unrolled backprop')!;
    const implicit = here.filter((r) => r.method !== 'unrolled backprop');
    const time = Math.min(...implicit.map((r) => r.timing.median)) / base.timing.median;
    const bytes = Math.min(...implicit.map((r) => r.bytes)) / base.bytes;
    return { level, time, bytes, met: time < 1 && bytes < 1 };
  });
  return {
    hidden,
    slots: program.slots,
    rate: plain.convergence![0].rate,
    sweeps: plain.stats.primalIterations!,
    referenceCheck,
    rows,
    ratios,
  };
}

/** Values and multipliers reused call after call, as the README asks of a training loop. */
const buffersFor = (program: Program) => ({
  values: new Float64Array(program.slots),
  lambda: new Float64Array(program.slots),
});

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/**
 * Times the functions side by side in CPU time and on the wall clock: two untimed runs each, then
 * `runs` rounds that run each once, garbage collected and run once untimed just before (so each
 * finds its arrays in the caches, as in a training loop).
 */
function cpuSideBySide(fns: readonly (() => unknown)[], runs: number): { cpu: Timing[]; wall: Timing[] } {
  for (const fn of fns) for (let k = 0; k < 2; k++) fn();
  const cpu: number[][] = fns.map(() => []);
  const wall: number[][] = fns.map(() => []);
  for (let round = 0; round < runs; round++) {
    fns.forEach((fn, k) => {
      collect();
      fn();
      const t = performance.now();
      const u = process.cpuUsage();
      fn();
      const used = process.cpuUsage(u);
      wall[k].push(performance.now() - t);
      cpu[k].push((used.user + used.system) / 1000);
    });
  }
  return { cpu: cpu.map(summarize), wall: wall.map(summarize) };
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const kib = (b: number) => (b / 1024).toFixed(0);

export function deqReport(result: DeqResult): string {
  const lines = [
    `Equilibrium layer Z = tanh(Z W + X U + b) on iris (150 × ${result.hidden} states, ${result.slots} slots, ‖W‖ = 0.9; fixed point by ${result.sweeps} sweeps, rate ${result.rate.toFixed(3)}):`,
    `the parameters' gradient by multipliers against backprop through k unrolled sweeps, at equal accuracy (reference: multipliers at tolerance 0; GMRES and Christianson agree to ${result.referenceCheck.toExponential(0)})`,
  ];
  const header = [
    'accuracy',
    'gradient',
    'setting',
    'rel. error',
    'CPU ms median [min]',
    'wall ms',
    'values KiB',
    'λ KiB',
    'solver KiB',
    'total KiB',
  ];
  const body = result.rows.map((r) => [
    r.level.toExponential(0),
    r.method,
    r.setting,
    r.error.toExponential(1),
    `${ms(r.timing.median)} [${ms(r.timing.min)}]`,
    ms(r.wall.median),
    kib(r.valueBytes),
    kib(r.multiplierBytes),
    kib(r.solverBytes),
    kib(r.bytes),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  lines.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line));
  lines.push(
    'target: the implicit gradient cheaper than unrolled backprop at equal accuracy (best implicit ÷ unrolled)',
  );
  for (const r of result.ratios)
    lines.push(
      `  accuracy ${r.level.toExponential(0)}: time ${r.time.toFixed(2)}, bytes ${r.bytes.toFixed(2)} — ${r.met ? 'met' : 'NOT met'}`,
    );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false }, hidden: { type: 'string' } } });
  console.log(
    deqReport(
      deqBench({ smoke: values.smoke, hidden: values.hidden === undefined ? undefined : Number(values.hidden) }),
    ),
  );
}
