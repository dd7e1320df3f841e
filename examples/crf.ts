// A linear-chain conditional random field: its log-partition log Z by the forward algorithm,
// written in log space with lagrad's scalar primitives (add, sub, max, exp, log, sum), and the
// gradient lagrad solves for — the multipliers of the score inputs — checked against an
// independent forward–backward written by hand below:
//   ∂log Z/∂e_tj = P(y_t = j)                          (node marginals)
//   ∂log Z/∂T_ij = Σ_t P(y_{t−1} = i, y_t = j)           (pairwise marginals; per position when not shared)
// and, for the log-linear model with emission scores e_tj = Σ_k f_tk W_kj, the gradient of the
// log-likelihood of a labelled sequence is observed − expected features.
// Run: npx tsx examples/crf.ts
import { pathToFileURL } from 'node:url';
import { grad, ops, trace, type Program, type Var } from '../src/index.ts';
import { printTable, timed } from './lib/report.ts';
import { normal } from './lib/seeded.ts';

const { add, sub, mul, exp, log, max, sum } = ops;

// ── scores ────────────────────────────────────────────────────────────────────────────────────

/** Scores of a chain of `length` positions over `tags` tags. */
export interface ChainScores {
  readonly tags: number;
  readonly length: number;
  /** emission[t·K + j]: the score of tag j at position t. */
  readonly emission: Float64Array;
  /** transition[(s·K + i)·K + j]: the score of tag i followed by j; s = 0 when shared, else the step t − 1 → t is s = t − 1. */
  readonly transition: Float64Array;
  /** One K×K transition matrix for every step, or one per step. */
  readonly shared: boolean;
}

/** The index in `transition` of the step into position t (t ≥ 1) from tag i to tag j. */
export function transitionIndex(tags: number, shared: boolean, t: number, i: number, j: number): number {
  return ((shared ? 0 : t - 1) * tags + i) * tags + j;
}

/** Normal random scores, reproducible from the seed. */
export function randomScores(tags: number, length: number, shared: boolean, seed: number): ChainScores {
  const gaussian = normal(seed);
  const steps = shared ? 1 : length - 1;
  return {
    tags,
    length,
    emission: Float64Array.from({ length: length * tags }, gaussian),
    transition: Float64Array.from({ length: steps * tags * tags }, gaussian),
    shared,
  };
}

export const emissionName = (t: number, j: number) => `e${t}_${j}`;
export const transitionName = (tags: number, shared: boolean, t: number, i: number, j: number) =>
  shared ? `T${i}_${j}` : `T${t - 1}_${i}_${j}`;

// ── log Z through lagrad ──────────────────────────────────────────────────────────────────────

/**
 * log Σ_k exp(x_k) as constraints, stably: m + log Σ_k exp(x_k − m) with m = max_k x_k. The
 * multiplier reaching m through both terms is 1 − Σ_k softmax_k = 0, so the shift changes the value's
 * rounding, not the gradient.
 */
export function logSumExp(terms: readonly Var[]): Var {
  if (terms.length === 1) return terms[0];
  let m = terms[0];
  for (let k = 1; k < terms.length; k++) m = max(m, terms[k]);
  return add(m, log(sum(...terms.map((x) => exp(sub(x, m))))));
}

/**
 * The forward algorithm: α_0(j) = e_0j, α_t(j) = e_tj + log Σ_i exp(α_{t−1}(i) + T^(t)_ij),
 * log Z = log Σ_j exp α_{n−1}(j). O(n K²) constraints.
 */
export function forwardAlgorithm(
  tags: number,
  length: number,
  emission: (t: number, j: number) => Var,
  transition: (t: number, i: number, j: number) => Var,
): Var {
  let alpha = Array.from({ length: tags }, (_, j) => emission(0, j));
  for (let t = 1; t < length; t++) {
    const previous = alpha;
    alpha = Array.from({ length: tags }, (_, j) =>
      add(emission(t, j), logSumExp(previous.map((a, i) => add(a, transition(t, i, j))))),
    );
  }
  return logSumExp(alpha);
}

/** The program log Z(e, T) with inputs e{t}_{j} and T{i}_{j} (or T{s}_{i}_{j} per step); its output is log Z. */
export function logPartitionProgram(tags: number, length: number, shared = true): Program {
  const names: string[] = [];
  for (let t = 0; t < length; t++) for (let j = 0; j < tags; j++) names.push(emissionName(t, j));
  for (let t = 1; t < (shared ? 2 : length); t++)
    for (let i = 0; i < tags; i++) for (let j = 0; j < tags; j++) names.push(transitionName(tags, shared, t, i, j));
  // The output is left unnamed: with one position and one tag it is the input e0_0 itself, and a
  // second name would relabel that input.
  return trace(
    (x) =>
      forwardAlgorithm(
        tags,
        length,
        (t, j) => x[emissionName(t, j)],
        (t, i, j) => x[transitionName(tags, shared, t, i, j)],
      ),
    names,
  );
}

/** The inputs of `logPartitionProgram` at the given scores, in input order. */
export function scoresPoint(program: Program, scores: ChainScores): Float64Array {
  const { tags, length, shared } = scores;
  const point = new Float64Array(program.inputCount);
  for (let t = 0; t < length; t++)
    for (let j = 0; j < tags; j++) point[program.indexOf(emissionName(t, j))] = scores.emission[t * tags + j];
  for (let t = 1; t < (shared ? 2 : length); t++) {
    for (let i = 0; i < tags; i++)
      for (let j = 0; j < tags; j++)
        point[program.indexOf(transitionName(tags, shared, t, i, j))] =
          scores.transition[transitionIndex(tags, shared, t, i, j)];
  }
  return point;
}

// ── forward–backward by hand (plain TypeScript, no lagrad) ────────────────────────────────────

/** What forward–backward computes: log Z and the posterior marginals. */
export interface Marginals {
  readonly logZ: number;
  /** node[t·K + j] = P(y_t = j). */
  readonly node: Float64Array;
  /** pair[((t − 1)·K + i)·K + j] = P(y_{t−1} = i, y_t = j), t = 1 … n − 1. */
  readonly pair: Float64Array;
}

/** log Σ exp of a[from … from + count) with stride, by hand. */
function logSumExpOf(a: Float64Array, from: number, count: number, stride = 1): number {
  let m = -Infinity;
  for (let k = 0; k < count; k++) m = Math.max(m, a[from + k * stride]);
  let s = 0;
  for (let k = 0; k < count; k++) s += Math.exp(a[from + k * stride] - m);
  return m + Math.log(s);
}

/**
 * Forward–backward in log space: α_t(j) as in the forward algorithm, β_{n−1}(j) = 0,
 * β_t(i) = log Σ_j exp(T^(t+1)_ij + e_{t+1,j} + β_{t+1}(j)); then P(y_t = j) = exp(α_t(j) + β_t(j) − log Z)
 * and P(y_{t−1} = i, y_t = j) = exp(α_{t−1}(i) + T^(t)_ij + e_tj + β_t(j) − log Z).
 */
export function forwardBackward(scores: ChainScores): Marginals {
  const { tags: K, length: n, emission: e, transition: T, shared } = scores;
  const alpha = new Float64Array(n * K);
  const beta = new Float64Array(n * K);
  const terms = new Float64Array(K);
  alpha.set(e.subarray(0, K));
  for (let t = 1; t < n; t++) {
    for (let j = 0; j < K; j++) {
      for (let i = 0; i < K; i++) terms[i] = alpha[(t - 1) * K + i] + T[transitionIndex(K, shared, t, i, j)];
      alpha[t * K + j] = e[t * K + j] + logSumExpOf(terms, 0, K);
    }
  }
  const logZ = logSumExpOf(alpha, (n - 1) * K, K);
  for (let t = n - 2; t >= 0; t--) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++)
        terms[j] = T[transitionIndex(K, shared, t + 1, i, j)] + e[(t + 1) * K + j] + beta[(t + 1) * K + j];
      beta[t * K + i] = logSumExpOf(terms, 0, K);
    }
  }
  const node = new Float64Array(n * K);
  for (let k = 0; k < n * K; k++) node[k] = Math.exp(alpha[k] + beta[k] - logZ);
  const pair = new Float64Array((n - 1) * K * K);
  for (let t = 1; t < n; t++) {
    for (let i = 0; i < K; i++) {
      for (let j = 0; j < K; j++)
        pair[((t - 1) * K + i) * K + j] = Math.exp(
          alpha[(t - 1) * K + i] + T[transitionIndex(K, shared, t, i, j)] + e[t * K + j] + beta[t * K + j] - logZ,
        );
    }
  }
  return { logZ, node, pair };
}

/** ∂log Z/∂T as forward–backward predicts it: the pairwise marginals, summed over steps when T is shared. */
export function transitionMarginals(scores: ChainScores, marginals: Marginals): Float64Array {
  const { tags: K, length: n, shared } = scores;
  const out = new Float64Array(scores.transition.length);
  for (let t = 1; t < n; t++)
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++) out[transitionIndex(K, shared, t, i, j)] += marginals.pair[((t - 1) * K + i) * K + j];
  return out;
}

// ── the log-linear model: gradient = observed − expected features ─────────────────────────────

/** A labelled sequence with real feature vectors f_t ∈ R^F per position. */
export interface LabelledSequence {
  readonly tags: number;
  readonly length: number;
  readonly featureCount: number;
  /** features[t·F + k] = f_tk. */
  readonly features: Float64Array;
  readonly labels: Int32Array;
}

export function randomSequence(tags: number, length: number, featureCount: number, seed: number): LabelledSequence {
  const gaussian = normal(seed);
  const features = Float64Array.from({ length: length * featureCount }, gaussian);
  const labels = Int32Array.from({ length }, () =>
    Math.min(tags - 1, Math.floor(tags * (0.5 + 0.5 * Math.tanh(gaussian())))),
  );
  return { tags, length, featureCount, features, labels };
}

export const weightName = (k: number, j: number) => `W${k}_${j}`;

/** The weights' input names: W{k}_{j} (feature k, tag j), then T{i}_{j}. */
export function weightNames(tags: number, featureCount: number): string[] {
  const names: string[] = [];
  for (let k = 0; k < featureCount; k++) for (let j = 0; j < tags; j++) names.push(weightName(k, j));
  for (let i = 0; i < tags; i++) for (let j = 0; j < tags; j++) names.push(transitionName(tags, true, 1, i, j));
  return names;
}

/**
 * The log-likelihood log P(y | x) = s(y) − log Z of the sequence's labels, with emission scores
 * e_tj = Σ_k f_tk W_kj and shared transitions T: s(y) = Σ_t e_{t,y_t} + Σ_{t ≥ 1} T_{y_{t−1} y_t}.
 * Inputs: the weights (`weightNames`); output `logLikelihood`.
 */
export function logLikelihoodProgram(sequence: LabelledSequence): Program {
  const { tags, length, featureCount: F, features, labels } = sequence;
  return trace(
    (x) => {
      const T = (_t: number, i: number, j: number) => x[transitionName(tags, true, 1, i, j)];
      const e = (t: number, j: number) =>
        sum(...Array.from({ length: F }, (_, k) => mul(x[weightName(k, j)], features[t * F + k])));
      const emission = Array.from({ length }, (_, t) => Array.from({ length: tags }, (_, j) => e(t, j)));
      const path: Var[] = [];
      for (let t = 0; t < length; t++) path.push(emission[t][labels[t]]);
      for (let t = 1; t < length; t++) path.push(T(t, labels[t - 1], labels[t]));
      const logZ = forwardAlgorithm(tags, length, (t, j) => emission[t][j], T);
      return { logLikelihood: sub(sum(...path), logZ) };
    },
    weightNames(tags, F),
  );
}

/**
 * Observed − expected features by hand, in `weightNames` order: for W_kj, Σ_t f_tk (1[y_t = j] − P(y_t = j));
 * for T_ij, #{t: y_{t−1} = i, y_t = j} − Σ_t P(y_{t−1} = i, y_t = j). `weights` in the same order.
 */
export function featureGradient(sequence: LabelledSequence, weights: Float64Array): Float64Array {
  const { tags: K, length: n, featureCount: F, features, labels } = sequence;
  const emission = new Float64Array(n * K);
  for (let t = 0; t < n; t++)
    for (let j = 0; j < K; j++)
      for (let k = 0; k < F; k++) emission[t * K + j] += features[t * F + k] * weights[k * K + j];
  const scores: ChainScores = { tags: K, length: n, emission, transition: weights.slice(F * K), shared: true };
  const marginals = forwardBackward(scores);
  const out = new Float64Array(weights.length);
  for (let t = 0; t < n; t++) {
    for (let j = 0; j < K; j++) {
      const residual = (labels[t] === j ? 1 : 0) - marginals.node[t * K + j];
      for (let k = 0; k < F; k++) out[k * K + j] += features[t * F + k] * residual;
    }
  }
  const expected = transitionMarginals(scores, marginals);
  for (let m = 0; m < K * K; m++) out[F * K + m] -= expected[m];
  for (let t = 1; t < n; t++) out[F * K + labels[t - 1] * K + labels[t]] += 1;
  return out;
}

// ── the table ─────────────────────────────────────────────────────────────────────────────────

/** Largest |a_k − b_k| / max(1, |b_k|). */
export function maxRelativeDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let k = 0; k < b.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(b[k])));
  return worst;
}

/** One row of the table: lagrad's gradient against forward–backward on a random instance. */
export function compareLogPartition(tags: number, length: number, shared: boolean, seed: number) {
  const scores = randomScores(tags, length, shared, seed);
  const [program, buildMs] = timed(() => logPartitionProgram(tags, length, shared));
  const point = scoresPoint(program, scores);
  const [r, gradMs] = timed(() => grad(program, point, { schedule: 'reverse' }));
  const [marginals, handMs] = timed(() => forwardBackward(scores));
  const at = (name: string) => r.solution.gradient[program.indexOf(name)];
  const node = Float64Array.from({ length: length * tags }, (_, k) => at(emissionName(Math.floor(k / tags), k % tags)));
  const transition = new Float64Array(scores.transition.length);
  for (let t = 1; t < (shared ? 2 : length); t++)
    for (let i = 0; i < tags; i++)
      for (let j = 0; j < tags; j++)
        transition[transitionIndex(tags, shared, t, i, j)] = at(transitionName(tags, shared, t, i, j));
  return {
    tags,
    length,
    shared,
    constraints: program.constraintCount,
    logZ: marginals.logZ,
    logZDifference: Math.abs(r.value - marginals.logZ) / Math.max(1, Math.abs(marginals.logZ)),
    nodeDifference: maxRelativeDifference(node, marginals.node),
    pairDifference: maxRelativeDifference(transition, transitionMarginals(scores, marginals)),
    buildMs,
    gradMs,
    handMs,
  };
}

/** The log-linear claim on a random labelled sequence: lagrad's gradient against observed − expected. */
export function compareLogLikelihood(tags: number, length: number, featureCount: number, seed: number) {
  const sequence = randomSequence(tags, length, featureCount, seed);
  const gaussian = normal(seed + 1);
  const weights = Float64Array.from({ length: featureCount * tags + tags * tags }, () => 0.5 * gaussian());
  const program = logLikelihoodProgram(sequence);
  const names = weightNames(tags, featureCount);
  const point = new Float64Array(program.inputCount);
  names.forEach((name, m) => (point[program.indexOf(name)] = weights[m]));
  const r = grad(program, point, { schedule: 'reverse' });
  const lagrad = Float64Array.from(names, (name) => r.solution.gradient[program.indexOf(name)]);
  return { tags, length, featureCount, difference: maxRelativeDifference(lagrad, featureGradient(sequence, weights)) };
}

/** The chains the example checks: [labels K, length n, weights shared across positions]. */
export const CRF_SIZES: readonly (readonly [number, number, boolean])[] = [
  [4, 10, true],
  [4, 10, false],
  [4, 100, true],
  [10, 10, true],
  [10, 100, true],
  [10, 100, false],
  [20, 100, true],
];

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const e = (x: number) => x.toExponential(1);
  const ms = (x: number) => x.toFixed(0);
  console.log('Linear-chain CRF: ∂log Z/∂scores by lagrad (reverse) against forward–backward by hand');
  console.log('differences are max |a − b| / max(1, |b|); T shared across positions unless marked "per step"\n');
  const header = [
    'tags',
    'length',
    'T',
    'constraints',
    'log Z',
    'Δ log Z',
    'Δ node',
    'Δ pair',
    'build ms',
    'grad ms',
    'f–b ms',
  ];
  const rows: string[][] = [];
  CRF_SIZES.forEach(([K, n, shared], s) => {
    const c = compareLogPartition(K, n, shared, 1000 + s);
    rows.push([
      String(K),
      String(n),
      shared ? 'shared' : 'per step',
      String(c.constraints),
      c.logZ.toFixed(3),
      e(c.logZDifference),
      e(c.nodeDifference),
      e(c.pairDifference),
      ms(c.buildMs),
      ms(c.gradMs),
      ms(c.handMs),
    ]);
  });
  printTable(header, rows);
  console.log(
    '\nLog-linear model: ∂ log P(y | x)/∂weights by lagrad against observed − expected features (forward–backward)\n',
  );
  const llRows = (
    [
      [4, 10, 3],
      [4, 100, 5],
      [10, 100, 8],
    ] as const
  ).map(([K, n, F], s) => {
    const c = compareLogLikelihood(K, n, F, 2000 + s);
    return [String(K), String(n), String(F), e(c.difference)];
  });
  printTable(['tags', 'length', 'features', 'Δ gradient'], llRows);
}
