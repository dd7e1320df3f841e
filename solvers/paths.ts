import { InternalError, LagradError } from '../src/error.ts';
import { localPartials } from '../src/lagrangian/kkt.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../src/lagrangian/primal.ts';
import { cycleMembers } from '../src/program/acyclic.ts';
import type { Program } from '../src/program/program.ts';
import { emptyStats } from '../src/lagrangian/stats.ts';
import { pathsOverBlocks } from './blockPaths.ts';
import { formatCount } from '../src/numberFormat.ts';
import {
  buffer,
  checked,
  type Problem,
  type Schedule,
  type Solution,
  type ScheduleOptions,
} from '../src/schedule/schedule.ts';
import { integerSetting, readSettings } from '../src/schedule/settings.ts';

/** Default most paths of influence the schedule will enumerate (option `maxPaths`). */
export const PATH_LIMIT = 1e6;
/**
 * Default most multiplications along them (option `maxPathEdges`): few but long paths cost too —
 * the multipliers of every variable of a chain of N take N²/2 (about 30 million a second here).
 */
export const PATH_EDGE_LIMIT = 5e7;

/** Setting `maxPaths`. */
export const maxPaths = integerSetting({
  name: 'maxPaths',
  min: 0,
  max: Infinity,
  default: PATH_LIMIT,
  help: 'paths: the most paths of influence it enumerates; refused above, counted before enumerating',
});
/** Setting `maxPathEdges`. */
export const maxPathEdges = integerSetting({
  name: 'maxPathEdges',
  min: 0,
  max: Infinity,
  default: PATH_EDGE_LIMIT,
  help: 'paths: the most multiplications along those paths (long paths cost too)',
});

const SETTINGS = [maxPaths, maxPathEdges] as const;

/**
 * The lecture's naive method: λ_j = Σ over every path of influence j → i₁ → … → o ending at an
 * output of w_o · J_{i₁ j} · J_{i₂ i₁} ⋯, the chain rule expanded into one product per path.
 * The number of paths is counted first by a linear dynamic program (paths_j = [w_j ≠ 0] +
 * Σ_{i: j ∈ Pa(i)} paths_i, in reverse order); when it exceeds `maxPaths` (default 10⁶) the
 * schedule refuses before enumerating, as it does when the multiplications along them (counted the
 * same way) exceed `maxPathEdges` (default 5·10⁷). Enumeration is a depth-first walk with an
 * explicit stack.
 * Gradient only by default (paths from the inputs); with `multipliers: true`, paths from every
 * variable. Stats: `paths` enumerated, `pathEdges` multiplications along them.
 */
export const paths: Schedule<typeof SETTINGS> = checked({
  name: 'paths',
  summary: 'sum over all paths of influence of the product of local partials (exponential; refuses above maxPaths)',
  settings: SETTINGS,
  solve(problem: Problem, options: ScheduleOptions = {}): Solution {
    const start = performance.now();
    const { program, inputs, weights } = problem;
    const settings = readSettings(SETTINGS, options);
    if (program.cyclic) {
      throw new LagradError(
        `schedule 'paths'`,
        `the program is cyclic (a cycle through ${cycleMembers(program, 0)}), so it has infinitely many paths of influence — use dense, reverse or iterative`,
      );
    }
    const { size, inputCount } = program;
    const limit = settings.maxPaths;
    if (program.layout !== null)
      return pathsOverBlocks(problem, options, { paths: limit, edges: settings.maxPathEdges });
    const sources = options.multipliers ? size : inputCount;
    const target = new Float64Array(size);
    seed(program, weights, target);
    const { count, prefixes } = countPaths(program, target);
    let total = 0;
    let work = 0;
    for (let j = 0; j < sources; j++) {
      total += count[j];
      work += prefixes[j];
    }
    const from = options.multipliers ? 'every variable' : 'the inputs';
    if (!(total <= limit)) {
      throw new LagradError(
        `schedule 'paths'`,
        `${formatCount(total)} paths of influence lead from ${from} to the outputs; the limit is ${formatCount(limit)} (maxPaths) — their number grows exponentially with depth; use reverse`,
      );
    }
    const workLimit = settings.maxPathEdges;
    if (!(work <= workLimit)) {
      throw new LagradError(
        `schedule 'paths'`,
        `the ${formatCount(total)} paths of influence from ${from} take ${formatCount(work)} multiplications; the limit is ${formatCount(workLimit)} (maxPathEdges) — use reverse`,
      );
    }

    const stats = emptyStats();
    const values = buffer(options.workspace?.values, size);
    solvePrimal(program, inputs, values, stats);
    const J = localPartials(program, values);
    stats.partialEvaluations += size - inputCount;
    stats.peakValues = size;
    stats.peakBytes = 8 * size;
    const lambda = new Float64Array(sources);
    const walked = enumerate(program, J, target, count, lambda, work, options.progress);
    stats.paths = walked.paths;
    stats.pathEdges = walked.edges;
    if (walked.paths !== total || walked.edges !== work) {
      throw new InternalError(
        `schedule 'paths'`,
        `counted ${total} paths and ${work} edges along them but enumerated ${walked.paths} and ${walked.edges}`,
      );
    }

    let all: Float64Array | null = null;
    if (options.multipliers) {
      all = buffer(options.workspace?.lambda, size);
      all.set(lambda);
    }
    stats.timeMs = performance.now() - start;
    return { values, lambda: all, gradient: lambda.slice(0, inputCount), stats };
  },
});

/**
 * count_j: the number of paths of influence from v_j to an output with nonzero weight (the empty
 * path when v_j is one); a parent listed twice (x·x) is two edges, hence two paths. prefixes_j:
 * the edges the enumeration from v_j walks, one per path prefix that leads on to an output,
 * prefixes_j = Σ_{i: j ∈ Pa(i), count_i > 0} (1 + prefixes_i). One reverse pass, O(N + E). Doubles,
 * so astronomical counts stay comparable (2^1000 is finite; beyond, Infinity still compares).
 */
export function countPaths(program: Program, target: Float64Array): { count: Float64Array; prefixes: Float64Array } {
  const { parentStart, parents, inputCount, size } = program;
  const count = new Float64Array(size);
  const prefixes = new Float64Array(size);
  for (let j = 0; j < size; j++) count[j] = target[j] !== 0 ? 1 : 0;
  for (let i = size - 1; i >= inputCount; i--) {
    const c = count[i];
    if (c === 0) continue;
    const walk = 1 + prefixes[i];
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      count[parents[e]] += c;
      prefixes[parents[e]] += walk;
    }
  }
  return { count, prefixes };
}

/**
 * Walks every path from each source j < lambda.length to the outputs and sums the products of
 * partials into lambda[j]. The stack holds, per depth, the variable, the next child edge to try
 * and the product so far; children that reach no output are skipped, so the work is proportional
 * to the number of path prefixes.
 */
function enumerate(
  program: Program,
  J: Float64Array,
  target: Float64Array,
  count: Float64Array,
  lambda: Float64Array,
  work: number,
  progress?: (done: number, total: number) => void,
): { paths: number; edges: number } {
  const { childStart, child, edge } = children(program);
  const size = program.size;
  const node = new Int32Array(size + 1);
  const cursor = new Int32Array(size + 1);
  const product = new Float64Array(size + 1);
  let paths = 0;
  let edges = 0;
  // Every step pushes one of the `work` prefixes, pops one, or skips a dead child edge of one.
  const stepLimit = (work + lambda.length) * (2 + maxChildren(childStart));
  let steps = 0;
  for (let s = 0; s < lambda.length; s++) {
    if (count[s] === 0) continue;
    let sum = target[s];
    if (target[s] !== 0) paths++;
    let depth = 0;
    node[0] = s;
    cursor[0] = childStart[s];
    product[0] = 1;
    while (depth >= 0) {
      if (++steps > stepLimit) throw new InternalError(`schedule 'paths'`, 'the enumeration ran past its bound');
      const c = cursor[depth];
      if (c === childStart[node[depth] + 1]) {
        depth--;
        continue;
      }
      cursor[depth] = c + 1;
      const i = child[c];
      if (count[i] === 0) continue;
      const p = product[depth] * J[edge[c]];
      edges++;
      depth++;
      node[depth] = i;
      cursor[depth] = childStart[i];
      product[depth] = p;
      if (target[i] !== 0) {
        sum += p * target[i];
        paths++;
      }
    }
    lambda[s] = sum;
    progress?.(s + 1, lambda.length);
  }
  return { paths, edges };
}

function maxChildren(childStart: Int32Array): number {
  let most = 0;
  for (let j = 0; j + 1 < childStart.length; j++) most = Math.max(most, childStart[j + 1] - childStart[j]);
  return most;
}

/** The transpose of the parent lists: for each variable, the constraints that read it and through which edge. */
function children(program: Program): { childStart: Int32Array; child: Int32Array; edge: Int32Array } {
  const { parentStart, parents, inputCount, size } = program;
  const E = parents.length;
  const childStart = new Int32Array(size + 1);
  for (let e = 0; e < E; e++) childStart[parents[e] + 1]++;
  for (let j = 0; j < size; j++) childStart[j + 1] += childStart[j];
  const fill = childStart.slice(0, size);
  const child = new Int32Array(E);
  const edge = new Int32Array(E);
  for (let i = inputCount; i < size; i++) {
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      const k = fill[parents[e]]++;
      child[k] = i;
      edge[k] = e;
    }
  }
  return { childStart, child, edge };
}
