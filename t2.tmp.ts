import fc from 'fast-check';
import { grad, parse } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
const samples = fc.sample(arbitraryCyclicProgram(), { numRuns: 200, seed: 7 });
let worst = 0, worstIt = 0; const gaps: number[] = [];
const names = [['reverse'], ['forward'], ['iterative', 'jacobi'], ['iterative', 'gauss-seidel'], ['iterative', 'fixed-point'], ['iterative', 'gmres']];
for (const s of samples) {
  const ref = grad(s.program, s.inputs, { schedule: 'dense' });
  for (const [sch, m] of names) {
    const r = grad(s.program, s.inputs, { schedule: sch, method: m, multipliers: true });
    for (let k = 0; k < ref.solution.gradient.length; k++) {
      const e = Math.abs(r.solution.gradient[k] - ref.solution.gradient[k]) / Math.max(1, Math.abs(ref.solution.gradient[k]));
      if (e > worst) { worst = e; }
    }
    const lam = r.lambda;
    for (let k = 0; k < lam.length; k++) worst = Math.max(worst, Math.abs(lam[k] - ref.lambda[k]) / Math.max(1, Math.abs(ref.lambda[k])));
  }
  const p2 = parse(s.text);
  const r2 = grad(p2, s.at);
  for (const n of p2.inputNames) worst = Math.max(worst, Math.abs(r2.gradient[n] - ref.gradient[n]));
  // forward/adjoint rates
  const fp = grad(s.program, s.inputs, { schedule: 'iterative', method: 'fixed-point', primal: 'fixed-point' });
  const recs = fp.solution.convergence!;
  for (const v of recs.filter((c) => c.quantity === 'values')) {
    const a = recs.find((c) => c.quantity === 'multipliers' && c.start === v.start)!;
    if (a.residuals[0] === 0) continue;
    const reach = (r: readonly number[]) => r.findIndex((x, k) => k >= 1 && x <= 1e-8 * r[1]);
    const kf = reach(v.residuals), ka = reach(a.residuals);
    gaps.push(kf - ka);
    if (Math.abs(kf - ka) > 3) console.log('gap', kf, ka, v.end - v.start, v.rate.toFixed(3), a.rate.toFixed(3), v.residuals.slice(0, 4).map((x) => x.toExponential(1)).join(' '), '|', a.residuals.slice(0, 4).map((x) => x.toExponential(1)).join(' '));
    if (Math.abs(a.iterations - v.iterations) > worstIt) { worstIt = Math.abs(a.iterations - v.iterations); console.log(v.iterations, a.iterations, v.rate, a.rate); }
  }
}
console.log('worst', worst, 'worst iteration gap', worstIt); gaps.sort((a,b)=>a-b); console.log(gaps.length, gaps.slice(0,5), gaps.slice(-5));
