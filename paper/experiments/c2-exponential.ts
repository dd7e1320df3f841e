import { grad } from '../../src/index.ts';
import { renderSvg } from '../../src/cli/plot.ts';
import { batchSize, sideBySide } from '../../bench/harness.ts';
import { LagradRunner } from '../../bench/lagrad.ts';
import { directProgram } from '../../bench/memory.ts';
import { best, fullyConnected } from '../../examples/fully-connected.ts';
import { markdownTable, power, sci } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 2: the naive chain rule (a sum over paths of products of partials) is exponential in depth,
// backprop linear in the size of the program. (a) `paths` against `reverse` on the lecture's fully
// connected DAG as n grows; (b) the time of `grad` against `evaluate` on the benchmark's random
// DAGs as N grows (to 10⁷ in the full run): the constant factor of reverse mode.

/** Fastest of several runs: on a shared machine the minimum is the least disturbed by other work. */
const TIMING = { warmup: 1, runs: 7, budgetMs: 5000 };

function fastestOfThree(call: () => unknown): { min: number } {
  let min = Infinity;
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    call();
    min = Math.min(min, performance.now() - start);
  }
  return { min };
}

/** Least-squares slope of y on x. */
function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let k = 0; k < n; k++) {
    sxy += (xs[k] - mx) * (ys[k] - my);
    sxx += (xs[k] - mx) ** 2;
  }
  return sxy / sxx;
}

export const exponentialClaim: Experiment = {
  id: 'claim2',
  title: '2. The naive chain rule is exponential; backprop is linear',
  async run(ctx) {
    // (a) paths against reverse on the fully connected graph.
    const top = ctx.quick ? 10 : 22;
    const maxPaths = 2 ** (top - 2);
    const dense = [];
    for (let n = 4; n <= top; n++) {
      const program = fullyConnected(n);
      const reverse = best(program, 'reverse', 1, maxPaths);
      const paths = best(program, 'paths', 1, maxPaths);
      // Timed by the benchmark's harness: warmed up, fast calls batched, the median of a few runs.
      const calls = [
        () => grad(program, { x: 0.3 }, { schedule: 'reverse' }),
        () => grad(program, { x: 0.3 }, { schedule: 'paths', maxPaths }),
      ];
      // (--quick: the fastest of three plain calls; the harness's warm-up alone would take seconds.)
      const [reverseTime, pathsTime] = ctx.quick
        ? calls.map(fastestOfThree)
        : sideBySide(calls, TIMING, calls.map(batchSize));
      const g = reverse.gradient.x as number;
      dense.push({
        n,
        variables: program.size,
        edges: program.parents.length,
        paths: paths.stats.paths!,
        pathEdges: paths.stats.pathEdges!,
        reversePartials: reverse.stats.partialEvaluations,
        pathsMs: pathsTime.min,
        reverseMs: reverseTime.min,
        difference: Math.abs((paths.gradient.x as number) - g) / Math.abs(g),
      });
    }
    // Growth per added node, fitted where paths takes over 0.5 ms (above the per-call overhead), or over the last three sizes.
    const slow = dense.filter((r) => r.pathsMs > 0.5);
    const upper = slow.length >= 3 ? slow : dense.slice(-3);
    const pathsGrowth =
      2 **
      slope(
        upper.map((r) => r.n),
        upper.map((r) => Math.log2(r.pathsMs)),
      );
    const productGrowth =
      2 **
      slope(
        upper.map((r) => r.n),
        upper.map((r) => Math.log2(r.pathEdges)),
      );
    const pathsPerMs = upper.map((r) => r.paths / r.pathsMs);
    const last = dense[dense.length - 1];
    // (b) grad against evaluate on random DAGs of N variables (built straight into exact arrays).
    const sizes = ctx.quick ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6, 1e7];
    const scaling = [];
    for (const size of sizes) {
      const { program, x } = directProgram(size);
      const runner = new LagradRunner(program);
      const [value, gradient] = sideBySide([() => runner.value(x), () => runner.gradient(x)], {
        warmup: 1,
        runs: ctx.quick ? 3 : size >= 1e7 ? 5 : 9,
        budgetMs: 10_000,
      });
      scaling.push({
        size,
        evaluateNs: (value.median * 1e6) / size,
        gradNs: (gradient.median * 1e6) / size,
        ratio: gradient.median / value.median,
        runs: gradient.runs,
      });
    }
    const ratios = scaling.map((s) => s.ratio);
    const largestSize = scaling[scaling.length - 1];
    const figure = await renderSvg({
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      background: 'white',
      hconcat: [
        {
          title: 'Fully connected DAG: paths against reverse',
          width: 300,
          height: 240,
          data: {
            values: dense.flatMap((r) => [
              { n: r.n, schedule: 'paths (sum over paths)', ms: r.pathsMs },
              { n: r.n, schedule: 'reverse (backprop)', ms: r.reverseMs },
            ]),
          },
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'n', type: 'quantitative', title: 'nodes n (2^(n−2) paths)' },
            y: {
              field: 'ms',
              type: 'quantitative',
              scale: { type: 'log' },
              axis: { format: '~e' },
              title: 'time of one gradient (ms, log)',
            },
            color: { field: 'schedule', type: 'nominal', title: null, legend: { orient: 'top-left' } },
          },
        },
        {
          title: 'Random DAGs: grad ÷ evaluate',
          width: 300,
          height: 240,
          data: { values: scaling },
          mark: { type: 'line', point: true },
          encoding: {
            x: {
              field: 'size',
              type: 'quantitative',
              scale: { type: 'log' },
              axis: { format: '~s' },
              title: 'N variables (log)',
            },
            y: {
              field: 'ratio',
              type: 'quantitative',
              scale: { zero: true },
              title: 'time of grad ÷ time of evaluate',
            },
          },
        },
      ],
    });
    const supported = pathsGrowth > 1.6 && Math.max(...ratios) < 4;
    return {
      criterion:
        "paths' time grows by more than 1.6× per added node (2× in exact arithmetic) and grad costs under 4 evaluations at every N (the cheap-gradient bound in Griewank and Walther's operation-count model)",
      supported,
      verdict: `paths' time grows ${pathsGrowth.toFixed(2)}× per added node (its products of partials ${productGrowth.toFixed(2)}×; 2^(n−2) paths), reaching ${sci(last.pathsMs / last.reverseMs)}× reverse's at n = ${last.n}; grad costs ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}× evaluate from N = ${power(sizes[0])} to ${power(largestSize.size)}`,
      maxPaths,
      top,
      pathsGrowth,
      productGrowth,
      pathsPerMs: pathsPerMs.reduce((s, x) => s + x, 0) / pathsPerMs.length,
      last,
      dense,
      denseTable: markdownTable(
        [
          'n',
          'variables',
          'edges',
          'paths',
          'edges on paths',
          'reverse: partial evaluations',
          'paths (ms)',
          'reverse (ms)',
          'paths ÷ reverse',
          'relative Δ gradient',
        ],
        dense.map((r) => [
          r.n,
          r.variables,
          r.edges,
          r.paths,
          r.pathEdges,
          r.reversePartials,
          r.pathsMs.toPrecision(3),
          r.reverseMs.toPrecision(3),
          (r.pathsMs / r.reverseMs).toPrecision(3),
          sci(r.difference),
        ]),
      ),
      scaling,
      scalingTable: markdownTable(
        ['N', 'evaluate (ns/variable)', 'grad (ns/variable)', 'grad ÷ evaluate', 'timed runs'],
        scaling.map((s) => [power(s.size), s.evaluateNs.toFixed(1), s.gradNs.toFixed(1), s.ratio.toFixed(2), s.runs]),
      ),
      ratioMin: Math.min(...ratios),
      ratioMax: Math.max(...ratios),
      largestSize: largestSize.size,
      ratioAtLargest: largestSize.ratio,
      figure: ctx.figure('exponential', figure),
    };
  },
};
