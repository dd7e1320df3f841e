import fc from 'fast-check';
import { dualResiduals, grad, localPartials, primalResiduals, resolveWeights } from './solvers/index.ts';
import { arbitraryCyclicProgram } from './test/helpers/randomCyclic.ts';
const EXACT: [string, Record<string, string>][] = [['auto', {}], ['reverse', {}], ['forward', {}], ['dense', {}], ['iterative', { method: 'jacobi' }], ['iterative', { method: 'gauss-seidel' }], ['iterative', { method: 'fixed-point' }], ['iterative', { method: 'gmres' }]];
const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
let failures = 0;
for (let seed = 0; seed < 3000; seed++) {
  const [{ program, inputs, text }] = fc.sample(arbitraryCyclicProgram(), { numRuns: 1, seed });
  try {
    const reference = grad(program, inputs, { schedule: 'dense' });
    const values = reference.values;
    const scale = Math.max(1, ...Array.from(values, Math.abs));
    const pr = Math.max(...Array.from(primalResiduals(program, values), Math.abs));
    if (!(pr < 1e-10 * scale)) throw new Error('primal residual ' + pr);
    const dual = dualResiduals(program, localPartials(program, values), reference.lambda, resolveWeights(program));
    const dr = Math.max(...Array.from(dual, Math.abs));
    if (!(dr < 1e-9)) throw new Error('dual residual ' + dr);
    for (const [schedule, settings] of EXACT) {
      const r = grad(program, inputs, { schedule, multipliers: true, ...settings });
      for (let i = 0; i < program.size; i++) if (!(relative(r.lambda[i], reference.lambda[i]) < 1e-9)) throw new Error(`${schedule} ${settings.method} λ#${i} ${r.lambda[i]} vs ${reference.lambda[i]}`);
    }
  } catch (e) {
    failures++;
    if (failures < 8) console.log(seed, (e as Error).message.slice(0, 300));
  }
}
console.log('failures', failures);
