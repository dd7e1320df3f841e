import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  defaultSchedules as schedules,
  grad,
  parse,
  primitives,
  ProgramBuilder,
  resolveWeights,
  useInterpreter,
  type Program,
} from '../src/index.ts';
import { advance, free, restore, reverse, SlotPool, store, type Action } from '../solvers/checkpoint/actions.ts';
import { execute } from '../solvers/checkpoint/execute.ts';
import { ledger } from '../solvers/checkpoint/ledger.ts';
import { liveSpan } from '../solvers/checkpoint/liveness.ts';
import { revolvePlan, revolveSplit } from '../solvers/checkpoint/revolve.ts';
import { ringFor } from '../solvers/checkpoint/ringExecutor.ts';
import { stageShape } from '../solvers/checkpoint/stages.ts';
import { configure } from '../solvers/checkpoint/strategies.ts';

// The two executors (ringExecutor.ts for unit stages of narrow liveness, windowExecutor.ts for the
// rest) against plain reverse and against each other, and revolve's streamed plan against the
// recursion it encodes.

/** Revolve as the plain recursion over revolveSplit, slots handed out as the plan hands them out. */
function referenceRevolve(l: number, c: number): Action[] {
  const actions: Action[] = [];
  if (l === 1) actions.push(reverse(0));
  if (l < 2) return actions;
  const pool = new SlotPool(Math.min(c, l - 1));
  const task = (a: number, b: number, k: number, s: number): void => {
    if (b - a === 1) {
      actions.push(reverse(a));
      return;
    }
    const m = a + revolveSplit(b - a, k);
    actions.push(advance(a, m));
    const t = b - m >= 2 ? pool.take() : -1;
    if (t >= 0) actions.push(store(t, m));
    task(m, b, k - 1, t);
    if (t >= 0) {
      pool.release(t);
      actions.push(free(t));
    }
    actions.push(restore(s, a));
    task(a, m, k, s);
  };
  const s = pool.take();
  actions.push(store(s, 0));
  task(0, l, Math.min(c, l - 1), s);
  actions.push(free(s));
  return actions;
}

/** A random program of `constraints` constraints, each reading among the `band` variables before it. */
const banded = fc
  .record({
    band: fc.integer({ min: 1, max: 4 }),
    constraints: fc.integer({ min: 1, max: 60 }),
    picks: fc.array(fc.tuple(fc.nat(5), fc.nat(), fc.nat()), { minLength: 60, maxLength: 60 }),
    x: fc.integer({ min: -20, max: 20 }).map((k) => k / 10),
  })
  .map(({ band, constraints, picks, x }) => {
    const ops = ['sin', 'cos', 'tanh', 'mul', 'add', 'sub'];
    const b = new ProgramBuilder();
    const vars = [b.input('x', x), b.input('y', 0.5)];
    for (let i = 0; i < constraints; i++) {
      const [op, p, q] = picks[i];
      const parent = (pick: number) => vars[vars.length - 1 - (pick % Math.min(band, vars.length))];
      vars.push(op < 3 ? b.apply(ops[op], parent(p)) : b.apply(ops[op], parent(p), parent(q)));
    }
    return b.output(vars[vars.length - 1]).build();
  });

function runBoth(program: Program, snapshots: number) {
  const inputs = Float64Array.from(program.defaults);
  const weights = resolveWeights(program);
  const c = configure(program, { strategy: 'revolve', snapshots });
  const ring = { values: new Float64Array(program.size), multipliers: true as const };
  const window = { values: new Float64Array(program.size), multipliers: true as const, ring: false };
  return {
    c,
    ring: { ...execute(program, c.stages, c.plan, inputs, weights, ring), values: ring.values },
    window: { ...execute(program, c.stages, c.plan, inputs, weights, window), values: window.values },
  };
}

describe('revolve streams the recursion it encodes', () => {
  it('action for action, over l ≤ 120 and c ≤ 10', () => {
    for (let l = 0; l <= 120; l++)
      for (let c = 1; c <= 10; c++)
        expect([...revolvePlan(l, c)], `l = ${l}, c = ${c}`).toEqual(referenceRevolve(l, c));
  });

  it('with slots for every state, splits off one step (the shortcut the plan takes)', () => {
    for (let n = 3; n <= 200; n++) for (const k of [n - 1, n, n + 5]) expect(revolveSplit(n, k)).toBe(1);
  });
});

describe('the ring executor', () => {
  it('serves chains, and not programs whose liveness reaches far back', () => {
    const chain = parse('sin(sin(sin(x)))');
    expect(liveSpan(chain)).toBe(1);
    expect(ringFor(chain, 2)).not.toBeNull();
    const far = parse('sin(sin(sin(x))) * x');
    expect(liveSpan(far)).toBe(4);
    expect(ringFor(far, stageShape(far, configure(far, { strategy: 'revolve' }).stages, false).working)).toBeNull();
  });

  it('gives the values, multipliers and gradient of reverse bit for bit, and counts what the window executor and the ledger count', () => {
    let rings = 0;
    fc.assert(
      fc.property(banded, fc.integer({ min: 1, max: 6 }), (program, snapshots) => {
        const weights = resolveWeights(program);
        const inputs = Float64Array.from(program.defaults);
        const reference = schedules.get('reverse').solve({ program, inputs, weights });
        const { c, ring, window } = runBoth(program, snapshots);
        if (ringFor(program, stageShape(program, c.stages, false).working) !== null) rings++;
        for (const run of [ring, window]) {
          expect(run.values).toEqual(reference.values);
          expect(run.lambda).toEqual(reference.lambda);
          expect(run.gradient).toEqual(reference.gradient);
          expect(run.value).toBe(grad(program).value);
        }
        const { timeMs: _a, ...counted } = ring.stats;
        const { timeMs: _b, ...windowCounted } = window.stats;
        expect(counted).toEqual(windowCounted);
        const costs = ledger(c.plan, c.stages, stageShape(program, c.stages));
        expect([
          counted.advances,
          counted.primitiveEvaluations,
          counted.peakValues,
          counted.peakBytes,
          counted.writes,
        ]).toEqual([costs.advances, costs.evaluations, costs.peakValues, costs.peakBytes, costs.writes]);
      }),
      { numRuns: 150 },
    );
    expect(rings).toBeGreaterThan(30);
  });

  it('names the constraint of a non-finite value or multiplier, as reverse does', () => {
    const overflow = parse('exp(exp(exp(exp(sin(x)))))'); // exp(e^e^…) overflows at x = 1.5
    const infinitePartial = parse('-sqrt(x * x)'); // ∂sqrt at 0
    for (const [program, at] of [
      [overflow, { x: 1.5 }],
      [infinitePartial, { x: 0 }],
    ] as const) {
      expect(ringFor(program, 2)).not.toBeNull();
      let expected = '';
      try {
        grad(program, at, { schedule: 'reverse' });
      } catch (e) {
        expected = (e as Error).message;
      }
      expect(expected).not.toBe('');
      for (const snapshots of [1, 2, 3])
        expect(() => grad(program, at, { schedule: 'checkpoint', strategy: 'revolve', snapshots })).toThrow(expected);
    }
  });

  it('is not used where the sweeps are interpreted; the window executor gives the same bits there', () => {
    const b = new ProgramBuilder();
    let x = b.input('x', 0.7);
    for (let i = 0; i < 500; i++) x = b.apply(i % 2 === 0 ? 'sin' : 'tanh', x);
    const program = b.output(x).build();
    const generated = grad(
      program,
      {},
      { schedule: 'checkpoint', strategy: 'revolve', snapshots: 4, multipliers: true },
    );
    const previous = useInterpreter(true);
    try {
      expect(ringFor(program, 2)).toBeNull();
      const interpreted = grad(
        program,
        {},
        { schedule: 'checkpoint', strategy: 'revolve', snapshots: 4, multipliers: true },
      );
      expect(interpreted.lambda).toEqual(generated.lambda);
      expect(interpreted.gradient).toEqual(generated.gradient);
    } finally {
      useInterpreter(previous);
    }
    expect(primitives.kernels()).toBeDefined();
  });
});
