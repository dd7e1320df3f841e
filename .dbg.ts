import fc from 'fast-check';
import { verify } from './solvers/index.ts';
import { arbitraryProgram } from './test/helpers/randomPrograms.ts';
const samples = fc.sample(arbitraryProgram(), { numRuns: 1000, seed: 7 });
const worst: Record<string, [number, string]> = {};
let fails = 0;
for (const r of samples) {
  const rep = verify(r.program, r.at, { weights: r.weights });
  for (const c of rep.checks) if (!worst[c.name] || c.value > worst[c.name][0]) worst[c.name] = [c.value, r.text + JSON.stringify(r.weights)];
  if (!rep.ok) fails++;
}
for (const [k, [v, t]] of Object.entries(worst)) console.log(k, v);
console.log('fails', fails);
console.log(worst.finiteDifference[1]);
