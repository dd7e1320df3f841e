import fc from 'fast-check';
import { grad } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
for (const seed of [14, 57, 167]) {
  const [{ program, inputs, text }] = fc.sample(arbitraryCyclicProgram(), { numRuns: 1, seed });
  if (seed === 57) console.log(text);
  const r = grad(program, inputs, { schedule: 'iterative', method: 'jacobi', maxIterations: 100000 });
  const h = r.solution.convergence!.at(-1)!.residuals;
  console.log(seed, h.length, h.slice(0, 40).map((x) => x.toExponential(1)).join(' '), '...', h.slice(-5).map((x) => x.toExponential(1)).join(' '));
}
