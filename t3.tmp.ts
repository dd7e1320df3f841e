import { parse, grad, unroll, evaluate } from './solvers/index.ts';
import { readFileSync } from 'node:fs';
for (const f of ['fixed-point', 'babylonian', 'pagerank', 'equilibrium']) {
  const p = parse(readFileSync(`examples/${f}.lag`, 'utf8'), { file: f });
  const order = Array.from({ length: p.size }, (_, i) => `${p.nameOf(i) ?? '#' + i}:${p.constraint(i).op}`);
  console.log(f, order.join(' '), 'cycles', Array.from(p.cycles));
  const r = grad(p, {}, { primal: 'fixed-point' });
  const it = r.solution.convergence![0].iterations;
  for (const k of [1, 2, it]) console.log('  k', k, evaluate(unroll(p, k)), r.value);
}
