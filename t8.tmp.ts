import fc from 'fast-check';
import { grad } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
const gaps: number[] = [], rates: number[] = [];
const finalRate = (r: readonly number[]) => (r.at(-1)! / r.at(-11)!) ** (1 / 10);
for (const { program, inputs } of fc.sample(arbitraryCyclicProgram(), { numRuns: 200, seed: 20240 })) {
  const r = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
  for (const f of r.solution.convergence!.filter((c) => c.quantity === 'values')) {
    const a = r.solution.convergence!.find((c) => c.quantity === 'multipliers' && c.start === f.start)!;
    if (!(a.residuals[0] > 0) || f.iterations < 8 || a.iterations < 8) continue;
    gaps.push(Math.abs(f.iterations - a.iterations));
    if (f.iterations >= 20 && a.iterations >= 20) rates.push(Math.abs(finalRate(f.residuals) - finalRate(a.residuals)));
  }
}
gaps.sort((x, y) => x - y); rates.sort((x, y) => x - y);
console.log(gaps.length, 'median', gaps[gaps.length >> 1], 'p90', gaps[Math.floor(gaps.length * 0.9)], 'max', gaps.at(-1));
console.log(rates.length, 'median', rates[rates.length >> 1], 'p90', rates[Math.floor(rates.length * 0.9)], 'max', rates.at(-1));
for (const { program, inputs } of fc.sample(arbitraryCyclicProgram(), { numRuns: 200, seed: 20240 })) {
  const r = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
  for (const f of r.solution.convergence!.filter((c) => c.quantity === 'values')) {
    const a = r.solution.convergence!.find((c) => c.quantity === 'multipliers' && c.start === f.start)!;
    if (!(a.residuals[0] > 0) || f.iterations < 20 || a.iterations < 20) continue;
    if (Math.abs(finalRate(f.residuals) - finalRate(a.residuals)) > 0.01) {
      console.log('F', f.residuals.map((x) => x.toExponential(2)).join(' '));
      console.log('A', a.residuals.map((x) => x.toExponential(2)).join(' '));
    }
  }
}
