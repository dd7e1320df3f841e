import fc from 'fast-check';
import { grad } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
for (const { program, inputs, text } of fc.sample(arbitraryCyclicProgram(), { numRuns: 200, seed: 20240 })) {
  const r = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
  for (const f of r.solution.convergence!.filter((c) => c.quantity === 'values')) {
    const a = r.solution.convergence!.find((c) => c.quantity === 'multipliers' && c.start === f.start)!;
    if (!(a.residuals[0] > 0) || f.iterations < 8) continue;
    if (Math.abs(f.iterations - a.iterations) > 2 + Math.log(100) / -Math.log(f.rate)) {
      console.log(text);
      console.log('F', f.residuals.map((x) => x.toExponential(1)).join(' '));
      console.log('A', a.residuals.map((x) => x.toExponential(1)).join(' '));
    }
  }
}
