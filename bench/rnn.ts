// The RNN rows of the benchmark (issue 13): the gradient of an Elman network
// h_t = tanh(W h_{t−1} + U x_t + b) (hidden 64, inputs 8, loss Σ h_T; examples/rnn.ts) at
// T = 10³ and 10⁴, under reverse and under revolve with C = 10 and C = 100 snapshots, against
// TF.js's CPU backend taking `grads` through the same unrolled loop (float32, one tensor op per
// constraint). Time as users call it (grad, checkpointGrad, tf.grads), in rounds that run each once
// (garbage collected before each run), medians of the wall clock and of CPU time; memory as
// counted: lagrad's stats.peakBytes, TF.js's bytes of live tensors at the end of the forward pass
// (its tape). The target, on CPU time:
//
//   revolve time  ≤  (revolve evaluations / reverse evaluations) · reverse time · 1.2
//
// (issue 13 writes the ratio (advances + T)/T in steps; in constraints it is this one).
//
//   node --expose-gc --import tsx bench/rnn.ts [T…] [--runs R] [--no-tfjs]
import { fileURLToPath } from 'node:url';
import { elman, elmanPoint, HIDDEN, INPUT } from '../examples/rnn.ts';
import { Matrix } from 'ml-matrix';
import { checkpointGrad, grad } from '../src/index.ts';
import { rounds, TARGET, type Times } from './checkpoint.ts';
import { loadTf, type TF } from './tfjs.ts';

export interface RnnRow {
  readonly steps: number;
  /** 'reverse', 'revolve C=10', 'revolve C=100' or 'tfjs'. */
  readonly system: string;
  readonly times: Times;
  readonly evaluations: number | null;
  /** Bytes held at the peak: counted by lagrad, the live tensors after the forward pass for TF.js. */
  readonly peakBytes: number;
  /** revolve: its CPU-time ratio to reverse ÷ its evaluation ratio (target ≤ 1.2). */
  readonly overhead: number | null;
  readonly met: boolean | null;
  /** Largest |Δ| of ∂loss/∂W against reverse's, relative to max |∂loss/∂W| (0: the same bits). */
  readonly gradientError: number;
}

export interface RnnBenchOptions {
  readonly steps?: readonly number[];
  readonly runs?: number;
  /** TF.js (loaded by the caller), or null to leave it out. */
  readonly tf?: TF | null;
  readonly log?: (line: string) => void;
}

/** ∂loss/∂W as a flat array. */
function wOf(gradient: Record<string, unknown>): Float64Array {
  const W = gradient.W as Matrix;
  return Float64Array.from(W.to2DArray().flat());
}

function relative(x: ArrayLike<number>, reference: Float64Array): number {
  let scale = 0;
  let error = 0;
  for (let k = 0; k < reference.length; k++) {
    scale = Math.max(scale, Math.abs(reference[k]));
    error = Math.max(error, Math.abs(x[k] - reference[k]));
  }
  return scale > 0 ? error / scale : error;
}

/** The unrolled loop in TF.js: loss and ∂loss/∂(W, U, b, h0) by tf.grads; ∂loss/∂W and the tape's bytes. */
function tfGradient(
  tf: TF,
  point: Record<string, number[] | number[][]>,
  steps: number,
): { W: Float32Array; tapeBytes: number } {
  let tapeBytes = 0;
  let W: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const column = (v: number[]) => tf.tensor2d(v, [v.length, 1]);
    const xs = Array.from({ length: steps }, (_, t) => column(point[`x${t + 1}`] as number[]));
    const f = (
      w: import('@tensorflow/tfjs-core').Tensor,
      u: import('@tensorflow/tfjs-core').Tensor,
      b: import('@tensorflow/tfjs-core').Tensor,
      h0: import('@tensorflow/tfjs-core').Tensor,
    ) => {
      let h = h0;
      for (let t = 0; t < steps; t++) h = tf.tanh(tf.add(tf.add(tf.matMul(w, h), tf.matMul(u, xs[t])), b));
      const loss = tf.sum(h);
      tapeBytes = tf.memory().numBytes;
      return loss;
    };
    const grads = tf.grads(f as never)([
      tf.tensor2d(point.W as number[][]),
      tf.tensor2d(point.U as number[][]),
      column(point.b as number[]),
      column(point.h0 as number[]),
    ]);
    W = grads[0].dataSync() as Float32Array;
  });
  return { W, tapeBytes };
}

/** Times reverse, revolve (C = 10, 100) and TF.js on the Elman network at each length. */
export function rnnBench(options: RnnBenchOptions = {}): RnnRow[] {
  const rows: RnnRow[] = [];
  const runs = options.runs ?? 3;
  for (const steps of options.steps ?? [1000, 10_000]) {
    const program = elman(steps);
    const point = elmanPoint(steps);
    const reverse = () => grad(program, point, { schedule: 'reverse' });
    const revolve = (snapshots: number) => () => checkpointGrad(program, point, { strategy: 'revolve', snapshots });
    const plain = reverse();
    const reference = wOf(plain.gradient);
    const c10 = revolve(10)();
    const c100 = revolve(100)();
    const fns: (() => unknown)[] = [reverse, revolve(10), revolve(100)];
    let tf: { W: Float32Array; tapeBytes: number } | null = null;
    if (options.tf) {
      const t = options.tf;
      tf = tfGradient(t, point, steps);
      fns.push(() => tfGradient(t, point, steps));
    }
    const times = rounds(fns, runs);
    const base = plain.stats.primitiveEvaluations;
    const revolveRow = (label: string, run: typeof c10, k: number): RnnRow => {
      const evaluationRatio = run.stats.primitiveEvaluations / base;
      const overhead = times[k].cpuMs / times[0].cpuMs / evaluationRatio;
      return {
        steps,
        system: label,
        times: times[k],
        evaluations: run.stats.primitiveEvaluations,
        peakBytes: run.stats.peakBytes ?? 0,
        overhead,
        met: overhead <= TARGET,
        gradientError: relative(wOf(run.gradient), reference),
      };
    };
    const added: RnnRow[] = [
      {
        steps,
        system: 'reverse',
        times: times[0],
        evaluations: base,
        peakBytes: plain.stats.peakBytes ?? 0,
        overhead: null,
        met: null,
        gradientError: 0,
      },
      revolveRow('revolve C=10', c10, 1),
      revolveRow('revolve C=100', c100, 2),
    ];
    if (tf)
      added.push({
        steps,
        system: 'tfjs',
        times: times[3],
        evaluations: null,
        peakBytes: tf.tapeBytes,
        overhead: null,
        met: null,
        gradientError: relative(tf.W, reference),
      });
    for (const row of added) options.log?.(formatRow(row));
    rows.push(...added);
  }
  return rows;
}

/** One line per row. */
export function formatRow(r: RnnRow): string {
  const kb = (r.peakBytes / 1024).toFixed(1);
  const target =
    r.overhead === null
      ? ''
      : `, ${r.overhead.toFixed(2)}× the evaluations' share (target ≤ ${TARGET}: ${r.met ? 'met' : 'NOT met'})`;
  return `RNN T=${r.steps} ${r.system}: ${r.times.wallMs.toFixed(0)} ms (cpu ${r.times.cpuMs.toFixed(0)} ms), ${r.evaluations ?? '—'} evaluations, peak ${kb} KiB, ∂W error ${r.gradientError.toExponential(1)}${target}`;
}

/** The rows as a Markdown table, for the README. */
export function rnnTable(rows: readonly RnnRow[]): string {
  const lines = [
    `| T | system | time (ms) | cpu (ms) | evaluations | peak bytes | rel. error of ∂W | revolve overhead (target ≤ ${TARGET}) |`,
    '|---:|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.steps} | ${r.system} | ${r.times.wallMs.toFixed(0)} | ${r.times.cpuMs.toFixed(0)} | ${r.evaluations ?? '—'} | ${r.peakBytes} | ${r.gradientError.toExponential(1)} | ${r.overhead === null ? '' : `${r.overhead.toFixed(2)}× ${r.met ? 'met' : 'NOT met'}`} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const noTf = args.includes('--no-tfjs');
  const k = args.indexOf('--runs');
  const runs = k >= 0 ? Number(args.splice(k, 2)[1]) : undefined;
  const steps = args.filter((a) => !a.startsWith('--')).map(Number);
  console.log(
    `RNN gradient (hidden ${HIDDEN}, inputs ${INPUT}), ${process.platform} ${process.arch}, node ${process.version}`,
  );
  const rows = rnnBench({
    steps: steps.length > 0 ? steps : undefined,
    runs,
    tf: noTf ? null : await loadTf(),
    log: (line) => console.log(line),
  });
  console.log('\n' + rnnTable(rows));
}
