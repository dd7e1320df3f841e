import { LagradError } from '../src/error.ts';
import { checkMultipliers } from '../src/lagrangian/finite.ts';
import { localPartials } from '../src/lagrangian/kkt.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../src/lagrangian/primal.ts';
import { requireAcyclic } from '../src/program/acyclic.ts';
import type { Program } from '../src/program/program.ts';
import { buffer, emptyStats, type Problem, type Schedule, type Solution, type SolveOptions } from '../src/schedule.ts';

/** Default most paths of influence the schedule will enumerate (option `maxPaths`). */
export const PATH_LIMIT = 1e6;

/**
 * The lecture's naive method: λ_j = Σ over every path of influence j → i₁ → … → o ending at an
 * output of w_o · J_{i₁ j} · J_{i₂ i₁} ⋯, the chain rule expanded into one product per path.
 * The number of paths is counted first by a linear dynamic program (paths_j = [w_j ≠ 0] +
 * Σ_{i: j ∈ Pa(i)} paths_i, in reverse order); when it exceeds `maxPaths` (default 10⁶) the
 * schedule refuses before enumerating. Enumeration is a depth-first walk with an explicit stack.
 * Gradient only by default (paths from the inputs); with `multipliers: true`, paths from every
 * variable. Stats: `paths` enumerated, `pathEdges` multiplications along them.
 */
export const paths: Schedule = {
  name: 'paths',
  summary: 'sum over all paths of influence of the product of local partials (exponential; refuses above maxPaths)',
  solve({ program, inputs, weights }: Problem, options: SolveOptions = {}): Solution {
    const start = performance.now();
    requireAcyclic(program, 'paths');
    const { size, inputCount } = program;
    const limit = Number(options.maxPaths ?? PATH_LIMIT);
    const sources = options.multipliers ? size : inputCount;
    const target = new Float64Array(size);
    seed(program, weights, target);
    const count = countPaths(program, target);
    let total = 0;
    for (let j = 0; j < sources; j++) total += count[j];
    if (!(total <= limit)) {
      const from = options.multipliers ? 'every variable' : 'the inputs';
      throw new LagradError(`schedule 'paths'`, `${formatCount(total)} paths of influence lead from ${from} to the outputs; the limit is ${formatCount(limit)} (maxPaths) — their number grows exponentially with depth; use reverse`);
    }

    const stats = emptyStats();
    const values = buffer(options.workspace?.values, size);
    solvePrimal(program, inputs, values, stats);
    const J = localPartials(program, values);
    stats.partialEvaluations += size - inputCount;
    stats.peakValues = size;
    const lambda = new Float64Array(sources);
    const walked = enumerate(program, J, target, count, lambda, total);
    stats.paths = walked.paths;
    stats.pathEdges = walked.edges;
    if (walked.paths !== total) throw new LagradError(`schedule 'paths'`, `internal error: counted ${total} paths but enumerated ${walked.paths}`);

    let all: Float64Array | null = null;
    if (options.multipliers) {
      all = buffer(options.workspace?.lambda, size);
      all.set(lambda);
      checkMultipliers(program, values, all);
    }
    stats.timeMs = performance.now() - start;
    return { values, lambda: all, gradient: lambda.slice(0, inputCount), stats };
  },
};

/**
 * paths_j: the number of paths of influence from v_j to an output with nonzero weight (the empty
 * path when v_j is one). A parent listed twice (x·x) is two edges, hence two paths. Doubles, so
 * astronomical counts stay comparable (2^1000 is finite; beyond, Infinity still compares).
 */
export function countPaths(program: Program, target: Float64Array): Float64Array {
  const { parentStart, parents, inputCount, size } = program;
  const count = new Float64Array(size);
  for (let j = 0; j < size; j++) count[j] = target[j] !== 0 ? 1 : 0;
  for (let i = size - 1; i >= inputCount; i--) {
    const c = count[i];
    if (c === 0) continue;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) count[parents[e]] += c;
  }
  return count;
}

/**
 * Walks every path from each source j < lambda.length to the outputs and sums the products of
 * partials into lambda[j]. The stack holds, per depth, the variable, the next child edge to try
 * and the product so far; children that reach no output are skipped, so the work is proportional
 * to the number of path prefixes.
 */
function enumerate(program: Program, J: Float64Array, target: Float64Array, count: Float64Array, lambda: Float64Array, total: number): { paths: number; edges: number } {
  const { childStart, child, edge } = children(program);
  const size = program.size;
  const node = new Int32Array(size + 1);
  const cursor = new Int32Array(size + 1);
  const product = new Float64Array(size + 1);
  let paths = 0;
  let edges = 0;
  // Every step pushes a prefix or advances a cursor; prefixes ≤ paths · (longest path + 1).
  const stepLimit = (total + 1) * (size + 1) * 2 + program.parents.length * 2;
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
      if (++steps > stepLimit) throw new LagradError(`schedule 'paths'`, 'internal error: the enumeration ran past its bound');
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
  }
  return { paths, edges };
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

function formatCount(n: number): string {
  return n < 1e15 ? String(n) : n.toPrecision(3);
}
