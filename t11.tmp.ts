import fc from 'fast-check';
import { grad, localPartials, resolveWeights, type Program } from './solvers/index.ts';
import { arbitraryProgram } from './test/helpers/randomPrograms.ts';
function depth(program: Program, weights: Float64Array, values: Float64Array): number {
  const { parentStart, parents, inputCount, size, outputs } = program;
  const J = localPartials(program, values);
  const level = new Int32Array(size);
  outputs.forEach((o, k) => weights[k] !== 0 && (level[o] = Math.max(level[o], 1)));
  let most = 0;
  for (let i = size - 1; i >= 0; i--) {
    if (level[i] === 0) continue;
    most = Math.max(most, level[i]);
    if (i < inputCount) continue;
    const summed = new Map<number, number>();
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) summed.set(parents[e], (summed.get(parents[e]) ?? 0) + J[e]);
    for (const [j, partial] of summed) if (partial !== 0) level[j] = Math.max(level[j], level[i] + 1);
  }
  return most;
}
let n = 0;
for (const { program, inputs, weights, text } of fc.sample(arbitraryProgram({ primitives: ['add', 'mul', 'sin', 'cos', 'tanh', 'exp', 'scale', 'shift', 'sigmoid', 'square', 'sum', 'neg', 'id', 'const'] }), { numRuns: 3000, seed: 9 })) {
  const bp = grad(program, inputs, { schedule: 'reverse', weights });
  const j = grad(program, inputs, { schedule: 'iterative', method: 'jacobi', weights, tolerance: 0 });
  const d = depth(program, resolveWeights(program, undefined, weights), bp.values);
  if (j.stats.iterations !== d) {
    n++;
    if (n < 3) console.log(text, weights, j.stats.iterations, d, j.solution.convergence!.at(-1)!.residuals, Array.from({ length: program.size }, (_, i) => program.constraint(i).op + ':' + bp.values[i].toPrecision(3)).join(' '));
  }
}
console.log('mismatches', n);
