// Two classifiers of the iris flowers trained by full-batch gradient descent on lagrad's gradients:
// softmax regression (4 → 3), traced from TypeScript, and a network with one hidden layer
// (4 → 16 → 3, tanh), parsed from iris.lag with the data passed as block values. Prints the loss
// and training accuracy every few epochs, draws both loss curves to an SVG (vega-lite), certifies
// the trained network's gradient with `verify`, and measures what the gradient costs against the
// function: counted sweeps and time of `grad` beside `evaluate`.
// Run: npx tsx examples/iris.ts [FILE.svg] [--quick] [--seed N]   (default: lagrad-iris-loss.svg in the temporary directory, seed 1)
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type cliProgress from 'cli-progress';
import type { Matrix } from 'ml-matrix';
import { missing, requireOptional } from '../src/cli/optional.ts';
import { renderSvg } from '../src/cli/plot.ts';
import { evaluate, grad, ops, parseProgram, resolvePoint, trace, verify, type Program } from '../src/index.ts';
import { irisData, type IrisData } from './lib/iris-data.ts';
import { normal } from './lib/seeded.ts';

const { values: flags, positionals } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, seed: { type: 'string', default: '1' } },
  allowPositionals: true,
});
const quick = flags.quick!;
/** The seed of the initial weights: N(0, 1/fan-in) entries. */
const SEED = Number(flags.seed);
if (!Number.isSafeInteger(SEED)) {
  console.error(`iris: --seed: an integer, not '${flags.seed}'`);
  process.exit(1);
}
const svgFile = positionals[0] ?? join(tmpdir(), 'lagrad-iris-loss.svg');

/** A model: its program, whose inputs are X, Y and then the parameters, and how it is trained. */
interface Model {
  readonly name: string;
  readonly program: Program;
  readonly parameters: readonly string[];
  /** The weight matrices' shapes, [fan-in, fan-out]; the biases start at their default, 0. */
  readonly weights: Readonly<Record<string, readonly [number, number]>>;
  readonly epochs: number;
  readonly learningRate: number;
}

/** One epoch's loss and training accuracy, at the parameters before that epoch's step. */
interface Epoch {
  readonly model: string;
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
}

const data = irisData();
const { samples, features } = data;
const classes = data.classes.length;
const HIDDEN = 16;

// ── the models ────────────────────────────────────────────────────────────────────────────────

const { matmul, add, softmax_cross_entropy } = ops;
const softmaxRegression: Model = {
  name: 'softmax regression',
  program: trace(({ X, Y, W, b }) => softmax_cross_entropy(add(matmul(X, W), b).as('logits'), Y), {
    X: { shape: [samples, features] },
    Y: { shape: [samples, classes] },
    W: { shape: [features, classes] },
    b: { shape: [classes], value: 0 },
  }),
  parameters: ['W', 'b'],
  weights: { W: [features, classes] },
  epochs: quick ? 100 : 1000,
  learningRate: 0.5,
};

const mlp: Model = {
  name: 'MLP 4-16-3',
  program: parseProgram(readFileSync(new URL('./iris.lag', import.meta.url), 'utf8'), { file: 'iris.lag' }),
  parameters: ['W1', 'b1', 'W2', 'b2'],
  weights: { W1: [features, HIDDEN], W2: [HIDDEN, classes] },
  epochs: quick ? 200 : 2000,
  learningRate: 0.5,
};

/**
 * The inputs of a model as one slab in input order: the data, then the starting parameters —
 * weights drawn from N(0, 1/fan-in), biases 0.
 */
function startingPoint(model: Model, iris: IrisData): Float64Array {
  const draw = normal(SEED);
  const point: Record<string, Float64Array> = { X: iris.X, Y: iris.Y };
  for (const [name, [fanIn, fanOut]] of Object.entries(model.weights))
    point[name] = Float64Array.from({ length: fanIn * fanOut }, () => draw() / Math.sqrt(fanIn));
  return resolvePoint(model.program, point);
}

/** [start, end) of each parameter's entries in the input slab. */
function parameterSlots(model: Model): [number, number][] {
  const { program } = model;
  return model.parameters.map((name) => {
    const i = program.indexOf(name);
    return [program.layout!.offset[i], program.layout!.offset[i + 1]];
  });
}

/** The fraction of samples whose largest logit is their class. */
function accuracy(logits: Matrix, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (logits.maxRowIndex(i)[1] === labels[i]) right++;
  return right / labels.length;
}

// ── training ──────────────────────────────────────────────────────────────────────────────────

/** A bar (cli-progress, an optional package, loaded as the CLI loads it) when standard error is a terminal. */
function progressBar(label: string, total: number): cliProgress.SingleBar | null {
  if (!process.stderr.isTTY) return null;
  const library = requireOptional<typeof cliProgress>('cli-progress');
  if (library === null) {
    console.error(`iris: ${missing('progress bars', ['cli-progress']).message} (training goes on without one)`);
    return null;
  }
  const bar = new library.SingleBar(
    {
      format: `${label.padEnd(18)} [{bar}] {value}/{total} epochs  loss {loss}  accuracy {accuracy}`,
      clearOnComplete: true,
      hideCursor: true,
      stream: process.stderr,
    },
    library.Presets.shades_classic,
  );
  bar.start(total, 0, { loss: '…', accuracy: '…' });
  return bar;
}

/**
 * Full-batch gradient descent, θ ← θ − η ∂loss/∂θ, for `model.epochs` steps. Each step is one
 * `grad` call with respect to the parameters only (reverse never forms the gradient of the data),
 * reusing its buffers; the logits come from the same call's values.
 */
function train(model: Model, iris: IrisData): { point: Float64Array; history: Epoch[]; ms: number } {
  const { program, epochs, learningRate } = model;
  const point = startingPoint(model, iris);
  const slots = parameterSlots(model);
  const workspace = { values: new Float64Array(program.slots), lambda: new Float64Array(program.slots) };
  const history: Epoch[] = [];
  const bar = progressBar(model.name, epochs);
  const start = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const r = grad(program, point, { wrt: model.parameters, workspace });
    const g = r.solution.gradient;
    for (const [from, to] of slots) for (let s = from; s < to; s++) point[s] -= learningRate * g[s];
    const step = {
      model: model.name,
      epoch,
      loss: r.value,
      accuracy: accuracy(r.valueOf('logits') as Matrix, iris.labels),
    };
    history.push(step);
    // Every epoch's loss and accuracy go to the bar (it redraws at most 10 times a second).
    bar?.update(epoch, { loss: step.loss.toFixed(4), accuracy: `${(100 * step.accuracy).toFixed(1)}%` });
  }
  const ms = performance.now() - start;
  bar?.stop();
  return { point, history, ms };
}

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;

console.log(
  `iris: ${samples} samples, ${features} standardized features, ${classes} classes (${data.classes.join(', ')}); full-batch gradient descent\n`,
);
const trained = new Map<Model, { point: Float64Array; history: Epoch[]; ms: number }>();
for (const model of [softmaxRegression, mlp]) {
  const result = train(model, data);
  trained.set(model, result);
  const every = model.epochs / 10;
  console.log(
    `${model.name}: ${model.epochs} epochs, learning rate ${model.learningRate}, initial weights N(0, 1/fan-in) seed ${SEED}`,
  );
  console.log('   epoch      loss   accuracy');
  for (const h of result.history) {
    if (h.epoch === 1 || h.epoch % every === 0)
      console.log(`${String(h.epoch).padStart(8)}  ${h.loss.toFixed(5)}  ${percent(h.accuracy).padStart(9)}`);
  }
  // The loss and accuracy at the trained parameters (the history holds each step's starting point).
  const final = grad(model.program, result.point, { wrt: model.parameters });
  const finalAccuracy = accuracy(final.valueOf('logits') as Matrix, data.labels);
  console.log(
    `   trained: loss ${final.value.toFixed(5)}, training accuracy ${percent(finalAccuracy)} ` +
      `(${Math.round(finalAccuracy * samples)}/${samples}), ${(result.ms / 1000).toFixed(2)} s (${((1000 * result.ms) / model.epochs).toFixed(0)} µs per epoch)\n`,
  );
}

// ── the loss curves ───────────────────────────────────────────────────────────────────────────

const curve = [...trained.values()].flatMap(({ history }) => history.filter((h) => h.epoch <= 10 || h.epoch % 5 === 0));
const svg = await renderSvg({
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  title: 'iris: training loss by full-batch gradient descent (lagrad gradients)',
  width: 560,
  height: 340,
  background: 'white',
  data: { values: curve },
  mark: { type: 'line' },
  encoding: {
    x: { field: 'epoch', type: 'quantitative', title: 'epoch' },
    y: { field: 'loss', type: 'quantitative', scale: { type: 'log' }, title: 'mean softmax cross-entropy (log)' },
    color: { field: 'model', type: 'nominal', title: 'model' },
  },
});
writeFileSync(svgFile, svg);
console.log(`loss curves: ${svgFile}\n`);

// ── verify the trained network ────────────────────────────────────────────────────────────────

const network = trained.get(mlp)!.point;
const report = verify(mlp.program, network);
console.log(`verify (trained MLP): ${report.ok ? 'ok' : 'FAILED'}`);
for (const check of report.checks) {
  console.log(
    `  ${check.name.padEnd(17)} ${check.value.toExponential(2).padStart(9)}  ≤ ${check.tolerance.toExponential(0)}  ${check.ok ? 'ok' : 'FAIL'}   ${check.detail}${check.label ? ` (worst at ${check.label})` : ''}`,
  );
}
for (const run of Object.values(report.schedules))
  if (run.skipped) console.log(`  ${run.name}: skipped (${run.skipped})`);
console.log();

// ── what the gradient costs against the function ──────────────────────────────────────────────

const values = new Float64Array(mlp.program.slots);
const workspace = { values, lambda: new Float64Array(mlp.program.slots) };
const calls = {
  evaluate: () => evaluate(mlp.program, network, { values }),
  'grad (wrt parameters)': () => grad(mlp.program, network, { wrt: mlp.parameters, workspace }).value,
  'grad (every input)': () => grad(mlp.program, network, { workspace }).value,
};
/** Microseconds per call: the median of rounds that each run every call in turn, a batch at a time. */
function timeCalls(fns: Record<string, () => number>, rounds: number, batch: number): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(fns).map((k) => [k, []]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, fn] of Object.entries(fns)) {
      const start = performance.now();
      for (let k = 0; k < batch; k++) fn();
      if (round >= 0) samples[name].push((1000 * (performance.now() - start)) / batch);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([k, s]) => [k, s.sort((a, b) => a - b)[Math.floor(s.length / 2)]]),
  );
}
const times = timeCalls(calls, quick ? 3 : 11, quick ? 20 : 100);
const withWrt = grad(mlp.program, network, { wrt: mlp.parameters }).stats;
const every = grad(mlp.program, network).stats;
console.log('the gradient against the function (trained MLP, batch 150):');
console.log(
  `  evaluate                ${times.evaluate.toFixed(1).padStart(7)} µs   ${mlp.program.size - mlp.program.inputCount} constraint evaluations`,
);
console.log(
  `  grad (wrt parameters)   ${times['grad (wrt parameters)'].toFixed(1).padStart(7)} µs   ${withWrt.primitiveEvaluations} evaluations + ${withWrt.partialEvaluations} VJPs   ${(times['grad (wrt parameters)'] / times.evaluate).toFixed(2)} × evaluate`,
);
console.log(
  `  grad (every input)      ${times['grad (every input)'].toFixed(1).padStart(7)} µs   ${every.primitiveEvaluations} evaluations + ${every.partialEvaluations} VJPs   ${(times['grad (every input)'] / times.evaluate).toFixed(2)} × evaluate`,
);
console.log(
  '  evaluate runs 2 matrix products (X @ W1, hidden @ W2) and 150 × 16 tanh; the reverse sweep adds 3 products,',
);
console.log(
  "  λ_W2 = hiddenᵀ λ_logits, λ_hidden = λ_logits W2ᵀ and λ_W1 = Xᵀ λ_(X @ W1), reusing tanh's output (1 − hidden²);",
);
console.log('  with every input, a 4th: λ_X = λ_(X @ W1) W1ᵀ');
