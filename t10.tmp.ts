import fc from 'fast-check';
import { grad } from './solvers/index.ts';
import { arbitraryProgram } from './test/helpers/randomPrograms.ts';
let n = 0;
for (const { program, inputs, weights, text } of fc.sample(arbitraryProgram(), { numRuns: 2000, seed: 5 })) {
  const j = grad(program, inputs, { schedule: 'iterative', method: 'jacobi', weights });
  const h = j.solution.convergence!.at(-1)!.residuals;
  if (h.at(-1) !== 0) {
    n++;
    if (n < 3) { console.log(text, weights, h); const bp = grad(program, inputs, { schedule: 'reverse', weights }); console.log(Array.from(j.lambda).map((x, i) => x - bp.lambda[i])); }
  }
}
console.log('nonzero final', n);
