import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, grad, parse, parseProgram } from '../src/index.ts';
import { lectureDag, NEAR, randomDag, WIDTH, workloadDag, WORKLOADS } from '../bench/dag.ts';
import { summarize } from '../bench/harness.ts';
import { buildProgram, ByNameRunner, lagText, LagradRunner } from '../bench/lagrad.ts';
import { nameTableBaseline, parseTexts } from '../bench/parsing.ts';
import { microGradient, microValue } from '../bench/micrograd.ts';
import { directProgram } from '../bench/memory.ts';
import { relativeError } from '../bench/systems.ts';
import { Tape } from '../bench/tape.ts';
import { allFinite } from '../src/lagrangian/finite.ts';
import { centralDifference } from './helpers/finiteDifferences.ts';

// The benchmark's systems must compute what lagrad computes (the benchmark checks this before it
// times anything; here on small programs, without timing). No timing in this file.

describe('the benchmark systems agree with lagrad', () => {
  it('on every workload: tape (reverse and tangent), object graph, lagrad forward mode and default call', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WORKLOADS),
        fc.integer({ min: 20, max: 3000 }),
        fc.integer({ min: 1, max: 8 }),
        fc.nat(),
        (workload, size, inputs, seed) => {
          const dag = workloadDag(workload, size, inputs, seed);
          const lagrad = new LagradRunner(buildProgram(dag));
          const value = lagrad.value(dag.x);
          const gradient = Float64Array.from(lagrad.gradient(dag.x));
          expect(Array.from(lagrad.defaultGradient(dag.x))).toEqual(Array.from(gradient));
          const tape = new Tape(dag);
          const out = new Float64Array(inputs);
          expect(tape.forward(dag.x)).toBe(value);
          expect(relativeError(tape.reverse(out), gradient)).toBeLessThan(1e-12);
          expect(relativeError(tape.tangent(out), gradient)).toBeLessThan(1e-12);
          expect(microValue(dag, dag.x)).toBe(value);
          expect(relativeError(microGradient(dag, dag.x), gradient)).toBeLessThan(1e-12);
          expect(relativeError(lagrad.gradient(dag.x, 'forward'), gradient)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the near and layered workloads keep their parents where they say, and their values and multipliers bounded', () => {
    for (const workload of ['near', 'layered'] as const) {
      const dag = workloadDag(workload, 200_000, 8, 20261126);
      const level = (i: number) => Math.floor((i - dag.inputs) / WIDTH);
      const inReach = (i: number, p: number) =>
        workload === 'near' ? i - p >= 1 && i - p <= NEAR : p < dag.inputs ? level(i) === 0 : level(p) === level(i) - 1;
      let outside = 0;
      for (let i = dag.inputs; i < dag.size; i++)
        if (!inReach(i, dag.a[i]) || (dag.b[i] >= 0 && !inReach(i, dag.b[i]))) outside++;
      expect(outside).toBe(0);
      const tape = new Tape(dag);
      tape.forward(dag.x);
      const g = tape.reverse(new Float64Array(dag.inputs));
      const largest = (x: Float64Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(largest(tape.values)).toBeLessThan(1e6);
      expect(largest(tape.adjoints)).toBeLessThan(1e6);
      // The gradient neither vanishes nor overflows, and the output reads about half the variables.
      for (const gk of g) expect(Math.abs(gk)).toBeGreaterThan(1e-6);
      expect(tape.adjoints.filter((l) => l !== 0).length / dag.size).toBeGreaterThan(0.4);
    }
  }, 30_000);

  it('the lecture called by name gives what the array call gives', () => {
    const program = parseProgram(readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8'));
    const dag = lectureDag();
    const byName = new ByNameRunner(program);
    const arrays = new LagradRunner(program);
    expect(byName.value(dag.x)).toBe(arrays.value(dag.x));
    expect(Array.from(byName.gradient(dag.x))).toEqual(Array.from(arrays.gradient(dag.x)));
    expect(() => new ByNameRunner(parse('a + b'))).toThrow(/inputs x, y, z/);
  });

  it('the parse benchmark: the reversed text is the same program, and the baseline makes one look-up per name', () => {
    const { inOrder, reversed } = parseTexts(2000, 8, 5);
    const dag = randomDag(2000, 8, 5);
    expect(inOrder).toBe(lagText(dag));
    expect(reversed.split('\n').sort()).toEqual(inOrder.split('\n').sort());
    expect(evaluate(parseProgram(reversed), dag.x)).toBe(evaluate(parseProgram(inOrder), dag.x));
    // Checksum: the look-ups x → 0, y → 1, a → 2, plus the table's 3 names (sin and 1e-3 are not names).
    expect(nameTableBaseline('input x\ninput y\na = sin(x) * 1e-3 + y\noutput a\n')).toBe(0 + 1 + 2 + 3);
  });

  it('lagrad on a random DAG matches central differences in a random direction', () => {
    const dag = randomDag(500, 4, 7);
    const program = buildProgram(dag);
    const g = grad(program, dag.x, { schedule: 'reverse' }).solution.gradient;
    const d = Float64Array.of(0.3, -0.5, 0.7, 0.1);
    const fd = centralDifference((x) => evaluate(program, x), dag.x, d);
    expect(Math.abs(fd - g.reduce((s, gk, k) => s + gk * d[k], 0))).toBeLessThan(1e-7);
  });

  it('the lecture DAG is the lecture function, with its closed-form gradient', () => {
    const dag = lectureDag();
    const tape = new Tape(dag);
    expect(tape.forward(dag.x)).toBeCloseTo(Math.sin(3), 15);
    const g = tape.reverse(new Float64Array(3));
    // ∂f/∂x = 2x·cos 3, ∂f/∂y = e^z·cos 3, ∂f/∂z = 1 + y·e^z·cos 3 at (2, −1, 0)
    expect(relativeError(g, Float64Array.of(4 * Math.cos(3), Math.cos(3), 1 - Math.cos(3)))).toBeLessThan(1e-15);
  });

  it('the .lag text of a DAG parses to the program the builder records', () => {
    const dag = randomDag(400, 3, 11);
    const built = buildProgram(dag);
    const parsed = parseProgram(lagText(dag));
    expect(Array.from(parsed.ops)).toEqual(Array.from(built.ops));
    expect(Array.from(parsed.parents)).toEqual(Array.from(built.parents));
    expect(Array.from(parsed.constants)).toEqual(Array.from(built.constants));
  });

  it('the memory probe builds the same program as the builder, straight into exact arrays', () => {
    const { program, x } = directProgram(1000);
    const built = buildProgram(randomDag(1000, program.inputCount, 20261126));
    expect(Array.from(program.parents)).toEqual(Array.from(built.parents));
    expect(program.parents.length).toBe(program.parentStart[program.size]);
    expect(grad(program, x).value).toBe(grad(built, x).value);
  });
});

describe('harness and checks', () => {
  it('summarize gives the median and the range', () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it('relativeError is infinite for a NaN result, so a broken system never passes its check', () => {
    expect(relativeError(Float64Array.of(NaN, 1), Float64Array.of(1, 1))).toBe(Infinity);
    expect(relativeError(2, 1)).toBe(1);
  });

  it('allFinite agrees with a plain scan, wherever a NaN or an infinity hides', () => {
    const special = fc.constantFrom(NaN, Infinity, -Infinity);
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(), special)),
        fc.nat(),
        (xs, bad, cut) => {
          const x = Float64Array.from(xs);
          if (bad && x.length > 0) x[bad[0] % x.length] = bad[1];
          const from = x.length === 0 ? 0 : cut % x.length;
          expect(allFinite(x, from, x.length)).toBe(Array.from(x.subarray(from)).every(Number.isFinite));
        },
      ),
    );
  });
});

describe('hot-path changes made for the benchmark', () => {
  it('reverse skips constraints with λ = 0: an undefined partial off the objective does not spoil the gradient', () => {
    // d = sqrt(x) has an infinite partial at x = 0, but the objective reads only y.
    const program = parse('input x\nd = sqrt(x)\ny = x^2 + 3*x\noutput d\noutput y');
    const r = grad(program, { x: 0 }, { schedule: 'reverse', output: 'y' });
    expect(r.gradient.x).toBe(3);
    expect(() => grad(program, { x: 0 }, { schedule: 'reverse', output: 'd' })).toThrow(
      /the derivative does not exist here/,
    );
  });

  it('forward mode with reused tangents gives what fresh buffers give, call after call', () => {
    const acyclic = randomDag(300, 5, 3);
    const program = buildProgram(acyclic);
    const cyclic = parse('input t\ninit v = 0.5\nv = 0.5*cos(v) + t*w\nw = sin(v) + t\noutput w');
    for (const [p, points] of [
      [program, [acyclic.x, acyclic.x.map((v) => v / 2)]],
      [cyclic, [Float64Array.of(0.3), Float64Array.of(-0.2)]],
    ] as const) {
      const workspace = {
        values: new Float64Array(p.size),
        lambda: new Float64Array(p.size),
        tangents: new Float64Array(p.size * 8),
      };
      for (const x of points) {
        const reused = grad(p, x, { schedule: 'forward', workspace }).solution.gradient;
        const fresh = grad(p, x, { schedule: 'forward' }).solution.gradient;
        expect(Array.from(reused)).toEqual(Array.from(fresh));
      }
    }
  });
});
