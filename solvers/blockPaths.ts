import { LagradError } from '../src/error.ts';
import { checkMultipliers } from '../src/lagrangian/finite.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { solvePrimal } from '../src/lagrangian/primal.ts';
import { emptyStats } from '../src/lagrangian/stats.ts';
import { BlockSweeps } from '../src/primitives/blockSweeps.ts';
import type { Program } from '../src/program/program.ts';
import { buffer, type Problem, type Solution, type ScheduleOptions } from '../src/schedule/schedule.ts';

/**
 * The paths schedule over vector and matrix variables: λ_j = Σ over every path of influence
 * j → i₁ → … → o of J_{i₁j}ᵀ J_{i₂i₁}ᵀ ⋯ w_o, a product of blocks applied right to left, one VJP
 * per edge of the path (restricted to the parent the path goes through). Paths are walked from the
 * outputs back towards the inputs, depth first with an explicit stack; since a path visits a
 * variable at most once, the product for the path so far sits in that variable's own place in one
 * slab. A parent listed twice (A @ A) is one edge whose VJP carries both parts.
 *
 * Counted first, by the same dynamic program as for scalars over distinct parents: above
 * `maxPaths` paths or `maxPathEdges` VJPs it refuses before any work. Stats: `paths` walked to
 * the sources, `pathEdges` the VJPs applied.
 */
export function pathsOverBlocks(
  { program, inputs, weights }: Problem,
  options: ScheduleOptions,
  limits: { paths: number; edges: number },
): Solution {
  const start = performance.now();
  const { size, inputCount, parentStart, parents, slots } = program;
  const offset = program.layout!.offset;
  const all = Boolean(options.multipliers);
  const { distinctStart, distinct } = distinctParents(program);

  const target = new Float64Array(slots);
  seed(program, weights, target);
  // The walk enters only variables that lead to a source: an input, or any variable with `multipliers`.
  const keep = new Uint8Array(size).fill(all ? 1 : 0);
  keep.fill(1, 0, inputCount);
  for (let i = inputCount; i < size && !all; i++) {
    for (let e = distinctStart[i]; e < distinctStart[i + 1]; e++) if (keep[distinct[e]] === 1) keep[i] = 1;
  }
  const root = new Uint8Array(size);
  for (let j = 0; j < size; j++) {
    if (keep[j] === 0) continue;
    for (let s = offset[j]; s < offset[j + 1]; s++) if (target[s] !== 0) root[j] = 1;
  }
  // count_j: paths from j to a weighted output through kept variables.
  const count = Float64Array.from(root);
  for (let i = size - 1; i >= inputCount; i--) {
    if (count[i] === 0) continue;
    for (let e = distinctStart[i]; e < distinctStart[i + 1]; e++)
      if (keep[distinct[e]] === 1) count[distinct[e]] += count[i];
  }
  let total = 0;
  let work = 0;
  for (let j = 0; j < size; j++) {
    if (all || j < inputCount) total += count[j];
    work += count[j] - root[j];
  }
  const from = all ? 'every variable' : 'the inputs';
  if (!(total <= limits.paths))
    throw new LagradError(
      `schedule 'paths'`,
      `${total} paths of influence lead from ${from} to the outputs; the limit is ${limits.paths} (maxPaths) — use reverse`,
    );
  if (!(work <= limits.edges))
    throw new LagradError(
      `schedule 'paths'`,
      `the ${total} paths of influence from ${from} take ${work} VJPs; the limit is ${limits.edges} (maxPathEdges) — use reverse`,
    );

  const stats = emptyStats();
  const values = buffer(options.workspace?.values, slots);
  solvePrimal(program, inputs, values, stats);
  stats.peakValues = size;
  stats.peakBytes = 8 * slots;
  const sweeps = BlockSweeps.of(program);
  const lambda = all ? buffer(options.workspace?.lambda, slots).fill(0) : new Float64Array(slots);
  const product = new Float64Array(slots);
  const node = new Int32Array(size + 1);
  const cursor = new Int32Array(size + 1);
  let paths = 0;
  let edges = 0;
  const enter = (j: number) => {
    for (let s = offset[j]; s < offset[j + 1]; s++) lambda[s] += product[s];
    if (all || j < inputCount) paths++;
  };
  for (let o = 0; o < size; o++) {
    if (root[o] === 0) continue;
    for (let s = offset[o]; s < offset[o + 1]; s++) product[s] = target[s];
    enter(o);
    let depth = 0;
    node[0] = o;
    cursor[0] = distinctStart[o];
    while (depth >= 0) {
      const i = node[depth];
      const c = cursor[depth];
      if (c === distinctStart[i + 1]) {
        depth--;
        continue;
      }
      cursor[depth] = c + 1;
      const j = distinct[c];
      if (keep[j] === 0) continue;
      // product_j = J_ijᵀ product_i, the VJP of constraint i into parent j alone.
      product.fill(0, offset[j], offset[j + 1]);
      let need = 0;
      for (let e = parentStart[i], k = 0; e < parentStart[i + 1]; e++, k++)
        if (parents[e] === j) need |= k < 31 ? 1 << k : -1;
      sweeps.rules[i].vjp(values, product, product, sweeps.sites[i]!, need);
      edges++;
      enter(j);
      depth++;
      node[depth] = j;
      cursor[depth] = distinctStart[j];
    }
  }
  stats.paths = paths;
  stats.pathEdges = edges;
  stats.partialEvaluations = edges;
  if (paths !== total || edges !== work)
    throw new LagradError(
      `schedule 'paths'`,
      `internal error: counted ${total} paths and ${work} VJPs but walked ${paths} and ${edges}`,
    );
  checkMultipliers(program, values, lambda);
  stats.timeMs = performance.now() - start;
  return { values, lambda: all ? lambda : null, gradient: lambda.slice(0, program.inputSlots), stats };
}

/** Each constraint's parents without repeats, in CSR form. */
function distinctParents(program: Program): { distinctStart: Int32Array; distinct: Int32Array } {
  const { size, parentStart, parents } = program;
  const distinctStart = new Int32Array(size + 1);
  const distinct = new Int32Array(parents.length);
  let n = 0;
  for (let i = 0; i < size; i++) {
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      let seen = false;
      for (let q = distinctStart[i]; q < n; q++) if (distinct[q] === parents[e]) seen = true;
      if (!seen) distinct[n++] = parents[e];
    }
    distinctStart[i + 1] = n;
  }
  return { distinctStart, distinct };
}
