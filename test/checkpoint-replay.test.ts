import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkpointGrad, grad, parse, ProgramBuilder, resolveWeights, type Program } from '../src/index.ts';
import {
  ActionBatch,
  advance,
  makePlan,
  PlanError,
  restore,
  reverse,
  store,
  type Plan,
} from '../solvers/checkpoint/actions.ts';
import { execute } from '../solvers/checkpoint/execute.ts';
import { ledger } from '../solvers/checkpoint/ledger.ts';
import { BinomialTable, repetitionNumber } from '../solvers/checkpoint/binomial.ts';
import {
  fewestWritesTable,
  optimalAdvancesTable,
  revolveAdvances,
  revolvePlan,
  revolveSplit,
  revolveWrites,
} from '../solvers/checkpoint/revolve.ts';
import { countPlan, simulate } from '../solvers/checkpoint/simulate.ts';
import { stageShape } from '../solvers/checkpoint/stages.ts';
import { storeAllPlan } from '../solvers/checkpoint/storeAll.ts';
import {
  configure,
  fit,
  MAX_EVALUATIONS,
  smallestBudget,
  STRATEGIES,
  type StrategyName,
} from '../solvers/checkpoint/strategies.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

/** A chain x_{i+1} = sin(x_i) of `steps` steps. */
function sinChain(steps: number): Program {
  const b = new ProgramBuilder(undefined, steps + 1);
  let x = b.input('x', 0.9);
  for (let i = 0; i < steps; i++) x = b.apply('sin', x);
  return b.output(x).build();
}

/** `layers` layers of `width` values, each mixing two of the layer before and a parameter p. */
function layered(layers: number, width: number): Program {
  const b = new ProgramBuilder();
  const p = b.input('p', 0.7);
  let layer = Array.from({ length: width }, (_, k) => b.input(`x${k}`, 0.1 * (k + 1)));
  for (let l = 0; l < layers; l++)
    layer = layer.map((v, k) => b.apply('tanh', b.apply('add', b.apply('mul', v, p), layer[(k + 1) % width])));
  return b.output(b.applyMany('sum', layer)).build();
}

const LECTURE = parse(`input x = 2
input y = -1
input z = 0
a = x^2
b = y * exp(z)
c = sin(a + b)
f = z + c
output f`);

/** The actions of a plan read through batches of `capacity`. */
function actionsIn(plan: Plan, capacity: number) {
  const source = plan.source();
  const batch = new ActionBatch(capacity);
  const actions = [];
  while (source.fill(batch) > 0) for (let k = 0; k < batch.length; k++) actions.push(batch.action(k));
  return actions;
}

describe("revolve's snapshot writes", () => {
  it('at 50 steps and 7 snapshots: 105 advances and 28 writes, as classic revolve (Checkpointing.jl asserts numfwd 105, numstore 28)', () => {
    const counts = simulate(revolvePlan(50, 7));
    expect(counts.advances).toBe(105);
    expect(counts.writes).toBe(28);
    expect(revolveWrites(50, 7)).toBe(28);
  });

  it('are the fewest of any recursive plan with the minimal advances, l ≤ 200, c ≤ 12 (dynamic program over every split)', () => {
    const advances = optimalAdvancesTable(200, 12);
    const writes = fewestWritesTable(200, 12);
    for (let l = 2; l <= 200; l++) {
      for (let c = 1; c <= 12; c++) {
        const counts = simulate(revolvePlan(l, c));
        expect(counts.advances, `l = ${l}, c = ${c}`).toBe(advances[l][c]);
        expect(counts.writes, `l = ${l}, c = ${c}`).toBe(writes[l][c]);
        expect(revolveWrites(l, c), `l = ${l}, c = ${c}`).toBe(writes[l][c]);
      }
    }
  });

  it('on full binomial chains l = β(c, r) write β(c − 1, r): 10 steps with 3 slots write 6, 35 with 4 write 20', () => {
    expect(simulate(revolvePlan(10, 3)).writes).toBe(6);
    expect(simulate(revolvePlan(35, 4)).writes).toBe(20);
  });

  it('the closed form equals the streamed plan at l = 10⁶ and over random (l, c); store-all writes l − 1', () => {
    for (const c of [100, 3]) {
      const counts = countPlan(revolvePlan(1_000_000, c));
      expect(counts.writes).toBe(revolveWrites(1_000_000, c));
      expect(counts.advances).toBe(revolveAdvances(1_000_000, c));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 60 }), (l, c) => {
        const counts = countPlan(revolvePlan(l, c));
        expect(counts.writes).toBe(revolveWrites(l, c));
        expect(counts.advances).toBe(revolveAdvances(l, c));
      }),
      { numRuns: 150 },
    );
    for (const l of [1, 2, 17]) expect(simulate(storeAllPlan(l)).writes).toBe(l - 1);
  });

  it('split alike from the table of binomials and from the closed form (the fallback for huge tables)', () => {
    const table = new BinomialTable(25, 60);
    for (let n = 2; n <= 400; n++) {
      for (let k = 1; k <= 25; k++) {
        const s = Math.min(k, n - 1);
        const r = repetitionNumber(n, s);
        if (r > 60) continue;
        expect(table.repetition(n, s, 60), `n = ${n}, k = ${k}`).toBe(r);
        expect(table.split(n, s, r), `n = ${n}, k = ${k}`).toBe(revolveSplit(n, k));
      }
    }
    expect(BinomialTable.tryBuild(1, 10_000_000)).toBeNull();
  });

  it('are counted by the executor, checkpointGrad and the ledger alike', () => {
    const program = sinChain(50);
    const viaApi = checkpointGrad(program, {}, { strategy: 'revolve', snapshots: 7 });
    expect(viaApi.stats.writes).toBe(28);
    expect(viaApi.stats.advances).toBe(105);
    const c = configure(program, { strategy: 'revolve', snapshots: 7 });
    expect(ledger(c.plan, c.stages, stageShape(program, c.stages)).writes).toBe(28);
  });
});

describe('the one replay', () => {
  it('streams a plan in batches of any size: the same actions at every boundary', () => {
    for (const plan of [
      revolvePlan(300, 5),
      revolvePlan(40, 1),
      storeAllPlan(30),
      revolvePlan(1, 1),
      revolvePlan(0, 0),
    ]) {
      const expected = [...plan];
      for (const capacity of [1, 2, 7, 1000]) expect(actionsIn(plan, capacity)).toEqual(expected);
    }
  });

  it('with the checks plugged into the executor, a broken plan is a PlanError naming the action, before any numerics', () => {
    const program = sinChain(4);
    const c = configure(program, { strategy: 'revolve', snapshots: 2 });
    const broken = makePlan('broken', 4, 2, () =>
      [store(0, 0), advance(0, 2), store(0, 2), reverse(3)][Symbol.iterator](),
    );
    const run = () => execute(program, c.stages, broken, Float64Array.of(0.9), Float64Array.of(1), { check: true });
    expect(run).toThrow(PlanError);
    expect(run).toThrow(/^action 2 \(store 2 -> slot 0\): slot 0 already holds state 0$/);
    const unknown = makePlan('typo', 1, 0, () => [{ kind: 'reverse ', step: 0 } as never][Symbol.iterator]());
    expect(() => simulate(unknown)).toThrow(/^action 0 \(unknown action .*\): unknown action kind "reverse "$/);
    const fractional = makePlan('fraction', 2, 1, () => [restore(0.5, 0)][Symbol.iterator]());
    expect(() => simulate(fractional)).toThrow(
      /^action 0 \(restore slot 0.5 -> 0\): slot 0.5 is not a 32-bit integer$/,
    );
  });

  it('counts bytes as a second account: 8 per value held, by the executor and the ledger', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 25 }), fc.integer({ min: 3, max: 40 }), (r, budget) => {
        const weights = resolveWeights(r.program, undefined, r.weights);
        for (const strategy of STRATEGIES) {
          const c = fit(r.program, strategy, budget);
          if (c === null) continue;
          const { stats } = execute(r.program, c.stages, c.plan, r.inputs, weights, { check: true });
          const costs = ledger(c.plan, c.stages, stageShape(r.program, c.stages));
          expect(stats.peakBytes).toBe(8 * stats.peakValues);
          expect([stats.peakBytes, stats.writes]).toEqual([costs.peakBytes, costs.writes]);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('a plan is priced before it runs', () => {
  it('its evaluations, priced by closed forms (or the budget planner), are the ones the executor counts', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 30 }), fc.integer({ min: 1, max: 50 }), (r, budget) => {
        const weights = resolveWeights(r.program, undefined, r.weights);
        const settings: { strategy: string; snapshots?: number; budget?: number }[] = [
          { strategy: 'store-all' },
          { strategy: 'sqrt' },
          { strategy: 'sqrt', snapshots: 2 },
          { strategy: 'revolve', snapshots: 1 },
          { strategy: 'revolve', snapshots: 4 },
          { strategy: 'revolve' },
          ...STRATEGIES.map((strategy) => ({ strategy, budget })),
        ];
        for (const s of settings) {
          if (s.budget !== undefined && fit(r.program, s.strategy as StrategyName, s.budget) === null) continue;
          const c = configure(r.program, s);
          const { stats } = execute(r.program, c.stages, c.plan, r.inputs, weights);
          expect(c.evaluations, JSON.stringify(s)).toBe(stats.primitiveEvaluations);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('refuses above maxEvaluations (default 10⁹) with one line naming the strategy, the count and the override', () => {
    const started = performance.now();
    const long = sinChain(100_000);
    expect(MAX_EVALUATIONS).toBe(1e9);
    const message =
      /^checkpoint: revolve with 1 snapshot would run 5000050000 primitive evaluations \(50001× the 100000 constraints\), over the limit of 1000000000; give more snapshots or a larger budget, or raise the limit \(--max-evaluations N, or the option maxEvaluations\)$/;
    expect(() => grad(long, {}, { schedule: 'checkpoint', strategy: 'revolve', snapshots: 1 })).toThrow(message);
    expect(() => checkpointGrad(long, {}, { strategy: 'revolve', snapshots: 1 })).toThrow(message);
    expect(performance.now() - started).toBeLessThan(20_000); // priced, never run
    const short = sinChain(2000);
    expect(() => checkpointGrad(short, {}, { strategy: 'revolve', snapshots: 1, maxEvaluations: 1e6 })).toThrow(
      /would run 2001000 primitive evaluations .* over the limit of 1000000;/,
    );
    expect(
      checkpointGrad(short, {}, { strategy: 'revolve', snapshots: 1, maxEvaluations: 1e7 }).stats.primitiveEvaluations,
    ).toBe(2_001_000);
    expect(() => checkpointGrad(short, {}, { maxEvaluations: 0 })).toThrow(
      /^maxEvaluations: must be a number ≥ 1, got 0$/,
    );
    expect(
      checkpointGrad(short, {}, { strategy: 'revolve', snapshots: 1, maxEvaluations: Infinity }).stats
        .primitiveEvaluations,
    ).toBe(2_001_000);
  });

  it('reports progress: evaluations done, rising, to the priced total', () => {
    const program = sinChain(20_000);
    const seen: [number, number][] = [];
    const r = checkpointGrad(
      program,
      {},
      { strategy: 'revolve', snapshots: 2, progress: (done, total) => seen.push([done, total]) },
    );
    expect(seen.length).toBeGreaterThan(1);
    for (let k = 1; k < seen.length; k++) expect(seen[k][0]).toBeGreaterThanOrEqual(seen[k - 1][0]);
    expect(seen.at(-1)).toEqual([r.stats.primitiveEvaluations, r.stats.primitiveEvaluations]);
  });
});

describe('budgets and peaks agree', () => {
  const programs: [string, Program][] = [
    ['the lecture program', LECTURE],
    ['a sine chain', sinChain(30)],
    ['a layered program', layered(6, 3)],
    ['a wide layered program', layered(3, 6)],
  ];
  for (const [name, program] of programs) {
    it(`on ${name}: a plan found for budget B holds at most B, and the least budget that fits is its plan's measured peak`, () => {
      const inputs = Float64Array.from(program.defaults);
      const weights = resolveWeights(program);
      for (const strategy of STRATEGIES) {
        let least = 0;
        for (let budget = 1; budget <= program.size + 2; budget++) {
          const c = fit(program, strategy, budget);
          if (c === null) {
            expect(least, `${strategy}: budget ${budget} fails after ${least} fitted`).toBe(0);
            continue;
          }
          const { stats } = execute(program, c.stages, c.plan, inputs, weights, { check: true });
          expect(stats.peakValues, `${strategy} within ${budget}`).toBeLessThanOrEqual(budget);
          if (least === 0) {
            least = budget;
            expect(stats.peakValues, `${strategy}: the least budget`).toBe(budget);
          }
        }
        expect(least).toBeGreaterThan(0);
        expect(smallestBudget(program, strategy)).toBe(least);
        if (least > 1)
          expect(() => configure(program, { strategy, budget: least - 1 })).toThrow(`(the smallest needs ${least})`);
      }
    });
  }
});
