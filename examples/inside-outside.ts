// A probabilistic context-free grammar in Chomsky normal form: the log inside score of a sentence by
// the CKY inside algorithm, written in log space with lagrad's scalar primitives, and the gradient
// lagrad solves for with respect to the log rule weights θ — checked against the expected rule
// counts of an independent outside algorithm written by hand below:
//   ∂ log Z/∂θ_r = E[number of uses of rule r in a parse of the sentence]
// (Eisner 2016, "Inside-outside and forward-backward algorithms are just backprop": the outside
// pass is the reverse sweep of the inside pass.)
// Run: npx tsx examples/inside-outside.ts
import { pathToFileURL } from 'node:url';
import { grad, ops, trace, type Program, type Var } from '../src/index.ts';
import { logSumExp, maxRelativeDifference } from './crf.ts';
import { printTable, timed } from './lib/report.ts';
import { normal, uniform } from './lib/seeded.ts';

const { add } = ops;

// ── grammars ──────────────────────────────────────────────────────────────────────────────────

/** A grammar in Chomsky normal form over nonterminals 0 … N − 1 (0 the start symbol) and words 0 … V − 1. */
export interface Grammar {
  readonly nonterminals: number;
  readonly words: number;
  /** binary[(A·N + B)·N + C] = θ of A → B C (a log weight). */
  readonly binary: Float64Array;
  /** lexical[A·V + w] = θ of A → w. */
  readonly lexical: Float64Array;
}

/**
 * A random PCFG: every rule A → B C and A → w present, with probabilities from a softmax of normal
 * scores over the rules of each A, so θ are log probabilities summing (in probability) to 1 per A.
 */
export function randomGrammar(nonterminals: number, words: number, seed: number): Grammar {
  const N = nonterminals;
  const gaussian = normal(seed);
  const binary = Float64Array.from({ length: N * N * N }, gaussian);
  const lexical = Float64Array.from({ length: N * words }, gaussian);
  for (let A = 0; A < N; A++) {
    const rules = [...binary.subarray(A * N * N, (A + 1) * N * N), ...lexical.subarray(A * words, (A + 1) * words)];
    const m = Math.max(...rules);
    const logTotal = m + Math.log(rules.reduce((s, x) => s + Math.exp(x - m), 0));
    for (let k = A * N * N; k < (A + 1) * N * N; k++) binary[k] -= logTotal;
    for (let k = A * words; k < (A + 1) * words; k++) lexical[k] -= logTotal;
  }
  return { nonterminals, words, binary, lexical };
}

/** A sentence of `length` words drawn uniformly, reproducible from the seed. */
export function randomSentence(words: number, length: number, seed: number): Int32Array {
  const u = uniform(seed);
  return Int32Array.from({ length }, () => Math.floor(u() * words));
}

export const binaryName = (A: number, B: number, C: number) => `r${A}_${B}_${C}`;
export const lexicalName = (A: number, w: number) => `l${A}_${w}`;

/** The rules' input names: every A → B C, then every A → w, in the order of `Grammar`'s arrays. */
export function ruleNames(nonterminals: number, words: number): string[] {
  const names: string[] = [];
  for (let A = 0; A < nonterminals; A++)
    for (let B = 0; B < nonterminals; B++) for (let C = 0; C < nonterminals; C++) names.push(binaryName(A, B, C));
  for (let A = 0; A < nonterminals; A++) for (let w = 0; w < words; w++) names.push(lexicalName(A, w));
  return names;
}

/** θ of the grammar in `ruleNames` order. */
export function ruleWeights(grammar: Grammar): Float64Array {
  const out = new Float64Array(grammar.binary.length + grammar.lexical.length);
  out.set(grammar.binary);
  out.set(grammar.lexical, grammar.binary.length);
  return out;
}

// ── the inside algorithm through lagrad ───────────────────────────────────────────────────────

/**
 * The log inside score log Z = β(0, n, S) of a sentence, as a program over the rule weights θ
 * (inputs `ruleNames`). CKY over spans [i, k): β(i, i + 1, A) = θ_{A → w_i} and
 * β(i, k, A) = log Σ_{B, C, i < m < k} exp(θ_{A → B C} + β(i, m, B) + β(m, k, C)).
 * O(n³ N³) constraints.
 */
export function insideProgram(nonterminals: number, words: number, sentence: Int32Array): Program {
  const N = nonterminals;
  const n = sentence.length;
  return trace(
    (theta) => {
      // beta[i][k][A] for the span [i, k).
      const beta: Var[][][] = Array.from({ length: n }, () => new Array<Var[]>(n + 1));
      for (let i = 0; i < n; i++)
        beta[i][i + 1] = Array.from({ length: N }, (_, A) => theta[lexicalName(A, sentence[i])]);
      for (let span = 2; span <= n; span++) {
        for (let i = 0; i + span <= n; i++) {
          const k = i + span;
          beta[i][k] = Array.from({ length: N }, (_, A) => {
            const terms: Var[] = [];
            for (let m = i + 1; m < k; m++) {
              for (let B = 0; B < N; B++)
                for (let C = 0; C < N; C++)
                  terms.push(add(theta[binaryName(A, B, C)], add(beta[i][m][B], beta[m][k][C])));
            }
            return logSumExp(terms);
          });
        }
      }
      return beta[0][n][0]; // unnamed: for one word it is an input, which a second name would relabel
    },
    ruleNames(N, words),
  );
}

// ── inside and outside by hand (plain TypeScript, no lagrad) ──────────────────────────────────

/** log(e^a + e^b), exact for a = −∞ or b = −∞. */
function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
}

/** The inside and outside scores, log Z and the expected count of each rule. */
export interface ExpectedCounts {
  readonly logZ: number;
  /** In `ruleNames` order: every A → B C, then every A → w. */
  readonly counts: Float64Array;
}

/**
 * Inside, then outside, in log space. Outside: o(0, n, S) = 0 and, from the longest spans down, every
 * use of A → B C on [i, m) + [m, k) passes o(i, k, A) + θ_{A → B C} + β(m, k, C) to o(i, m, B) and
 * o(i, k, A) + θ_{A → B C} + β(i, m, B) to o(m, k, C). Expected counts:
 *   E[A → B C] = Σ_{i < m < k} exp(o(i, k, A) + θ_{A → B C} + β(i, m, B) + β(m, k, C) − log Z),
 *   E[A → w]   = Σ_{i: w_i = w} exp(o(i, i + 1, A) + θ_{A → w} − log Z).
 */
export function insideOutside(grammar: Grammar, sentence: Int32Array): ExpectedCounts {
  const { nonterminals: N, words: V, binary, lexical } = grammar;
  const n = sentence.length;
  const cell = (i: number, k: number, A: number) => (i * (n + 1) + k) * N + A;
  const inside = new Float64Array((n + 1) * (n + 1) * N).fill(-Infinity);
  const outside = new Float64Array(inside.length).fill(-Infinity);
  for (let i = 0; i < n; i++) for (let A = 0; A < N; A++) inside[cell(i, i + 1, A)] = lexical[A * V + sentence[i]];
  for (let span = 2; span <= n; span++) {
    for (let i = 0, k = span; k <= n; i++, k++) {
      for (let A = 0; A < N; A++) {
        let total = -Infinity;
        for (let m = i + 1; m < k; m++) {
          for (let B = 0; B < N; B++) {
            for (let C = 0; C < N; C++)
              total = logAdd(total, binary[(A * N + B) * N + C] + inside[cell(i, m, B)] + inside[cell(m, k, C)]);
          }
        }
        inside[cell(i, k, A)] = total;
      }
    }
  }
  const logZ = inside[cell(0, n, 0)];
  const counts = new Float64Array(N * N * N + N * V);
  outside[cell(0, n, 0)] = 0;
  for (let span = n; span >= 2; span--) {
    for (let i = 0, k = span; k <= n; i++, k++) {
      for (let A = 0; A < N; A++) {
        const o = outside[cell(i, k, A)];
        if (o === -Infinity) continue;
        for (let m = i + 1; m < k; m++) {
          for (let B = 0; B < N; B++) {
            for (let C = 0; C < N; C++) {
              const theta = binary[(A * N + B) * N + C];
              const left = inside[cell(i, m, B)];
              const right = inside[cell(m, k, C)];
              outside[cell(i, m, B)] = logAdd(outside[cell(i, m, B)], o + theta + right);
              outside[cell(m, k, C)] = logAdd(outside[cell(m, k, C)], o + theta + left);
              counts[(A * N + B) * N + C] += Math.exp(o + theta + left + right - logZ);
            }
          }
        }
      }
    }
  }
  for (let i = 0; i < n; i++) {
    for (let A = 0; A < N; A++)
      counts[N * N * N + A * V + sentence[i]] += Math.exp(
        outside[cell(i, i + 1, A)] + lexical[A * V + sentence[i]] - logZ,
      );
  }
  return { logZ, counts };
}

// ── the table ─────────────────────────────────────────────────────────────────────────────────

/** One row: lagrad's gradient of log Z against the outside algorithm's expected counts. */
export function compareInsideOutside(nonterminals: number, words: number, length: number, seed: number) {
  const grammar = randomGrammar(nonterminals, words, seed);
  const sentence = randomSentence(words, length, seed + 1);
  const [program, buildMs] = timed(() => insideProgram(nonterminals, words, sentence));
  const names = ruleNames(nonterminals, words);
  const theta = ruleWeights(grammar);
  const point = new Float64Array(program.inputCount);
  names.forEach((name, r) => (point[program.indexOf(name)] = theta[r]));
  const [result, gradMs] = timed(() => grad(program, point, { schedule: 'reverse' }));
  const [expected, handMs] = timed(() => insideOutside(grammar, sentence));
  const gradient = Float64Array.from(names, (name) => result.solution.gradient[program.indexOf(name)]);
  return {
    nonterminals,
    words,
    length,
    constraints: program.constraintCount,
    logZ: expected.logZ,
    logZDifference: Math.abs(result.value - expected.logZ) / Math.max(1, Math.abs(expected.logZ)),
    countDifference: maxRelativeDifference(gradient, expected.counts),
    /** Σ of the expected lexical counts: every parse uses n of them. */
    lexicalTotal: expected.counts.subarray(nonterminals ** 3).reduce((s, x) => s + x, 0),
    buildMs,
    gradMs,
    handMs,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(
    'PCFG in CNF: ∂ log Z/∂θ (log rule weights) by lagrad (reverse) against expected counts by inside–outside',
  );
  console.log(
    'differences are max |a − b| / max(1, |b|); Σ lexical counts = sentence length, as every parse has one leaf per word\n',
  );
  const header = [
    'N',
    'V',
    'length',
    'constraints',
    'log Z',
    'Δ log Z',
    'Δ counts',
    'Σ lexical',
    'build ms',
    'grad ms',
    'i–o ms',
  ];
  const sizes = [
    [3, 5, 5],
    [3, 5, 10],
    [4, 8, 10],
    [4, 8, 20],
    [5, 10, 25],
  ] as const;
  const rows = sizes.map(([N, V, n], s) => {
    const c = compareInsideOutside(N, V, n, 3000 + s);
    return [
      N,
      V,
      n,
      c.constraints,
      c.logZ.toFixed(3),
      c.logZDifference.toExponential(1),
      c.countDifference.toExponential(1),
      c.lexicalTotal.toFixed(10),
      c.buildMs.toFixed(0),
      c.gradMs.toFixed(0),
      c.handMs.toFixed(0),
    ].map(String);
  });
  printTable(header, rows);
}
