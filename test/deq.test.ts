import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deqBench } from '../bench/deq.ts';
import {
  deqProgram,
  deqText,
  flatGradient,
  PARAMETERS,
  relativeError,
  startingParameters,
} from '../examples/lib/deq-model.ts';
import { irisData } from '../examples/lib/iris-data.ts';
import { evaluate, grad, unroll } from '../src/index.ts';

// The equilibrium layer on iris (examples/deq.ts, bench/deq.ts): the file in examples matches its
// generator; the multipliers (GMRES and Christianson) against finite differences and against
// backprop through many unrolled sweeps; the solver's counted work bytes; the bench's choices of
// tolerance and k reach the accuracy they claim (no timing is asserted here).

const data = irisData();
const hidden = 8;
const program = deqProgram(data.samples, data.features, hidden, data.classes.length);
const at = { X: data.X, Y: data.Y, ...startingParameters(data.features, hidden, data.classes.length, 3, 0.9) };
const wrt = [...PARAMETERS];

describe('the equilibrium layer on iris', () => {
  it('examples/deq.lag is the generator’s text at 32 units', () => {
    expect(readFileSync(new URL('../examples/deq.lag', import.meta.url), 'utf8')).toBe(deqText(150, 4, 32, 3));
  });

  it('GMRES and Christianson give one gradient; a central difference along a random direction agrees; so do 60 unrolled sweeps', () => {
    const byGmres = grad(program, at, { wrt, schedule: 'iterative', method: 'gmres' });
    const byChristianson = grad(program, at, { wrt, schedule: 'iterative', method: 'fixed-point' });
    const g = flatGradient(byGmres.gradient);
    expect(relativeError(flatGradient(byChristianson.gradient), g)).toBeLessThan(1e-11);
    // Direction: the sines of the entry indices over every parameter.
    let e = 0;
    const direction = Object.fromEntries(PARAMETERS.map((p) => [p, Float64Array.from(at[p], () => Math.sin(++e))]));
    const moved = (s: number) => ({
      ...at,
      ...Object.fromEntries(PARAMETERS.map((p) => [p, Float64Array.from(at[p], (v, q) => v + s * direction[p][q])])),
    });
    const h = 1e-5;
    const central = (evaluate(program, moved(h)) - evaluate(program, moved(-h))) / (2 * h);
    let slope = 0;
    e = 0;
    for (const p of PARAMETERS) for (let q = 0; q < at[p].length; q++) slope += g[e++] * direction[p][q];
    expect(Math.abs(slope - central) / Math.abs(slope)).toBeLessThan(1e-7);
    const unrolled = grad(unroll(program, 60), at, { wrt });
    expect(relativeError(flatGradient(unrolled.gradient), g)).toBeLessThan(1e-11);
  });

  it('counts the solver’s work bytes: a GMRES basis that grows with its iterations, Christianson’s scratch alone', () => {
    const m = 4 * data.samples * hidden; // the component's slots: Z @ W, two sums, tanh
    const byGmres = grad(program, at, { wrt, schedule: 'iterative', method: 'gmres' });
    const byChristianson = grad(program, at, { wrt, schedule: 'iterative', method: 'fixed-point' });
    const loose = grad(program, at, { wrt, schedule: 'iterative', method: 'gmres', tolerance: 1e-3 });
    expect(byGmres.stats.iterations!).toBeGreaterThan(loose.stats.iterations!);
    // At least iterations + 1 basis vectors of m entries.
    expect(byGmres.stats.solverBytes!).toBeGreaterThanOrEqual(8 * (byGmres.stats.iterations! + 1) * m);
    expect(byGmres.stats.solverBytes! - loose.stats.solverBytes!).toBeGreaterThanOrEqual(
      8 * m * (byGmres.stats.iterations! - loose.stats.iterations!),
    );
    expect(byChristianson.stats.solverBytes!).toBeGreaterThan(0);
    expect(byChristianson.stats.solverBytes!).toBeLessThan(byGmres.stats.solverBytes!);
  });

  it('the bench row: each gradient reaches the accuracy of its row; unrolled backprop needs more sweeps for more accuracy', () => {
    const result = deqBench({ smoke: true, hidden: 4 });
    expect(result.referenceCheck).toBeLessThan(1e-12);
    for (const row of result.rows) expect(row.error, `${row.method} ${row.setting}`).toBeLessThanOrEqual(row.level);
    const ks = result.rows
      .filter((r) => r.method === 'unrolled backprop')
      .map((r) => Number(r.setting.replace('k = ', '')));
    expect(ks).toHaveLength(3);
    for (let k = 1; k < ks.length; k++) expect(ks[k]).toBeGreaterThan(ks[k - 1]);
    // The unrolled program holds k copies of the component: more bytes of values than the cyclic one.
    for (const r of result.rows.filter((r) => r.method === 'unrolled backprop'))
      expect(r.valueBytes).toBeGreaterThan(result.rows[0].valueBytes);
  }, 120_000);
});
