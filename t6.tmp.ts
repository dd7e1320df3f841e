import fc from 'fast-check';
import { grad } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
const gapsA: number[] = [], gapsB: number[] = [], rates: number[] = [], total: number[] = [];
for (const { program, inputs } of fc.sample(arbitraryCyclicProgram(), { numRuns: 600, seed: 3 })) {
  const r = grad(program, inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
  for (const f of r.solution.convergence!.filter((c) => c.quantity === 'values')) {
    const a = r.solution.convergence!.find((c) => c.quantity === 'multipliers' && c.start === f.start)!;
    if (!(a.residuals[0] > 0) || f.iterations < 8) continue;
    const first = (h: readonly number[], x: number) => h.findIndex((y, k) => k >= 1 && y <= x * h[1]);
    gapsA.push(first(f.residuals, 1e-8) - first(a.residuals, 1e-8));
    const span = (h: readonly number[]) => first(h, 1e-9) - first(h, 1e-3);
    gapsB.push(span(f.residuals) - span(a.residuals));
    total.push(f.iterations - a.iterations);
    if (Math.abs(f.iterations - a.iterations) > 4) console.log(f.iterations, a.iterations, f.rate.toFixed(3), a.rate.toFixed(3), f.end - f.start);
    if (f.iterations >= 20) rates.push(Math.abs(f.rate - a.rate));
  }
}
const show = (g: number[]) => { const s = [...g].sort((x, y) => x - y); return `${s.length} min ${s[0]} p5 ${s[Math.floor(s.length * 0.05)]} median ${s[s.length >> 1]} p95 ${s[Math.floor(s.length * 0.95)]} max ${s.at(-1)}`; };
console.log('8 decades from r1:', show(gapsA));
console.log('1e-3..1e-9 span:', show(gapsB));
console.log('total iterations:', show(total));
console.log('rate diff:', show(rates));
