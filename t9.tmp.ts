import fc from 'fast-check';
import { grad, ProgramBuilder } from './solvers/index.ts';
import { arbitraryProgram } from './test/helpers/randomPrograms.ts';
const b = new ProgramBuilder();
const m = 40, coupling = 0.495;
const x = Array.from({ length: 3 }, (_, k) => b.input(`x${k}`, 0.3 * (k + 1)));
const u: number[] = [];
for (let r = 0; r < m; r++) {
  const nb = b.apply('add', b.placeholder((r + m - 1) % m), b.placeholder((r + 1) % m));
  u.push(b.apply('add', b.apply('scale', nb, undefined, coupling), x[r % 3]));
}
b.resolve((k) => u[k]);
const p = b.output(b.applyMany('sum', u.map((ur, r) => b.apply('scale', ur, undefined, 1 + ((r * 7) % 5))))).build();
for (const method of ['fixed-point', 'gmres', 'gauss-seidel']) {
  const t = performance.now();
  const r = grad(p, {}, { schedule: 'iterative', method, maxIterations: 20000 });
  console.log(method, r.stats.iterations, r.stats.matvecs, r.stats.rate, r.stats.partialEvaluations, (performance.now() - t).toFixed(1), 'ms', r.gradient);
}
const js = fc.sample(arbitraryProgram(), { numRuns: 100, seed: 1 }).map(({ program, inputs, weights }) => grad(program, inputs, { schedule: 'iterative', method: 'jacobi', weights }).stats.iterations);
console.log('jacobi sweeps on random DAGs', js.join(' '));
