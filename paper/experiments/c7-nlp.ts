import {
  compareLogLikelihood,
  compareLogPartition,
  CRF_SIZES,
  logPartitionProgram,
  randomScores,
  scoresPoint,
} from '../../examples/crf.ts';
import {
  compareInsideOutside,
  insideProgram,
  randomGrammar,
  randomSentence,
  ruleNames,
  ruleWeights,
} from '../../examples/inside-outside.ts';
import { toDot } from '../../src/index.ts';
import { markdownTable, sci } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 7: "many NLP algorithms come in duals". The gradient of a linear-chain CRF's log-partition
// (the forward algorithm, recorded as constraints) is its forward–backward marginals; the gradient
// of a PCFG's log inside score (CKY) is the outside algorithm's expected rule counts; and for the
// log-linear model, gradient = observed − expected features. Each checked against an independent
// hand-written algorithm (examples/crf.ts, examples/inside-outside.ts); the two smallest drawn by
// `lagrad graph`'s API, where the inputs' λ are the marginals and the expected counts.

export const nlpClaim: Experiment = {
  id: 'claim7',
  title: '7. Many NLP algorithms come in duals',
  async run(ctx) {
    const crfSizes: readonly (readonly [number, number, boolean])[] = ctx.quick
      ? [
          [3, 5, true],
          [3, 5, false],
          [5, 20, true],
        ]
      : CRF_SIZES;
    const crf = crfSizes.map(([K, n, shared], s) => compareLogPartition(K, n, shared, 1000 + s));
    const llSizes: [number, number, number][] = ctx.quick
      ? [
          [3, 5, 2],
          [4, 10, 3],
        ]
      : [
          [4, 10, 3],
          [4, 100, 5],
          [10, 100, 8],
        ];
    const loglinear = llSizes.map(([K, n, F], s) => compareLogLikelihood(K, n, F, 2000 + s));
    const pcfgSizes: [number, number, number][] = ctx.quick
      ? [
          [3, 5, 4],
          [3, 5, 6],
        ]
      : [
          [3, 5, 5],
          [3, 5, 10],
          [4, 8, 10],
          [4, 8, 20],
          [5, 10, 25],
        ];
    const pcfg = pcfgSizes.map(([N, V, n], s) => compareInsideOutside(N, V, n, 3000 + s));

    // The pictures: a CRF of 2 tags over 3 positions; a PCFG of 2 nonterminals and 2 words on a 3-word sentence.
    const chain = logPartitionProgram(2, 3, true);
    const crfDot = toDot(chain, scoresPoint(chain, randomScores(2, 3, true, 7)), { digits: 3 });
    const grammar = randomGrammar(2, 2, 8);
    const inside = insideProgram(2, 2, randomSentence(2, 3, 9));
    const theta = ruleWeights(grammar);
    const point = new Float64Array(inside.inputCount);
    ruleNames(2, 2).forEach((name, r) => (point[inside.indexOf(name)] = theta[r]));
    const insideDot = toDot(inside, point, { digits: 3 });

    const crfWorst = Math.max(...crf.flatMap((c) => [c.logZDifference, c.nodeDifference, c.pairDifference]));
    const llWorst = Math.max(...loglinear.map((c) => c.difference));
    const pcfgWorst = Math.max(...pcfg.flatMap((c) => [c.logZDifference, c.countDifference]));
    const lexicalGap = Math.max(...pcfg.map((c) => Math.abs(c.lexicalTotal - c.length)));
    const worst = Math.max(crfWorst, llWorst, pcfgWorst);
    return {
      criterion: 'every difference from the hand-written algorithms is below 1e-10',
      supported: worst < 1e-10,
      verdict: `lagrad's gradients equal the hand-written dual algorithms to ${sci(worst)} (forward–backward marginals ${sci(crfWorst)}, observed − expected features ${sci(llWorst)}, outside expected counts ${sci(pcfgWorst)})`,
      crfWorst,
      llWorst,
      pcfgWorst,
      lexicalGap,
      largestCrfConstraints: Math.max(...crf.map((c) => c.constraints)),
      largestPcfgConstraints: Math.max(...pcfg.map((c) => c.constraints)),
      crfTable: markdownTable(
        ['tags', 'length', 'transitions', 'constraints', 'log Z', 'Δ log Z', 'Δ node marginals', 'Δ pair marginals'],
        crf.map((c) => [
          c.tags,
          c.length,
          c.shared ? 'shared' : 'per step',
          c.constraints,
          c.logZ.toFixed(3),
          sci(c.logZDifference),
          sci(c.nodeDifference),
          sci(c.pairDifference),
        ]),
      ),
      loglinearTable: markdownTable(
        ['tags', 'length', 'features', 'Δ gradient (observed − expected)'],
        loglinear.map((c) => [c.tags, c.length, c.featureCount, sci(c.difference)]),
      ),
      pcfgTable: markdownTable(
        [
          'nonterminals',
          'words',
          'sentence length',
          'constraints',
          'log Z',
          'Δ log Z',
          'Δ expected counts',
          'Σ lexical counts',
        ],
        pcfg.map((c) => [
          c.nonterminals,
          c.words,
          c.length,
          c.constraints,
          c.logZ.toFixed(3),
          sci(c.logZDifference),
          sci(c.countDifference),
          c.lexicalTotal.toFixed(10),
        ]),
      ),
      crfVariables: chain.size,
      insideVariables: inside.size,
      crfFigure: await ctx.graph('crf-graph', crfDot),
      insideFigure: await ctx.graph('inside-graph', insideDot),
    };
  },
};
