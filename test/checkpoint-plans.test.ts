import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  advance,
  formatAction,
  free,
  makePlan,
  restore,
  reverse,
  store,
  type Action,
  type Plan,
} from '../solvers/checkpoint/actions.ts';
import { storeAllPlan } from '../solvers/checkpoint/storeAll.ts';
import {
  beta,
  optimalAdvancesDP,
  optimalAdvancesTable,
  repetitionNumber,
  revolveAdvances,
  revolvePlan,
} from '../solvers/checkpoint/revolve.ts';
import { countPlan, PlanError, simulate } from '../solvers/checkpoint/simulate.ts';

const planOf = (steps: number, slots: number, actions: Action[]): Plan =>
  makePlan('hand-written', steps, slots, () => actions[Symbol.iterator]());

describe('actions', () => {
  it('print one line each', () => {
    expect([advance(0, 286), store(1, 286), restore(1, 286), free(1), reverse(999)].map(formatAction)).toEqual([
      'advance 0 -> 286',
      'store 286 -> slot 1',
      'restore slot 1 -> 286',
      'free slot 1',
      'reverse 999',
    ]);
  });

  it('plans are re-iterable streams', () => {
    const plan = revolvePlan(50, 4);
    expect(countPlan(plan)).toEqual(countPlan(plan));
    expect([...plan]).toEqual([...plan]);
  });
});

describe('store-all', () => {
  it('replays over l = 0..200: l − 1 advances, l − 1 slots, 2l − 1 evaluations', () => {
    for (let l = 0; l <= 200; l++) {
      const counts = simulate(storeAllPlan(l));
      expect(counts.advances).toBe(Math.max(l - 1, 0));
      expect(counts.peakSnapshots).toBe(Math.max(l - 1, 0));
      expect(counts.evaluations).toBe(l + Math.max(l - 1, 0));
    }
  });

  it('costs what revolve costs with slots to spare', () => {
    for (let l = 2; l <= 60; l++) expect(simulate(storeAllPlan(l))).toEqual(simulate(revolvePlan(l, l - 1)));
  });
});

describe('revolve', () => {
  it('advances = closed form = dynamic program, and the simulator accepts it, for every l ≤ 200, c ≤ 12', () => {
    const dp = optimalAdvancesTable(200, 12);
    for (let l = 1; l <= 200; l++) {
      for (let c = 1; c <= 12; c++) {
        const counts = simulate(revolvePlan(l, c));
        expect(counts.advances, `l = ${l}, c = ${c}`).toBe(dp[l][c]);
        expect(revolveAdvances(l, c), `l = ${l}, c = ${c}`).toBe(dp[l][c]);
        expect(counts.peakSnapshots).toBeLessThanOrEqual(Math.min(c, l - 1));
        expect(counts.evaluations).toBe(counts.advances + l);
      }
    }
    expect(optimalAdvancesDP(30, 3)).toBe(dp[30][3]);
  });

  it('with one slot advances l(l − 1)/2 times; with l − 1 slots or more, l − 1 times', () => {
    for (const l of [1, 2, 3, 10, 137, 1_000_000, 10_000_000]) expect(revolveAdvances(l, 1)).toBe((l * (l - 1)) / 2);
    for (const l of [2, 3, 10, 137, 10_000_000]) {
      expect(revolveAdvances(l, l - 1)).toBe(l - 1);
      expect(revolveAdvances(l, 10 * l)).toBe(l - 1);
    }
  });

  it('l = 1000, c = 10: 3636 advances (r = 4: 4·1000 − C(14, 11)) within 10 snapshots', () => {
    expect(repetitionNumber(1000, 10)).toBe(4);
    expect(revolveAdvances(1000, 10)).toBe(3636);
    const counts = simulate(revolvePlan(1000, 10));
    expect(counts.advances).toBe(3636);
    expect(counts.evaluations).toBe(4636);
    expect(counts.peakSnapshots).toBeLessThanOrEqual(10);
  });

  it('matches the closed form over random (l, c)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 1, max: 40 }), (l, c) => {
        const counts = simulate(revolvePlan(l, c));
        expect(counts.advances).toBe(revolveAdvances(l, c));
        expect(counts.peakSnapshots).toBeLessThanOrEqual(c);
      }),
      { numRuns: 200 },
    );
  });

  it('streams l = 10⁶ with c = 100 and with c = 3 in O(c) memory, at the closed form', () => {
    for (const c of [100, 3]) {
      const counts = countPlan(revolvePlan(1_000_000, c));
      expect(counts.advances).toBe(revolveAdvances(1_000_000, c));
      expect(counts.peakSnapshots).toBe(c);
    }
  });

  it('the repetition number brackets l between consecutive binomials', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 1e12 }), fc.integer({ min: 1, max: 2000 }), (l, c) => {
        const r = repetitionNumber(l, c);
        expect(beta(c, r - 1)).toBeLessThan(l);
        expect(beta(c, r, l)).toBeGreaterThanOrEqual(l);
      }),
    );
  });

  it('the closed form agrees with exact BigInt binomials at l = 10⁷', () => {
    const binomial = (n: bigint, k: bigint): bigint => {
      let b = 1n;
      for (let i = 1n; i <= k; i++) b = (b * (n - k + i)) / i;
      return b;
    };
    const l = 10_000_000n;
    for (const c of [2n, 3n, 5n, 10n, 100n, 1000n]) {
      let r = 0n;
      while (binomial(c + r, c) < l) r++;
      const t = r * l - binomial(c + r, c + 1n); // β(c+1, r−1) = C(c + r, c + 1)
      expect(revolveAdvances(Number(l), Number(c)), `c = ${c}`).toBe(Number(t));
    }
  });

  it('refuses chains it cannot reverse', () => {
    expect(() => revolvePlan(2, 0)).toThrow(/needs at least one snapshot slot/);
    expect(() => revolveAdvances(5, 0)).toThrow(/needs at least one snapshot slot/);
    expect(() => revolvePlan(-1, 3)).toThrow(/integer ≥ 0/);
    expect(simulate(revolvePlan(1, 0)).evaluations).toBe(1);
    expect(simulate(revolvePlan(0, 0)).actions).toBe(0);
  });
});

describe('the simulator rejects broken plans', () => {
  const cases: [string, Plan, RegExp][] = [
    [
      'reverse without its input state',
      planOf(2, 1, [reverse(1)]),
      /^action 0 \(reverse 1\): its input state 1 is not at hand \(the current state is 0\)$/,
    ],
    [
      'reverse after the working state was consumed',
      planOf(3, 2, [advance(0, 2), reverse(2), reverse(1)]),
      /^action 2 \(reverse 1\): its input state 1 is not at hand \(no state is current\)$/,
    ],
    [
      'reverse out of order',
      planOf(2, 1, [reverse(0)]),
      /^action 0 \(reverse 0\): out of order: the next step to reverse is 1$/,
    ],
    [
      'reverse twice',
      planOf(1, 0, [reverse(0), reverse(0)]),
      /^action 1 \(reverse 0\): every step is already reversed$/,
    ],
    [
      'restore an empty slot',
      planOf(2, 1, [advance(0, 1), reverse(1), restore(0, 0)]),
      /^action 2 \(restore slot 0 -> 0\): slot 0 is empty$/,
    ],
    [
      'restore a slot holding another state',
      planOf(3, 2, [advance(0, 1), store(1, 1), advance(1, 2), reverse(2), restore(1, 0)]),
      /^action 4 \(restore slot 1 -> 0\): slot 1 holds state 1, not 0$/,
    ],
    [
      'exceed the slot limit',
      planOf(3, 1, [store(0, 0), advance(0, 1), store(1, 1)]),
      /^action 2 \(store 1 -> slot 1\): slot 1 is beyond the slot limit \(slots 0\.\.0\)$/,
    ],
    [
      'store into an occupied slot',
      planOf(3, 2, [store(0, 0), advance(0, 1), store(0, 1)]),
      /^action 2 \(store 1 -> slot 0\): slot 0 already holds state 0$/,
    ],
    [
      'store a state that is not current',
      planOf(3, 2, [store(0, 1)]),
      /^action 0 \(store 1 -> slot 0\): store 1 but the current state is 0$/,
    ],
    [
      'advance past the next step to reverse',
      planOf(3, 1, [advance(0, 3)]),
      /^action 0 \(advance 0 -> 3\): advance past step 2, the next to reverse$/,
    ],
    [
      'advance from a state that is not current',
      planOf(3, 1, [advance(1, 2)]),
      /^action 0 \(advance 1 -> 2\): advance from 1 but the current state is 0$/,
    ],
    ['advance backwards', planOf(3, 1, [advance(0, 0)]), /^action 0 \(advance 0 -> 0\): advance must move forward$/],
    ['free an empty slot', planOf(1, 1, [free(0)]), /^action 0 \(free slot 0\): slot 0 is already empty$/],
    [
      'a step out of range',
      planOf(2, 1, [advance(0, 1), reverse(5)]),
      /^action 1 \(reverse 5\): step 5 is not in 0\.\.1$/,
    ],
    [
      'end with steps unreversed',
      planOf(3, 1, [advance(0, 2), reverse(2)]),
      /^plan end: steps 1\.\.0 were never reversed$/,
    ],
    ['end with slots still held', planOf(1, 2, [store(1, 0), reverse(0)]), /^plan end: slots 1 still hold snapshots$/],
  ];
  for (const [invariant, plan, message] of cases) {
    it(invariant, () => {
      expect(() => simulate(plan)).toThrow(PlanError);
      expect(() => simulate(plan)).toThrow(message);
    });
  }

  it('names the action index of a fault deep in a long plan', () => {
    const broken = makePlan('broken', 1000, 10, function* () {
      for (const action of revolvePlan(1000, 10)) {
        // Drop the free before a restore: the next store then finds its slot occupied.
        if (action.kind === 'free' && action.slot === 9) continue;
        yield action;
      }
    });
    const error = (() => {
      try {
        simulate(broken);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).index).toBeGreaterThan(0);
    expect((error as PlanError).message).not.toContain('\n');
  });
});
