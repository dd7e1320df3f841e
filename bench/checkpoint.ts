// Checkpointing's overhead (issue 14, item 6): revolve on a chain x_{k+1} = sin(x_k) against plain
// reverse, timed side by side in one process. Revolve does more evaluations (advances + l against
// l); the target is that it costs no more time than that, within 20%:
//
//   time ratio (revolve / reverse)  ≤  1.2 × evaluation ratio (revolve / reverse evaluations).
//
// Both are timed as users call them: `grad(program, {}, { schedule: 'reverse' })` and
// `checkpointGrad(program, {}, { strategy: 'revolve', snapshots })`, the median of rounds that run
// each once (bench/harness.ts), so a burst of load on the machine hits both alike.
//
//   node --expose-gc --import tsx bench/checkpoint.ts [steps…] [--snapshots C] [--runs R]
import { pathToFileURL } from 'node:url';
import { checkpointGrad, grad, primitives, Program } from '../src/index.ts';
import { sideBySide } from './harness.ts';

export interface CheckpointOverheadOptions {
  /** Chain lengths (default 10⁶ and 10⁷). */
  readonly steps?: readonly number[];
  /** Revolve's snapshot slots (default 100). */
  readonly snapshots?: number;
  /** Timed rounds per chain (default 5). */
  readonly runs?: number;
  /** Called with one line per chain as it is measured. */
  readonly log?: (line: string) => void;
}

export interface CheckpointOverhead {
  readonly steps: number;
  readonly snapshots: number;
  /** Median milliseconds of one gradient. */
  readonly reverseMs: number;
  readonly revolveMs: number;
  /** revolveMs / reverseMs. */
  readonly timeRatio: number;
  /** Revolve's primitive evaluations / reverse's. */
  readonly evaluationRatio: number;
  /** timeRatio / evaluationRatio: the target is at most TARGET. */
  readonly overhead: number;
  readonly met: boolean;
}

/** The target: revolve's time ratio within 1.2× its evaluation ratio. */
export const TARGET = 1.2;

/** A chain of `steps` sines from arrays of exactly its size (as examples/long-chain.ts --parts). */
export function sineChain(steps: number): Program {
  const n = steps + 1;
  const ops = new Int32Array(n).fill(primitives.code('sin'));
  ops[0] = 0;
  const parentStart = new Int32Array(n + 1);
  const parents = new Int32Array(steps);
  for (let k = 1; k < n; k++) {
    parents[k - 1] = k - 1;
    parentStart[k + 1] = k;
  }
  return Program.from({ ops, parentStart, parents, constants: new Float64Array(n), outputs: [steps], names: new Map([['x', 0]]), defaults: new Map([[0, 1.2]]) });
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
    if (checkpointed.gradient.x !== plain.gradient.x) throw new Error(`bench: revolve's gradient ${checkpointed.gradient.x} differs from reverse's ${plain.gradient.x}`);
    const [reverseTime, revolveTime] = sideBySide([reverse, revolve], { warmup: 1, runs: options.runs ?? 5, budgetMs: 120_000 });
    const timeRatio = revolveTime.median / reverseTime.median;
    const evaluationRatio = checkpointed.stats.primitiveEvaluations / plain.stats.primitiveEvaluations;
    const overhead = timeRatio / evaluationRatio;
    const result = { steps, snapshots, reverseMs: reverseTime.median, revolveMs: revolveTime.median, timeRatio, evaluationRatio, overhead, met: overhead <= TARGET };
    options.log?.(format(result));
    results.push(result);
  }
  return results;
}

/** One line: the two times, their ratio, the evaluation ratio and the target check. */
export function format(r: CheckpointOverhead): string {
  return (
    `chain ${r.steps.toExponential(0)}, revolve ${r.snapshots} slots: reverse ${r.reverseMs.toFixed(0)} ms, revolve ${r.revolveMs.toFixed(0)} ms; ` +
    `time ratio ${r.timeRatio.toFixed(2)}, evaluation ratio ${r.evaluationRatio.toFixed(2)}: ${r.overhead.toFixed(2)}× ` +
    `(target ≤ ${TARGET}×: ${r.met ? 'met' : 'NOT met'})`
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
  console.log(`checkpointing overhead on ${process.platform} ${process.arch}, node ${process.version}`);
  checkpointOverhead({ steps: steps.length > 0 ? steps : undefined, snapshots, runs, log: (line) => console.log(line) });
}
