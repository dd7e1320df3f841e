// Checkpointing's overhead (issue 14, item 6): revolve on a chain x_{k+1} = sin(x_k) against plain
// reverse, timed side by side in one process. Revolve does more evaluations (advances + l against
// l); the target is that it costs no more time than that, within 20%:
//
//   time ratio (revolve / reverse)  ≤  1.2 × evaluation ratio (revolve / reverse evaluations).
//
// Both are timed as users call them: `grad(program, {}, { schedule: 'reverse' })` and
// `checkpointGrad(program, {}, { strategy: 'revolve', snapshots })`, in rounds that run each once
// (garbage collected before each run when node has --expose-gc), so a burst of load on the machine
// hits both alike. Each run is timed on the wall clock and in CPU time of the process
// (process.cpuUsage): on a machine shared with other work the wall clock also counts the time the
// process waited for a core, so the CPU ratio is the steadier of the two; both are reported, as
// medians over the rounds.
//
//   node --expose-gc --import tsx bench/checkpoint.ts [steps…] [--snapshots C] [--runs R]
import { pathToFileURL } from 'node:url';
import { checkpointGrad, grad } from '../src/index.ts';
import { sineChain } from '../examples/lib/sineChain.ts';

export interface CheckpointOverheadOptions {
  /** Chain lengths (default 10⁶ and 10⁷). */
  readonly steps?: readonly number[];
  /** Revolve's snapshot slots (default 100). */
  readonly snapshots?: number;
  /** Timed rounds per chain (default 5), after one untimed. */
  readonly runs?: number;
  /** Called with one line per chain as it is measured. */
  readonly log?: (line: string) => void;
}

/** Milliseconds of one gradient: the median over the rounds, on the wall clock and in CPU time. */
export interface Times {
  readonly wallMs: number;
  readonly cpuMs: number;
}

export interface CheckpointOverhead {
  readonly steps: number;
  readonly snapshots: number;
  readonly reverse: Times;
  readonly revolve: Times;
  /** revolve / reverse, wall clock. */
  readonly timeRatio: number;
  /** revolve / reverse, CPU time. */
  readonly cpuRatio: number;
  /** Revolve's primitive evaluations / reverse's. */
  readonly evaluationRatio: number;
  /** timeRatio / evaluationRatio and cpuRatio / evaluationRatio: the target is at most TARGET. */
  readonly overhead: number;
  readonly cpuOverhead: number;
  /** The target, checked on CPU time (the wall clock counts waits for a core on a shared machine). */
  readonly met: boolean;
}

/** The target: revolve's time ratio within 1.2× its evaluation ratio. */
export const TARGET = 1.2;

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});

/** Times the functions in rounds, one run of each per round after one untimed round; medians. */
export function rounds(fns: readonly (() => unknown)[], runs: number): Times[] {
  const wall: number[][] = fns.map(() => []);
  const cpu: number[][] = fns.map(() => []);
  for (let round = 0; round <= runs; round++) {
    fns.forEach((fn, k) => {
      collect();
      const usage = process.cpuUsage();
      const start = performance.now();
      fn();
      const ms = performance.now() - start;
      const used = process.cpuUsage(usage);
      if (round === 0) return;
      wall[k].push(ms);
      cpu[k].push((used.user + used.system) / 1000);
    });
  }
  return fns.map((_, k) => ({ wallMs: median(wall[k]), cpuMs: median(cpu[k]) }));
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Times reverse and revolve side by side on each chain; returns the ratios against the target. */
export function checkpointOverhead(options: CheckpointOverheadOptions = {}): CheckpointOverhead[] {
  const snapshots = options.snapshots ?? 100;
  const results: CheckpointOverhead[] = [];
  for (const steps of options.steps ?? [1_000_000, 10_000_000]) {
    const program = sineChain(steps);
    const reverse = () => grad(program, {}, { schedule: 'reverse' });
    const revolve = () => checkpointGrad(program, {}, { strategy: 'revolve', snapshots });
    const plain = reverse();
    const checkpointed = revolve();
    if (checkpointed.gradient.x !== plain.gradient.x)
      throw new Error(
        `bench: revolve's gradient ${checkpointed.gradient.x} differs from reverse's ${plain.gradient.x}`,
      );
    const [reverseTimes, revolveTimes] = rounds([reverse, revolve], options.runs ?? 5);
    const evaluationRatio = checkpointed.stats.primitiveEvaluations / plain.stats.primitiveEvaluations;
    const timeRatio = revolveTimes.wallMs / reverseTimes.wallMs;
    const cpuRatio = revolveTimes.cpuMs / reverseTimes.cpuMs;
    const result = {
      steps,
      snapshots,
      reverse: reverseTimes,
      revolve: revolveTimes,
      timeRatio,
      cpuRatio,
      evaluationRatio,
      overhead: timeRatio / evaluationRatio,
      cpuOverhead: cpuRatio / evaluationRatio,
      met: cpuRatio / evaluationRatio <= TARGET,
    };
    options.log?.(format(result));
    results.push(result);
  }
  return results;
}

/** Two lines: the times, their ratios, the evaluation ratio and the target check. */
export function format(r: CheckpointOverhead): string {
  const ms = (t: Times) => `${t.wallMs.toFixed(0)} ms (cpu ${t.cpuMs.toFixed(0)} ms)`;
  return (
    `chain ${r.steps.toExponential(0)}, revolve ${r.snapshots} slots: reverse ${ms(r.reverse)}, revolve ${ms(r.revolve)}\n` +
    `  time ratio ${r.timeRatio.toFixed(2)} (cpu ${r.cpuRatio.toFixed(2)}), evaluation ratio ${r.evaluationRatio.toFixed(2)}: ` +
    `${r.overhead.toFixed(2)}× (cpu ${r.cpuOverhead.toFixed(2)}×) the evaluations' share; target ≤ ${TARGET}×: ${r.met ? 'met' : 'NOT met'}`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const k = args.indexOf(name);
    return k >= 0 ? Number(args.splice(k, 2)[1]) : undefined;
  };
  const snapshots = flag('--snapshots');
  const runs = flag('--runs');
  const steps = args.map(Number);
  console.log(`checkpointing overhead, ${process.platform} ${process.arch}, node ${process.version}`);
  checkpointOverhead({
    steps: steps.length > 0 ? steps : undefined,
    snapshots,
    runs,
    log: (line) => console.log(line),
  });
}
