import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad } from '../src/index.ts';
import {
  compareLogLikelihood,
  compareLogPartition,
  emissionName,
  featureGradient,
  forwardBackward,
  logLikelihoodProgram,
  logPartitionProgram,
  randomScores,
  randomSequence,
  scoresPoint,
  transitionIndex,
  transitionMarginals,
  weightNames,
  type ChainScores,
} from '../examples/crf.ts';
import {
  compareInsideOutside,
  insideOutside,
  insideProgram,
  randomGrammar,
  randomSentence,
  ruleNames,
  ruleWeights,
  type Grammar,
} from '../examples/inside-outside.ts';
import { relativeError } from './helpers/finiteDifferences.ts';

// "Many NLP algorithms come in duals": the gradient lagrad solves for through the forward algorithm
// (CRF) and the inside algorithm (PCFG) against hand-written forward–backward and outside
// algorithms, and both against brute-force enumeration on instances small enough to enumerate.

const TOLERANCE = 1e-10;

/** Every label sequence of a chain, with its score s(y): log Z and the marginals by enumeration. */
function enumerateChain(scores: ChainScores) {
  const { tags: K, length: n, emission, transition, shared } = scores;
  const labels = new Int32Array(n);
  const paths: { score: number; labels: Int32Array }[] = [];
  for (let code = 0; code < K ** n; code++) {
    for (let t = 0, c = code; t < n; t++, c = Math.floor(c / K)) labels[t] = c % K;
    let score = 0;
    for (let t = 0; t < n; t++) score += emission[t * K + labels[t]];
    for (let t = 1; t < n; t++) score += transition[transitionIndex(K, shared, t, labels[t - 1], labels[t])];
    paths.push({ score, labels: labels.slice() });
  }
  const Z = paths.reduce((s, p) => s + Math.exp(p.score), 0);
  const node = new Float64Array(n * K);
  const pairs = new Float64Array(transition.length);
  for (const p of paths) {
    const probability = Math.exp(p.score) / Z;
    for (let t = 0; t < n; t++) node[t * K + p.labels[t]] += probability;
    for (let t = 1; t < n; t++) pairs[transitionIndex(K, shared, t, p.labels[t - 1], p.labels[t])] += probability;
  }
  return { logZ: Math.log(Z), node, pairs };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tolerance = TOLERANCE) => {
  expect(a.length).toBe(b.length);
  for (let k = 0; k < b.length; k++)
    expect(relativeError(a[k], b[k]), `entry ${k}: ${a[k]} vs ${b[k]}`).toBeLessThan(tolerance);
};

describe('linear-chain CRF: ∂ log Z/∂scores = forward–backward marginals', () => {
  it('on random chains (shared and per-step transitions), to 1e-10', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 12 }),
        fc.boolean(),
        fc.nat(),
        (tags, length, shared, seed) => {
          const c = compareLogPartition(tags, length, shared, seed);
          expect(c.logZDifference).toBeLessThan(TOLERANCE);
          expect(c.nodeDifference).toBeLessThan(TOLERANCE);
          expect(c.pairDifference).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('forward–backward and lagrad both equal enumeration over every label sequence', () => {
    for (const [tags, length, shared, seed] of [
      [2, 5, true, 1],
      [3, 4, false, 2],
      [4, 3, true, 3],
      [3, 6, true, 4],
    ] as const) {
      const scores = randomScores(tags, length, shared, seed);
      const brute = enumerateChain(scores);
      const marginals = forwardBackward(scores);
      expect(relativeError(marginals.logZ, brute.logZ)).toBeLessThan(TOLERANCE);
      close(marginals.node, brute.node);
      close(transitionMarginals(scores, marginals), brute.pairs);
      const program = logPartitionProgram(tags, length, shared);
      const r = grad(program, scoresPoint(program, scores), { schedule: 'reverse' });
      close(
        Array.from(
          { length: length * tags },
          (_, k) => r.gradient[emissionName(Math.floor(k / tags), k % tags)] as number,
        ),
        brute.node,
      );
    }
  });

  it('one position is a softmax: ∂/∂e_j log Σ_k exp e_k = exp e_j / Σ_k exp e_k', () => {
    const e = [0.3, -1.2, 2.5, 0.0, 1.1];
    const program = logPartitionProgram(e.length, 1);
    const point = scoresPoint(program, {
      tags: e.length,
      length: 1,
      emission: Float64Array.from(e),
      transition: new Float64Array(e.length ** 2),
      shared: true,
    });
    const r = grad(program, point);
    const Z = e.reduce((s, x) => s + Math.exp(x), 0);
    expect(relativeError(r.value, Math.log(Z))).toBeLessThan(1e-15);
    e.forEach((x, j) =>
      expect(relativeError(r.gradient[emissionName(0, j)] as number, Math.exp(x) / Z)).toBeLessThan(1e-14),
    );
    // The transitions are inputs the objective never reads: multiplier 0.
    expect(r.gradient.T0_0).toBe(0);
  });

  it('two positions: the pairwise marginal is a softmax over the K² label pairs', () => {
    const K = 3;
    const scores = randomScores(K, 2, true, 7);
    const program = logPartitionProgram(K, 2);
    const r = grad(program, scoresPoint(program, scores));
    const s = (i: number, j: number) => scores.emission[i] + scores.transition[i * K + j] + scores.emission[K + j];
    let Z = 0;
    for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) Z += Math.exp(s(i, j));
    for (let i = 0; i < K; i++)
      for (let j = 0; j < K; j++)
        expect(relativeError(r.gradient[`T${i}_${j}`] as number, Math.exp(s(i, j)) / Z)).toBeLessThan(1e-14);
  });
});

describe('log-linear CRF: ∂ log P(y | x)/∂weights = observed − expected features', () => {
  it('on random labelled sequences, to 1e-10', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (tags, length, features, seed) => {
          expect(compareLogLikelihood(tags, length, features, seed).difference).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('observed − expected by hand equals the same by enumeration', () => {
    const sequence = randomSequence(3, 4, 2, 11);
    const weights = Float64Array.from({ length: 2 * 3 + 9 }, (_, m) => Math.sin(m + 1));
    const program = logLikelihoodProgram(sequence);
    const names = weightNames(3, 2);
    const point = new Float64Array(program.inputCount);
    names.forEach((name, m) => (point[program.indexOf(name)] = weights[m]));
    const r = grad(program, point);
    // Enumeration: emission scores from the features, then E[f] over all 3⁴ label sequences.
    const emission = new Float64Array(4 * 3);
    for (let t = 0; t < 4; t++)
      for (let j = 0; j < 3; j++)
        for (let k = 0; k < 2; k++) emission[t * 3 + j] += sequence.features[t * 2 + k] * weights[k * 3 + j];
    const brute = enumerateChain({ tags: 3, length: 4, emission, transition: weights.slice(6), shared: true });
    const expected = new Float64Array(weights.length);
    for (let t = 0; t < 4; t++) {
      for (let j = 0; j < 3; j++) {
        const residual = (sequence.labels[t] === j ? 1 : 0) - brute.node[t * 3 + j];
        for (let k = 0; k < 2; k++) expected[k * 3 + j] += sequence.features[t * 2 + k] * residual;
      }
    }
    for (let m = 0; m < 9; m++) expected[6 + m] -= brute.pairs[m];
    for (let t = 1; t < 4; t++) expected[6 + sequence.labels[t - 1] * 3 + sequence.labels[t]] += 1;
    close(featureGradient(sequence, weights), expected);
    close(
      Float64Array.from(names, (name) => r.gradient[name] as number),
      expected,
    );
  });
});

/** Every parse of the sentence, as (log weight, rule counts): expected counts by enumeration. */
function enumerateParses(grammar: Grammar, sentence: Int32Array) {
  const { nonterminals: N, words: V, binary, lexical } = grammar;
  const rules = N * N * N + N * V;
  type Parse = { logWeight: number; counts: Float64Array };
  const parses = (i: number, k: number, A: number): Parse[] => {
    if (k === i + 1) {
      const counts = new Float64Array(rules);
      counts[N * N * N + A * V + sentence[i]] = 1;
      return [{ logWeight: lexical[A * V + sentence[i]], counts }];
    }
    const out: Parse[] = [];
    for (let m = i + 1; m < k; m++) {
      for (let B = 0; B < N; B++) {
        for (let C = 0; C < N; C++) {
          for (const left of parses(i, m, B)) {
            for (const right of parses(m, k, C)) {
              const counts = left.counts.map((c, r) => c + right.counts[r]);
              counts[(A * N + B) * N + C] += 1;
              out.push({ logWeight: binary[(A * N + B) * N + C] + left.logWeight + right.logWeight, counts });
            }
          }
        }
      }
    }
    return out;
  };
  const all = parses(0, sentence.length, 0);
  const Z = all.reduce((s, p) => s + Math.exp(p.logWeight), 0);
  const counts = new Float64Array(rules);
  for (const p of all) for (let r = 0; r < rules; r++) counts[r] += (Math.exp(p.logWeight) / Z) * p.counts[r];
  return { logZ: Math.log(Z), counts, parses: all.length };
}

describe('PCFG: ∂ log inside score/∂θ = expected rule counts (outside algorithm)', () => {
  it('on random grammars and sentences, to 1e-10', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        (N, V, length, seed) => {
          const c = compareInsideOutside(N, V, length, seed);
          expect(c.logZDifference).toBeLessThan(TOLERANCE);
          expect(c.countDifference).toBeLessThan(TOLERANCE);
          // Every parse has one lexical rule per word.
          expect(relativeError(c.lexicalTotal, length)).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('inside–outside and lagrad both equal enumeration over every parse', () => {
    for (const [N, V, length, seed] of [
      [2, 3, 4, 1],
      [3, 2, 3, 2],
      [2, 2, 5, 3],
    ] as const) {
      const grammar = randomGrammar(N, V, seed);
      const sentence = randomSentence(V, length, seed + 10);
      const brute = enumerateParses(grammar, sentence);
      const hand = insideOutside(grammar, sentence);
      expect(relativeError(hand.logZ, brute.logZ)).toBeLessThan(TOLERANCE);
      close(hand.counts, brute.counts);
      const program = insideProgram(N, V, sentence);
      const theta = ruleWeights(grammar);
      const names = ruleNames(N, V);
      const r = grad(program, Object.fromEntries(names.map((name, k) => [name, theta[k]])));
      close(
        Float64Array.from(names, (name) => r.gradient[name] as number),
        brute.counts,
      );
    }
  });

  it('one rule S → a on a one-word sentence: log Z = θ, gradient 1', () => {
    const program = insideProgram(1, 1, Int32Array.of(0));
    const r = grad(program, { r0_0_0: -0.3, l0_0: -0.7 });
    expect(r.value).toBe(-0.7);
    expect(r.gradient).toEqual({ r0_0_0: 0, l0_0: 1 });
  });

  it('S → S S | a on aⁿ: Z = Catalan(n − 1)·exp((n − 1)θ_b + nθ_l), expected counts n − 1 and n', () => {
    let catalan = 1; // Catalan(n − 1), updated as n grows
    for (let n = 1; n <= 9; n++) {
      if (n > 1) catalan = (catalan * 2 * (2 * n - 3)) / n;
      const [b, l] = [Math.log(0.4), Math.log(0.6)];
      const program = insideProgram(1, 1, new Int32Array(n));
      const r = grad(program, { r0_0_0: b, l0_0: l });
      expect(relativeError(r.value, Math.log(catalan) + (n - 1) * b + n * l)).toBeLessThan(1e-13);
      expect(relativeError(r.gradient.r0_0_0 as number, n - 1)).toBeLessThan(1e-13);
      expect(relativeError(r.gradient.l0_0 as number, n)).toBeLessThan(1e-13);
      expect(
        enumerateParses(
          { nonterminals: 1, words: 1, binary: Float64Array.of(b), lexical: Float64Array.of(l) },
          new Int32Array(n),
        ).parses,
      ).toBe(catalan);
    }
  });
});
