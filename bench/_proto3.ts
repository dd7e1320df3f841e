import { parse } from '../solvers/index.ts';
import { randomDag } from './dag.ts';
import { buildProgram, lagText } from './lagrad.ts';
const N = 1e6;
const dag = randomDag(N, 8, 42);
let t = performance.now();
const text = lagText(dag);
console.log('text ms', performance.now() - t, text.length, text.slice(0, 200));
for (let r = 0; r < 3; r++) {
  t = performance.now(); const p = parse(text); const tp = performance.now() - t;
  t = performance.now(); const q = buildProgram(dag); const tb = performance.now() - t;
  console.log('parse', tp.toFixed(0), 'build', tb.toFixed(0), p.size, q.size, p.constraintCount);
}
