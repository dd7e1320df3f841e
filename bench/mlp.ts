import { evaluate, grad, parseProgram, resolvePoint, type Program } from '../src/index.ts';
import { gemm } from '../src/primitives/blocks/gemm.ts';
import { irisData } from '../examples/lib/iris-data.ts';
import { normal, uniform } from '../examples/lib/seeded.ts';
import { batchSize, sideBySide, type MeasureOptions, type Timing } from './harness.ts';
import { matmulIkj, MlpTape, parameterCount, type MlpShape } from './mlpTape.ts';
import { relativeError } from './systems.ts';
import { TfMlp } from './tfjsMlp.ts';
import type { TF } from './tfjs.ts';

// The block workloads: the gradient of a one-hidden-layer network's loss (tanh, softmax
// cross-entropy, full batch) with respect to its parameters, by lagrad (the program parsed from
// .lag text, called with reused buffers), by the hand-written Float64Array pass (mlpTape.ts) and by
// TF.js on its CPU backend — every result checked against lagrad's before any is timed, then all
// timed side by side. And one matrix product, lagrad's kernel beside the plain loop, in GFLOP/s.

export const BLOCK_WORKLOADS = ['mlp-iris', 'mlp-784'] as const;
export type BlockWorkload = (typeof BLOCK_WORKLOADS)[number];

/** One system's loss and gradient on one network. `gradient()` returns the loss and fills `out`. */
interface MlpSystem {
  readonly system: 'lagrad' | 'hand-written' | 'tfjs';
  /** Relative tolerance of the check against lagrad (float32 for TF.js). */
  readonly tolerance: number;
  value(): number;
  gradient(): number;
  readonly out: Float64Array;
}

export interface BlockRow {
  readonly workload: BlockWorkload;
  /** `150×4 → 16 → 3`: batch × features → hidden → classes. */
  readonly network: string;
  readonly system: string;
  readonly mode: 'value' | 'gradient';
  /** Relative error of the loss and (for gradients) of the gradient against lagrad's, the larger. */
  readonly error: number;
  readonly checked: boolean;
  /** Milliseconds per call; null when the check failed (not timed). */
  readonly timing: Timing | null;
  /** This row's median ÷ the hand-written pass's for the same mode, same run. */
  readonly perHandWritten: number | null;
}

export interface MatmulRow {
  readonly product: string;
  readonly system: string;
  readonly error: number;
  readonly checked: boolean;
  readonly timing: Timing | null;
  /** 2·m·k·n / time. */
  readonly gflops: number | null;
}

/** The product of the GFLOP/s row, m × k by k × n: the first layer of the large network, X W1. */
const MATMUL_SIZE = [256, 784, 256] as const;
export const MATMUL_PRODUCT = productName(...MATMUL_SIZE);

const FLOAT64 = 1e-10;
const FLOAT32 = 1e-3;

/** The network of each workload; `smoke` shrinks the large one so CI stays quick. */
export function mlpShape(workload: BlockWorkload, smoke: boolean): MlpShape {
  if (workload === 'mlp-iris') return { m: 150, d: 4, h: 16, c: 3 };
  return smoke ? { m: 32, d: 784, h: 32, c: 10 } : { m: 256, d: 784, h: 256, c: 10 };
}

export const networkName = ({ m, d, h, c }: MlpShape) => `${m}×${d} → ${h} → ${c}`;

/** The network as a .lag program (the lines of examples/iris.lag at other sizes). */
export function mlpText({ m, d, h, c }: MlpShape): string {
  return [
    `input X[${m}, ${d}]`,
    `input Y[${m}, ${c}]`,
    `input W1[${d}, ${h}]`,
    `input b1[${h}] = 0`,
    `input W2[${h}, ${c}]`,
    `input b2[${c}] = 0`,
    'hidden = tanh(X @ W1 + b1)',
    'logits = hidden @ W2 + b2',
    'loss = softmax_cross_entropy(logits, Y)',
    'output loss',
    '',
  ].join('\n');
}

/**
 * The data and starting parameters: iris (standardized) for `mlp-iris`, otherwise synthetic —
 * "pixels" uniform in [0, 1), classes uniform. Weights N(0, 1/fan-in), biases uniform in ±0.1
 * (not 0, so their gradients' broadcast sums are exercised); all from `seed`.
 */
export function mlpProblem(
  workload: BlockWorkload,
  shape: MlpShape,
  seed: number,
): { X: Float64Array; Y: Float64Array; theta: Float64Array } {
  const { m, d, h, c } = shape;
  const u = uniform(seed);
  const z = normal(seed + 1);
  let X: Float64Array;
  let Y: Float64Array;
  if (workload === 'mlp-iris') {
    ({ X, Y } = irisData());
  } else {
    X = Float64Array.from({ length: m * d }, u);
    Y = new Float64Array(m * c);
    for (let i = 0; i < m; i++) Y[i * c + Math.floor(u() * c)] = 1;
  }
  const theta = new Float64Array(parameterCount(shape));
  const b1 = d * h;
  const W2 = b1 + h;
  const b2 = W2 + h * c;
  for (let e = 0; e < theta.length; e++) {
    if (e < b1) theta[e] = z() / Math.sqrt(d);
    else if (e >= W2 && e < b2) theta[e] = z() / Math.sqrt(h);
    else theta[e] = 0.2 * u() - 0.1;
  }
  return { X, Y, theta };
}

/** lagrad as a training loop calls it: one point slab, gradients with respect to the parameters, buffers reused. */
export class LagradMlp implements MlpSystem {
  readonly system = 'lagrad';
  readonly tolerance = 0;
  readonly program: Program;
  /** The inputs X, Y, W1, b1, W2, b2 back to back; the parameters are its tail. */
  readonly point: Float64Array;
  private readonly first: number;
  private readonly workspace: { values: Float64Array; lambda: Float64Array };
  out: Float64Array;

  constructor(shape: MlpShape, X: Float64Array, Y: Float64Array, theta: Float64Array) {
    const { d, h, c } = shape;
    this.program = parseProgram(mlpText(shape), { file: 'mlp.lag' });
    const b1 = d * h;
    const W2 = b1 + h;
    const b2 = W2 + h * c;
    const at = {
      X,
      Y,
      W1: theta.subarray(0, b1),
      b1: theta.subarray(b1, W2),
      W2: theta.subarray(W2, b2),
      b2: theta.subarray(b2),
    };
    this.point = resolvePoint(this.program, at);
    this.first = this.program.layout!.offset[this.program.indexOf('W1')];
    this.workspace = { values: new Float64Array(this.program.slots), lambda: new Float64Array(this.program.slots) };
    this.out = new Float64Array(0);
  }

  value(): number {
    return evaluate(this.program, this.point, { values: this.workspace.values });
  }

  gradient(): number {
    const r = grad(this.program, this.point, { wrt: ['W1', 'b1', 'W2', 'b2'], workspace: this.workspace });
    this.out = r.solution.gradient.subarray(this.first);
    return r.value;
  }
}

class HandWritten implements MlpSystem {
  readonly system = 'hand-written';
  readonly tolerance = FLOAT64;
  private readonly tape: MlpTape;
  readonly out: Float64Array;
  constructor(
    shape: MlpShape,
    private readonly X: Float64Array,
    private readonly Y: Float64Array,
    private readonly theta: Float64Array,
  ) {
    this.tape = new MlpTape(shape);
    this.out = new Float64Array(theta.length);
  }
  value(): number {
    return this.tape.loss(this.X, this.Y, this.theta);
  }
  gradient(): number {
    return this.tape.gradient(this.X, this.Y, this.theta, this.out);
  }
}

function tfSystem(tf: TF, shape: MlpShape, X: Float64Array, Y: Float64Array, theta: Float64Array): MlpSystem {
  const net = new TfMlp(tf, shape, X, Y, theta);
  return { system: 'tfjs', tolerance: FLOAT32, value: () => net.value(), gradient: () => net.gradient(), out: net.out };
}

/**
 * One workload: every system's loss (value mode) and loss and gradient (gradient mode) checked
 * against lagrad's, then the ones that agree timed side by side, per call.
 */
export function benchMlp(
  workload: BlockWorkload,
  tf: TF | null,
  options: MeasureOptions,
  smoke: boolean,
  seed: number,
): BlockRow[] {
  const shape = mlpShape(workload, smoke);
  const { X, Y, theta } = mlpProblem(workload, shape, seed);
  const lagrad = new LagradMlp(shape, X, Y, theta);
  const systems: MlpSystem[] = [lagrad, new HandWritten(shape, X, Y, theta)];
  if (tf) systems.push(tfSystem(tf, shape, X, Y, theta));
  const loss = lagrad.gradient();
  const reference = Float64Array.from(lagrad.out);
  const network = networkName(shape);
  const runs = systems.flatMap((s) => [
    { s, mode: 'value' as const, fn: (): void => void s.value(), error: relativeError(s.value(), loss) },
    {
      s,
      mode: 'gradient' as const,
      fn: (): void => void s.gradient(),
      error: Math.max(relativeError(s.gradient(), loss), relativeError(s.out, reference)),
    },
  ]);
  const timed = runs.filter((r) => r.error <= r.s.tolerance);
  const fns = timed.map((r) => r.fn);
  // No forced collection before each run: TF.js is many times slower for a while after one.
  const timings = new Map(
    sideBySide(fns, { ...options, collect: false }, fns.map(batchSize)).map((t, k) => [timed[k], t]),
  );
  const handWritten = (mode: string) =>
    timings.get(runs.find((r) => r.s.system === 'hand-written' && r.mode === mode)!)?.median;
  return runs.map((r) => {
    const timing = timings.get(r) ?? null;
    const base = handWritten(r.mode);
    const status = timing
      ? `${formatMs(timing.median)} ms/call`
      : `CHECK FAILED (error ${r.error.toExponential(1)} > ${r.s.tolerance})`;
    console.error(`  ${workload} ${network} ${r.s.system} ${r.mode}: ${status}`);
    return {
      workload,
      network,
      system: r.s.system,
      mode: r.mode,
      error: r.error,
      checked: timing !== null,
      timing,
      perHandWritten: timing && base ? timing.median / base : null,
    };
  });
}

/**
 * The matrix product C = A B (m × k by k × n) by lagrad's kernel (the loops `@` runs), by the plain
 * i-k-j loop, and by TF.js's matMul (float32), checked against each other, then timed side by side.
 */
export function benchMatmul(tf: TF | null, options: MeasureOptions, smoke: boolean, seed: number): MatmulRow[] {
  const [m, k, n] = smoke ? [64, 196, 64] : MATMUL_SIZE;
  const u = uniform(seed);
  const A = Float64Array.from({ length: m * k }, () => 2 * u() - 1);
  const B = Float64Array.from({ length: k * n }, () => 2 * u() - 1);
  const C = new Float64Array(m * n);
  const plain = new Float64Array(m * n);
  gemm(A, 0, B, 0, C, 0, m, k, n, false);
  const reference = Float64Array.from(C);
  const systems: { system: string; run: () => ArrayLike<number>; tolerance: number }[] = [
    { system: 'lagrad', run: () => (gemm(A, 0, B, 0, C, 0, m, k, n, false), C), tolerance: FLOAT64 },
    { system: 'hand-written', run: () => (matmulIkj(A, B, plain, m, k, n), plain), tolerance: FLOAT64 },
  ];
  if (tf) systems.push({ system: 'tfjs', run: TfMlp.matmul(tf, A, B, m, k, n), tolerance: FLOAT32 });
  const product = productName(m, k, n);
  const errors = systems.map((s) => relativeError(Float64Array.from(s.run()), reference));
  const timed = systems.filter((s, q) => errors[q] <= s.tolerance);
  const timings = new Map(
    sideBySide(
      timed.map((s) => () => void s.run()),
      { ...options, collect: false },
    ).map((t, q) => [timed[q], t]),
  );
  return systems.map((s, q) => {
    const timing = timings.get(s) ?? null;
    const gflops = timing ? (2 * m * k * n) / (timing.median * 1e6) : null;
    console.error(
      `  matmul ${product} ${s.system}: ${timing ? `${formatMs(timing.median)} ms, ${gflops!.toFixed(2)} GFLOP/s` : `CHECK FAILED (error ${errors[q].toExponential(1)})`}`,
    );
    return { product, system: s.system, error: errors[q], checked: timing !== null, timing, gflops };
  });
}

function productName(m: number, k: number, n: number): string {
  return `${m}×${k} @ ${k}×${n}`;
}

const formatMs = (x: number) =>
  x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2);
