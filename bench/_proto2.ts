import { randomDag } from './dag.ts';
import { buildProgram, LagradRunner } from './lagrad.ts';
import { loadTf, reachingInputs, tfGradient, tfValue } from './tfjs.ts';
const t0 = performance.now();
const tf = await loadTf();
console.log('load', performance.now() - t0);
for (const N of [1e3, 1e4, 1e5]) {
  const dag = randomDag(N, 8, 42);
  const L = new LagradRunner(buildProgram(dag));
  const g = L.gradient(dag.x);
  for (let r = 0; r < 2; r++) {
    let t = performance.now(); const v = tfValue(tf, dag, dag.x); const tv = performance.now() - t;
    t = performance.now(); const tg = tfGradient(tf, dag, dag.x, reachingInputs(dag)); const tgt = performance.now() - t;
    console.log(N, tv.toFixed(1), tgt.toFixed(1), v, L.value(dag.x), tg[0], g[0], Math.max(...tg.map((x, k) => Math.abs(x - g[k]))));
  }
}
