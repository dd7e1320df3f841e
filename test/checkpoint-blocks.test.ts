import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkpointGrad,
  defaultSchedules as schedules,
  grad,
  parse,
  ProgramBuilder,
  resolveWeights,
  useInterpreter,
  type Program,
} from '../src/index.ts';
import { execute } from '../solvers/checkpoint/execute.ts';
import { ledger } from '../solvers/checkpoint/ledger.ts';
import { liveBytes, liveCounts } from '../solvers/checkpoint/liveness.ts';
import { stageShape, uniformStages } from '../solvers/checkpoint/stages.ts';
import { configure } from '../solvers/checkpoint/strategies.ts';
import { elman as builtElman, elmanPoint as namedPoint, elmanText } from '../examples/rnn.ts';
import { lagrad } from './helpers/cli.ts';
import { arbitraryBlockProgram } from './helpers/randomBlocks.ts';

// Checkpointing on programs with vector and matrix variables (blockExecutor.ts): every strategy's
// values, multipliers and gradient equal reverse's bit for bit; the memory the executor counts, in
// values and in bytes, equals what the ledger predicts from liveness; snapshots hold computed
// values only (inputs are the point), so an Elman network's snapshot is one hidden state.

/** h_t = tanh(W h_{t−1} + U x_t + b) over `steps` steps, x_t inputs of size 3; objective Σ h_T. */
function elman(hidden: number, steps: number): Program {
  const b = new ProgramBuilder();
  const W = b.input('W', [hidden, hidden]);
  const U = b.input('U', [hidden, 3]);
  const bias = b.input('b', [hidden]);
  let h = b.input('h0', [hidden]);
  const xs: number[] = [];
  for (let t = 1; t <= steps; t++) xs.push(b.input(`x${t}`, [3]));
  for (let t = 1; t <= steps; t++)
    h = b.apply('tanh', b.apply('add', b.apply('add', b.apply('matmul', W, h), b.apply('matmul', U, xs[t - 1])), bias));
  return b.output(b.applyMany('sum', [h])).build();
}

/** A point for the Elman network: small weights so the state neither saturates nor vanishes. */
function elmanPoint(program: Program): Float64Array {
  const inputs = new Float64Array(program.inputSlots);
  for (let s = 0; s < inputs.length; s++) inputs[s] = 0.4 * Math.sin(1.7 * s + 0.3);
  return inputs;
}

const STRATEGIES = [
  { strategy: 'store-all' },
  { strategy: 'sqrt' },
  { strategy: 'sqrt', snapshots: 2 },
  { strategy: 'revolve', snapshots: 1 },
  { strategy: 'revolve', snapshots: 3 },
  { strategy: 'revolve' },
] as const;

describe('checkpointing on block programs', () => {
  it('gives the values, multipliers and gradient of reverse bit for bit under every strategy, and counts what the ledger predicts', () => {
    fc.assert(
      fc.property(arbitraryBlockProgram({ constraints: 14 }), ({ program, inputs }) => {
        const weights = resolveWeights(program);
        const reference = schedules.get('reverse').solve({ program, inputs, weights }, { multipliers: true });
        for (const settings of STRATEGIES) {
          const c = configure(program, settings);
          const values = new Float64Array(program.slots);
          const run = execute(program, c.stages, c.plan, inputs, weights, { values, multipliers: true });
          expect(values).toEqual(reference.values);
          expect(run.lambda).toEqual(reference.lambda);
          expect(run.gradient).toEqual(reference.gradient);
          const costs = ledger(c.plan, c.stages, stageShape(program, c.stages));
          const s = run.stats;
          expect([
            s.advances,
            s.primitiveEvaluations,
            s.writes,
            s.peakSnapshotValues,
            s.peakValues,
            s.peakBytes,
          ]).toEqual([
            costs.advances,
            costs.evaluations,
            costs.writes,
            costs.peakSnapshotValues,
            costs.peakValues,
            costs.peakBytes,
          ]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('runs through grad and checkpointGrad, with the gradient of reverse by name', () => {
    const program = elman(5, 30);
    const at = elmanPoint(program);
    const reference = grad(program, at, { schedule: 'reverse' });
    const viaSchedule = grad(program, at, { schedule: 'checkpoint', strategy: 'revolve', snapshots: 4 });
    expect(viaSchedule.value).toBe(reference.value);
    expect(viaSchedule.gradient).toEqual(reference.gradient);
    const viaApi = checkpointGrad(program, at, { strategy: 'revolve', snapshots: 4 });
    expect(viaApi.value).toBe(reference.value);
    expect(viaApi.gradient).toEqual(reference.gradient);
  });

  it('keeps an Elman network within C + O(1) hidden states under revolve, whatever its length', () => {
    const hidden = 16;
    const state = 8 * hidden;
    for (const steps of [50, 400]) {
      const program = elman(hidden, steps);
      const inputs = elmanPoint(program);
      const weights = resolveWeights(program);
      const reference = schedules.get('reverse').solve({ program, inputs, weights });
      for (const snapshots of [1, 4, 10]) {
        const c = configure(program, { strategy: 'revolve', snapshots });
        const run = execute(program, c.stages, c.plan, inputs, weights);
        expect(run.gradient).toEqual(reference.gradient);
        // A snapshot holds one hidden state; the frame a state and one constraint's value (two more).
        expect(run.stats.peakSnapshotValues).toBeLessThanOrEqual(snapshots);
        expect(run.stats.peakBytes).toBeLessThanOrEqual((snapshots + 3) * state);
        expect(run.stats.peakBytes).toBeGreaterThanOrEqual(snapshots * state);
      }
      // Reverse holds every value: far more than revolve's bound at this length.
      expect(reference.stats.peakBytes).toBeGreaterThan(steps * state);
    }
  });

  it("fits every strategy to a budget in bytes: the plan holds at most that many, and the least budget is the leanest plan's peak", () => {
    const program = elman(8, 40);
    const inputs = elmanPoint(program);
    const weights = resolveWeights(program);
    const reference = schedules.get('reverse').solve({ program, inputs, weights });
    for (const strategy of ['store-all', 'sqrt', 'revolve', 'budget'] as const) {
      for (const budgetBytes of [300, 700, 2000, 20000]) {
        let run;
        try {
          run = schedules.get('checkpoint').solve({ program, inputs, weights }, { strategy, budgetBytes });
        } catch (e) {
          expect((e as Error).message).toMatch(
            new RegExp(
              `^--budget-bytes: no ${strategy} plan holds at most ${budgetBytes} bytes here \\(the smallest needs (\\d+)\\)`,
            ),
          );
          const least = Number(/needs (\d+)/.exec((e as Error).message)![1]);
          expect(least).toBeGreaterThan(budgetBytes);
          const fitted = schedules
            .get('checkpoint')
            .solve({ program, inputs, weights }, { strategy, budgetBytes: least });
          expect(fitted.stats.peakBytes).toBe(least);
          continue;
        }
        expect(run.stats.peakBytes).toBeLessThanOrEqual(budgetBytes);
        expect(run.gradient).toEqual(reference.gradient);
      }
    }
  });

  it('lagrad tradeoff draws the curve of an RNN program in bytes, each point run and checked against reverse', async () => {
    const files = { 'rnn.lag': elmanText(12, 6, 2), 'rnn.json': JSON.stringify(namedPoint(12, 6, 2)) };
    const r = await lagrad(['tradeoff', 'rnn.lag', '--data', 'rnn.json', '--points', '5', '--json'], files);
    expect(r.err).toBe('');
    const curve = JSON.parse(r.out);
    expect(curve.unit).toBe('bytes');
    const fitting = curve.points.filter((p: { fits: boolean }) => p.fits);
    expect(fitting.length).toBeGreaterThan(8);
    for (const p of fitting) {
      expect(p.peakBytes).toBeLessThanOrEqual(p.budget);
      expect(p.gradientError).toBe(0);
    }
    const one = await lagrad(
      ['tradeoff', 'rnn.lag', '--data', 'rnn.json', '--budget-bytes', '400', '--strategy', 'revolve', '--json'],
      files,
    );
    const point = JSON.parse(one.out);
    expect(point.budgetBytes).toBe(400);
    expect(point.peakBytes).toBeLessThanOrEqual(400);
    expect(point.gradientError).toBe(0);
  });

  it('examples/rnn.ts: the .lag text it writes is the program it builds (the same bits under reverse and under revolve)', () => {
    const at = namedPoint(12, 6, 2);
    const reference = grad(builtElman(12, 6, 2), at, { schedule: 'reverse' });
    const parsed = parse(elmanText(12, 6, 2));
    for (const options of [
      { schedule: 'reverse' },
      { schedule: 'checkpoint', strategy: 'revolve', snapshots: 3 },
    ] as const) {
      const r = grad(parsed, at, options);
      expect(r.value).toBe(reference.value);
      expect(r.gradient).toEqual(reference.gradient);
    }
  });

  it('counts states without the inputs, the same at every cut in liveness.ts and stages.ts', () => {
    fc.assert(
      fc.property(arbitraryBlockProgram({ constraints: 12 }), ({ program }) => {
        const shape = stageShape(program, uniformStages(program, 1));
        const counts = liveCounts(program);
        const bytes = liveBytes(program);
        expect(counts[0]).toBe(0);
        for (let s = 0; s < shape.live!.length; s++) {
          expect(counts[s]).toBe(shape.live![s]);
          expect(bytes[s]).toBe(shape.liveBytes![s]);
        }
        expect(counts[counts.length - 1]).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('gives the same bits where the block rules are interpreted (no code generation)', () => {
    const program = elman(4, 25);
    const at = elmanPoint(program);
    const generated = grad(program, at, { schedule: 'checkpoint', strategy: 'revolve', snapshots: 3 });
    const previous = useInterpreter(true);
    try {
      const interpreted = grad(program, at, { schedule: 'checkpoint', strategy: 'revolve', snapshots: 3 });
      expect(interpreted.value).toBe(generated.value);
      expect(interpreted.gradient).toEqual(generated.gradient);
      expect(interpreted.gradient).toEqual(grad(program, at, { schedule: 'reverse' }).gradient);
    } finally {
      useInterpreter(previous);
    }
  });

  it('names the constraint of a value or multiplier that is not finite, as reverse does', () => {
    const cases = [
      [parse('input a[2]\nb = tanh(a)\nc = log(b)\ny = sum(c)\noutput y'), { a: [-1, 1] }],
      [parse('input a[2]\nb = a * a\nc = sqrt(b)\ny = sum(c)\noutput y'), { a: [0, 1] }],
    ] as const;
    for (const [program, at] of cases) {
      let expected = '';
      try {
        grad(program, at, { schedule: 'reverse' });
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe('');
      for (const snapshots of [1, 2])
        expect(() => grad(program, at, { schedule: 'checkpoint', strategy: 'revolve', snapshots })).toThrow(expected);
    }
  });
});
