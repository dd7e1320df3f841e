import { randomDag } from './dag.ts';
import { Tape } from './tape.ts';
import { buildProgram, LagradRunner } from './lagrad.ts';
import { microGradient } from './micrograd.ts';
const N = Number(process.argv[2] ?? 1e6);
const dag = randomDag(N, 8, 42);
let t = performance.now();
const program = buildProgram(dag);
console.log('build ms', performance.now() - t);
const L = new LagradRunner(program);
const tape = new Tape(dag);
const out = new Float64Array(8);
for (let rep = 0; rep < 6; rep++) {
  t = performance.now(); const v = L.value(dag.x); const te = performance.now() - t;
  t = performance.now(); const g = L.gradient(dag.x); const tg = performance.now() - t;
  t = performance.now(); const v2 = tape.forward(dag.x); const tf = performance.now() - t;
  t = performance.now(); tape.reverse(out); const tr = performance.now() - t;
  console.log({ te: te.toFixed(2), tg: tg.toFixed(2), tf: tf.toFixed(2), tfr: (tf + tr).toFixed(2), v, v2, g0: g[0], o0: out[0], maxabs: L.lambda.reduce((m, x) => Math.max(m, Math.abs(x)), 0), maxv: L.values.reduce((m, x) => Math.max(m, Math.abs(x)), 0) });
}
if (N <= 1e6) { t = performance.now(); const mg = microGradient(dag, dag.x); console.log('micro ms', performance.now() - t, mg[0]); }
