import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkpointGrad,
  defaultSchedules as schedules,
  grad,
  parse,
  ProgramBuilder,
  resolveWeights,
  type Program,
} from '../src/index.ts';
import { execute } from '../solvers/checkpoint/execute.ts';
import { ledger } from '../solvers/checkpoint/ledger.ts';
import { lastEdges, liveCounts } from '../solvers/checkpoint/liveness.ts';
import { chainRevolve, chainSqrt, chainStoreAll } from '../solvers/checkpoint/planners.ts';
import { revolveAdvances, revolvePlan } from '../solvers/checkpoint/revolve.ts';
import { simulate } from '../solvers/checkpoint/simulate.ts';
import { stageShape, uniformStages } from '../solvers/checkpoint/stages.ts';
import { configure, fit, STRATEGIES, type CheckpointSettings } from '../solvers/checkpoint/strategies.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

/** A chain x_{i+1} = sin(x_i) of `steps` steps: one value of state at every cut. */
function sinChain(steps: number): Program {
  const b = new ProgramBuilder();
  let x = b.input('x', 0.9);
  for (let i = 0; i < steps; i++) x = b.apply('sin', x);
  return b.output(x).build();
}

/**
 * A layered program: `width` values per layer, each mixing two of the previous layer and a shared
 * parameter p, so every cut holds a whole layer (and p: inputs count too).
 */
function layered(layers: number, width: number): Program {
  const b = new ProgramBuilder();
  const p = b.input('p', 0.7);
  let layer = Array.from({ length: width }, (_, k) => b.input(`x${k}`, 0.1 * (k + 1)));
  for (let l = 0; l < layers; l++) {
    layer = layer.map((v, k) => b.apply('tanh', b.apply('add', b.apply('mul', v, p), layer[(k + 1) % width])));
  }
  return b.output(b.applyMany('sum', layer)).build();
}

const SETTINGS: CheckpointSettings[] = [
  { strategy: 'store-all' },
  { strategy: 'sqrt' },
  { strategy: 'sqrt', snapshots: 1 },
  { strategy: 'sqrt', snapshots: 3 },
  { strategy: 'revolve', snapshots: 1 },
  { strategy: 'revolve', snapshots: 2 },
  { strategy: 'revolve', snapshots: 5 },
  { strategy: 'revolve' },
];

/** Runs a configuration and returns what the checks need. */
function runAll(program: Program, inputs: Float64Array, weights: Float64Array, settings: CheckpointSettings) {
  const c = configure(program, settings);
  const values = new Float64Array(program.size);
  const run = execute(program, c.stages, c.plan, inputs, weights, { multipliers: true, values });
  return { c, run, values };
}

describe('the executor', () => {
  it('gives the values, multipliers and gradient of reverse, bit for bit, under every strategy (random programs)', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 30 }), (r) => {
        const weights = resolveWeights(r.program, undefined, r.weights);
        const reference = schedules.get('reverse').solve({ program: r.program, inputs: r.inputs, weights });
        const budgets = [2, 5, 12, 40, 1000];
        const settings = [
          ...SETTINGS,
          ...budgets.flatMap((budget) => STRATEGIES.map((strategy) => ({ strategy, budget }))),
        ];
        for (const s of settings) {
          if (s.budget !== undefined && fit(r.program, s.strategy as never, s.budget as number) === null) continue;
          const { run, values } = runAll(r.program, r.inputs, weights, s);
          expect(values).toEqual(reference.values);
          expect(run.lambda).toEqual(reference.lambda);
          expect(run.gradient).toEqual(reference.gradient);
        }
      }),
      { numRuns: 60 },
    );
  }, 60_000); // a property over many solves: no time limit is meant, only a generous one for a loaded machine

  it('counts exactly what the ledger replays, and every plan passes the simulator', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 30 }), fc.integer({ min: 1, max: 60 }), (r, budget) => {
        const weights = resolveWeights(r.program, undefined, r.weights);
        // Partials are evaluated once per constraint the objective depends on (λ ≠ 0), as in reverse.
        const reversePartials = schedules.get('reverse').solve({ program: r.program, inputs: r.inputs, weights })
          .stats.partialEvaluations;
        const settings = [...SETTINGS, ...STRATEGIES.map((strategy) => ({ strategy, budget }))];
        for (const s of settings) {
          if (s.budget !== undefined && fit(r.program, s.strategy as never, budget) === null) continue;
          const { c, run } = runAll(r.program, r.inputs, weights, s);
          simulate(c.plan);
          const costs = ledger(c.plan, c.stages, stageShape(r.program, c.stages));
          const { stats } = run;
          expect([
            stats.advances,
            stats.primitiveEvaluations,
            stats.peakSnapshots,
            stats.peakSnapshotValues,
            stats.peakValues,
          ]).toEqual([
            costs.advances,
            costs.evaluations,
            costs.peakSnapshots,
            costs.peakSnapshotValues,
            costs.peakValues,
          ]);
          expect(stats.partialEvaluations).toBe(reversePartials);
          if (s.budget !== undefined) expect(stats.peakValues).toBeLessThanOrEqual(budget);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('in gradient mode keeps no multiplier array and gives the same gradient', () => {
    const program = layered(6, 4);
    const inputs = Float64Array.from(program.defaults);
    const weights = resolveWeights(program);
    const reference = schedules.get('reverse').solve({ program, inputs, weights });
    const c = configure(program, { strategy: 'revolve', snapshots: 3 });
    const run = execute(program, c.stages, c.plan, inputs, weights);
    expect(run.lambda).toBeNull();
    expect(run.gradient).toEqual(reference.gradient);
    const viaApi = checkpointGrad(program, {}, { strategy: 'budget', budget: 30 });
    expect(Object.values(viaApi.gradient)).toEqual([...reference.gradient]);
    expect(viaApi.stats.peakValues).toBeLessThanOrEqual(30);
    expect(viaApi.value).toBe(grad(program).value);
  });

  it('store-all costs exactly plain reverse: one evaluation per constraint, N values held', () => {
    const program = layered(5, 3);
    const plain = grad(program, {}, { schedule: 'reverse' });
    const kept = grad(program, {}, { schedule: 'checkpoint', strategy: 'store-all', multipliers: true });
    expect(kept.stats.primitiveEvaluations).toBe(plain.stats.primitiveEvaluations);
    expect(kept.stats.advances).toBe(0);
    expect(kept.stats.peakSnapshots).toBe(0);
    expect(kept.stats.peakValues).toBe(program.size);
    expect(kept.lambda).toEqual(plain.lambda);
  });

  it('on a chain of 1000 steps with 10 snapshots: 3636 advances, 10 snapshots, 12 values', () => {
    const program = sinChain(1000);
    const r = grad(program, {}, { schedule: 'checkpoint', strategy: 'revolve', snapshots: 10 });
    expect(r.stats.advances).toBe(3636);
    expect(r.stats.primitiveEvaluations).toBe(4636);
    expect(r.stats.peakSnapshots).toBe(10);
    expect(r.stats.peakValues).toBe(12);
    expect(r.gradient.x).toBe(grad(program).gradient.x);
  });

  it('names the constraint of a non-finite value or multiplier, as reverse does', () => {
    const logOfNegative = parse('log(x - 3) + x');
    const sqrtAtZero = parse('sqrt(x * x) + x');
    for (const [program, at] of [
      [logOfNegative, { x: 1 }],
      [sqrtAtZero, { x: 0 }],
    ] as const) {
      let expected = '';
      try {
        grad(program, at, { schedule: 'reverse' });
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe('');
      for (const strategy of ['revolve', 'sqrt', 'store-all'] as const)
        expect(() => grad(program, at, { schedule: 'checkpoint', strategy, snapshots: 1 })).toThrow(expected);
    }
  });

  it('refuses bad settings with one line naming the flag', () => {
    const program = sinChain(10);
    const bad: [CheckpointSettings, RegExp][] = [
      [{ strategy: 'bogus' }, /^--strategy: unknown strategy 'bogus'; choose one of store-all, sqrt, revolve, budget$/],
      [{ strategy: 'revolve', snapshots: 0 }, /^--snapshots: must be an integer ≥ 1, got 0$/],
      [{ strategy: 'revolve', snapshots: 2.5 }, /^--snapshots: must be an integer ≥ 1, got 2.5$/],
      [{ budget: -3 }, /^--budget: must be an integer ≥ 1, got -3$/],
      [{ snapshots: 2, budget: 9 }, /^--snapshots: give --snapshots or --budget, not both$/],
      [{ strategy: 'budget' }, /^--strategy budget: needs --budget N/],
      [
        { strategy: 'revolve', budget: 2 },
        /^--budget: no revolve plan holds at most 2 values here \(the smallest needs 3\)/,
      ],
      [
        { strategy: 'store-all', budget: 5 },
        /^--budget: no store-all plan holds at most 5 values here \(the smallest needs 11\)/,
      ],
    ];
    for (const [settings, message] of bad)
      expect(() => configure(program, settings), JSON.stringify(settings)).toThrow(message);
  });
});

describe('stages and liveness', () => {
  it('a snapshot holds every value read after the cut, inputs included', () => {
    const program = layered(3, 4);
    const live = liveCounts(program);
    const last = lastEdges(program);
    // Brute force: j is live at cut b when some constraint i ≥ b reads it.
    for (let b = program.inputCount; b <= program.size; b++) {
      let count = 0;
      for (let j = 0; j < b; j++) {
        let read = false;
        for (let i = b; i < program.size && !read; i++) read = program.constraint(i).parents.includes(j);
        if (read) count++;
        expect(read).toBe(last[j] >= program.parentStart[b]);
      }
      expect(live[b - program.inputCount], `cut ${b}`).toBe(count);
    }
    // Between layers: the 4 values of a layer and p; before the final sum, p is no longer needed.
    for (let l = 0; l < 3; l++) expect(live[3 * 4 * l]).toBe(5);
    expect(live[3 * 4 * 3]).toBe(4);
  });
});

describe('the budget planner', () => {
  it('plans that replay in the simulator and hold at most the budget, over a grid of programs and budgets', () => {
    for (const [layers, width] of [
      [1, 1],
      [4, 1],
      [30, 1],
      [8, 3],
      [12, 5],
    ]) {
      const program = layered(layers, width);
      const inputs = Float64Array.from(program.defaults);
      const weights = resolveWeights(program);
      const reference = schedules.get('reverse').solve({ program, inputs, weights });
      let fitted = 0;
      for (let budget = 1; budget <= program.size + 2; budget++) {
        const c = fit(program, 'budget', budget);
        if (c === null) continue;
        fitted++;
        simulate(c.plan);
        const costs = ledger(c.plan, c.stages, stageShape(program, c.stages));
        expect(costs.peakValues, `${layers}×${width}, budget ${budget}`).toBeLessThanOrEqual(budget);
        const run = execute(program, c.stages, c.plan, inputs, weights);
        expect(run.stats.peakValues).toBe(costs.peakValues);
        expect(run.gradient).toEqual(reference.gradient);
      }
      expect(fitted).toBeGreaterThan(0);
      // With the whole program affordable, no recomputation at all.
      const all = fit(program, 'budget', program.size + 2)!;
      expect(ledger(all.plan, all.stages, stageShape(program, all.stages)).evaluations).toBe(program.constraintCount);
    }
  });

  it('never needs more evaluations than revolve at the same budget', () => {
    const program = layered(40, 3);
    for (const budget of [20, 30, 50, 80, 120]) {
      const viaBudget = fit(program, 'budget', budget);
      const viaRevolve = fit(program, 'revolve', budget);
      if (viaRevolve === null) continue;
      const cost = (c: NonNullable<typeof viaBudget>) =>
        ledger(c.plan, c.stages, stageShape(program, c.stages)).evaluations;
      expect(viaBudget).not.toBeNull();
      expect(cost(viaBudget!)).toBeLessThanOrEqual(cost(viaRevolve));
    }
  });
});

describe('chain closed forms', () => {
  it('equal the executor on chains of every length l ≤ 40 and snapshots c ≤ 8', () => {
    for (let l = 1; l <= 40; l++) {
      const program = sinChain(l);
      const inputs = Float64Array.from(program.defaults);
      const weights = resolveWeights(program);
      const counted = (c: ReturnType<typeof configure>) => {
        const { stats } = execute(program, c.stages, c.plan, inputs, weights);
        return [stats.advances, stats.primitiveEvaluations, stats.peakSnapshots, stats.peakValues];
      };
      const closed = (k: { advances: number; evaluations: number; peakSnapshots: number; peakValues: number }) => [
        k.advances,
        k.evaluations,
        k.peakSnapshots,
        k.peakValues,
      ];
      expect(counted(configure(program, { strategy: 'store-all' }))).toEqual(closed(chainStoreAll(l)));
      for (let c = 1; c <= 8; c++) {
        expect(counted(configure(program, { strategy: 'revolve', snapshots: c })), `revolve l=${l} c=${c}`).toEqual(
          closed(chainRevolve(l, c)),
        );
        expect(counted(configure(program, { strategy: 'sqrt', snapshots: c })), `sqrt l=${l} c=${c}`).toEqual(
          closed(chainSqrt(l, Math.ceil(l / (c + 1)))),
        );
      }
    }
  });

  it('revolve peaks at exactly min(c, l − 1) snapshots: simulated over l ≤ 300, c ≤ 16', () => {
    for (let l = 2; l <= 300; l++) {
      for (let c = 1; c <= 16; c++) expect(simulate(revolvePlan(l, c)).peakSnapshots).toBe(Math.min(c, l - 1));
    }
  });

  it('price a chain of 10⁷ steps at once', () => {
    const costs = chainRevolve(10_000_000, 100);
    expect(costs.advances).toBe(revolveAdvances(10_000_000, 100));
    expect(costs.evaluations).toBe(costs.advances + 10_000_000);
    expect(costs.peakSnapshots).toBe(100);
    expect(chainStoreAll(10_000_000).peakValues).toBe(10_000_001);
  });

  it('stageShape agrees with liveCounts at the stage starts', () => {
    const program = layered(7, 3);
    const live = liveCounts(program);
    for (const length of [1, 2, 5, 100]) {
      const stages = uniformStages(program, length);
      const shape = stageShape(program, stages);
      for (let s = 0; s < stages.count; s++) expect(shape.live![s]).toBe(live[stages.start(s) - program.inputCount]);
    }
  });
});
