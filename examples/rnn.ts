// An Elman network over T steps, differentiated in bounded memory:
//
//   h_t = tanh(W h_{t−1} + U x_t + b),   t = 1 … T,   loss = Σ_k (h_T)_k,
//
// hidden size 64, inputs x_t of size 8, built through the builder (or read from the .lag text this
// file writes). Plain reverse holds every value and multiplier of the unrolled loop (five blocks of
// 64 per step); revolve with C snapshots holds C hidden states and a frame of three, however long
// the sequence, for more evaluations; its gradient equals reverse's bit for bit.
//
//   npx tsx examples/rnn.ts [T]              the table: each strategy in a child process, its time,
//                                            counted peakBytes, peak RSS, and the gradient checked
//   npx tsx examples/rnn.ts --lag [T] > rnn.lag    the program as .lag text (weights: rnn --data)
//   npx tsx examples/rnn.ts --data [T] > rnn.json  its point, for lagrad grad rnn.lag --data rnn.json
//   npx tsx examples/rnn.ts --one STRATEGY [C] [T] one run (what the table's children do)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { checkpointGrad, grad, ProgramBuilder, type Program } from '../src/index.ts';

export const HIDDEN = 64;
export const INPUT = 8;

/** The Elman network of `steps` steps through the builder. */
export function elman(steps: number, hidden = HIDDEN, input = INPUT): Program {
  const b = new ProgramBuilder();
  const W = b.input('W', [hidden, hidden]);
  const U = b.input('U', [hidden, input]);
  const bias = b.input('b', [hidden]);
  let h = b.input('h0', [hidden]);
  const xs: number[] = [];
  for (let t = 1; t <= steps; t++) xs.push(b.input(`x${t}`, [input]));
  for (let t = 1; t <= steps; t++)
    h = b.apply('tanh', b.apply('add', b.apply('add', b.apply('matmul', W, h), b.apply('matmul', U, xs[t - 1])), bias));
  b.name(h, 'h');
  const loss = b.applyMany('sum', [h]);
  b.name(loss, 'loss');
  return b.output(loss).build();
}

/** The same program as .lag text: parsed, it evaluates the same constraints in the same order. */
export function elmanText(steps: number, hidden = HIDDEN, input = INPUT): string {
  const lines = [
    `# Elman network: h_t = tanh(W h_{t-1} + U x_t + b), ${steps} steps, hidden ${hidden}; loss = sum(h_T)`,
  ];
  lines.push(
    `input W[${hidden}, ${hidden}]`,
    `input U[${hidden}, ${input}]`,
    `input b[${hidden}]`,
    `input h0[${hidden}]`,
  );
  for (let t = 1; t <= steps; t++) lines.push(`input x${t}[${input}]`);
  for (let t = 1; t <= steps; t++) lines.push(`h${t} = tanh(W @ h${t - 1} + U @ x${t} + b)`);
  lines.push(`loss = sum(h${steps})`, 'output loss');
  return lines.join('\n') + '\n';
}

/**
 * A fixed point of the network, by name: W with spectral radius ≈ 0.9 (entries ±0.9/√hidden by a
 * deterministic hash), U and the x_t of moderate size, b small, h0 zero.
 */
export function elmanPoint(steps: number, hidden = HIDDEN, input = INPUT): Record<string, number[] | number[][]> {
  const unit = (k: number) => {
    const s = Math.sin(12.9898 * k + 78.233) * 43758.5453;
    return 2 * (s - Math.floor(s)) - 1;
  };
  let k = 0;
  const matrix = (rows: number, cols: number, scale: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * unit(++k)));
  const vector = (n: number, scale: number) => Array.from({ length: n }, () => scale * unit(++k));
  const point: Record<string, number[] | number[][]> = {
    W: matrix(hidden, hidden, 0.9 * Math.sqrt(3 / hidden)),
    U: matrix(hidden, input, 0.5),
    b: vector(hidden, 0.1),
    h0: vector(hidden, 0),
  };
  for (let t = 1; t <= steps; t++) point[`x${t}`] = vector(input, 1);
  return point;
}

/** The strategies of the table: what runs, and how it is named. */
export const RUNS = [
  { label: 'reverse', strategy: 'reverse', snapshots: 0 },
  { label: 'store-all', strategy: 'store-all', snapshots: 0 },
  { label: 'sqrt', strategy: 'sqrt', snapshots: 0 },
  { label: 'revolve C=10', strategy: 'revolve', snapshots: 10 },
  { label: 'revolve C=100', strategy: 'revolve', snapshots: 100 },
] as const;

/** One run's report, as a child prints it (one JSON line). */
export interface RnnRun {
  readonly strategy: string;
  readonly snapshots: number;
  readonly steps: number;
  readonly ms: number;
  readonly value: number;
  /** sha256 of the gradient's bytes, input by input: equal hashes are equal bits. */
  readonly gradientHash: string;
  readonly primitiveEvaluations: number;
  readonly peakBytes: number;
  /** Peak resident set of the process, bytes (process.resourceUsage().maxRSS). */
  readonly maxRss: number;
}

/** Builds the program and runs one strategy ('none': build only, the baseline of the RSS column). */
export function runOne(strategy: string, snapshots: number, steps: number): RnnRun {
  const program = elman(steps);
  const at = elmanPoint(steps);
  let result: {
    value: number;
    gradient: Record<string, unknown>;
    stats: { primitiveEvaluations: number; peakBytes?: number };
  } | null = null;
  const start = performance.now();
  if (strategy === 'reverse') result = grad(program, at, { schedule: 'reverse' });
  else if (strategy !== 'none')
    result = checkpointGrad(
      program,
      at,
      strategy === 'revolve' ? { strategy: 'revolve', snapshots } : { strategy: strategy as 'store-all' | 'sqrt' },
    );
  const ms = performance.now() - start;
  const hash = createHash('sha256');
  if (result)
    for (const name of Object.keys(result.gradient))
      hash.update(new Uint8Array(Float64Array.from(flat(result.gradient[name])).buffer));
  return {
    strategy,
    snapshots,
    steps,
    ms,
    value: result?.value ?? NaN,
    gradientHash: result ? hash.digest('hex').slice(0, 16) : '',
    primitiveEvaluations: result?.stats.primitiveEvaluations ?? 0,
    peakBytes: result?.stats.peakBytes ?? 0,
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
}

function flat(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (value instanceof Float64Array) return Array.from(value);
  const m = value as { to2DArray?: () => number[][] };
  if (typeof m.to2DArray === 'function') return m.to2DArray().flat();
  throw new Error(`rnn: a gradient entry of unexpected kind`);
}

/** Runs one strategy in a child process of its own (so its peak RSS is its own). */
export function inChild(strategy: string, snapshots: number, steps: number): RnnRun {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', self, '--one', strategy, String(snapshots), String(steps)],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (child.status !== 0)
    throw new Error(`rnn: the child for ${strategy} failed: ${child.stderr.trim().split('\n').pop()}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as RnnRun;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

function table(steps: number): void {
  console.log(
    `Elman network h_t = tanh(W h_{t-1} + U x_t + b): hidden ${HIDDEN}, inputs ${INPUT}, T = ${steps}, loss = sum(h_T)`,
  );
  console.log(`one hidden state = ${HIDDEN * 8} bytes; each row a child process (peak RSS = the process's maxRSS)\n`);
  const base = inChild('none', 0, steps);
  console.log(`building the program and its point alone: peak RSS ${mb(base.maxRss)} (the baseline)\n`);
  const header = [
    'strategy',
    'ms',
    'evaluations',
    'peakBytes (counted)',
    'in hidden states',
    'peak RSS',
    'RSS − baseline',
    'gradient = reverse',
  ];
  const widths = [14, 8, 12, 20, 17, 10, 15, 19];
  const row = (cells: (string | number)[]) => cells.map((c, k) => String(c).padStart(widths[k])).join(' ');
  console.log(row(header));
  let reference = '';
  for (const r of RUNS) {
    const run = inChild(r.strategy, r.snapshots, steps);
    if (r.strategy === 'reverse') reference = run.gradientHash;
    console.log(
      row([
        r.label,
        run.ms.toFixed(0),
        run.primitiveEvaluations,
        run.peakBytes,
        (run.peakBytes / (8 * HIDDEN)).toFixed(1),
        mb(run.maxRss),
        mb(run.maxRss - base.maxRss),
        run.gradientHash === reference ? 'bit for bit' : 'DIFFERS',
      ]),
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--one') {
    const [, strategy, snapshots, steps] = args;
    console.log(JSON.stringify(runOne(strategy, Number(snapshots), Number(steps))));
  } else if (args[0] === '--lag') process.stdout.write(elmanText(Number(args[1] ?? 10_000)));
  else if (args[0] === '--data') process.stdout.write(JSON.stringify(elmanPoint(Number(args[1] ?? 10_000))) + '\n');
  else table(Number(args[0] ?? 10_000));
}
