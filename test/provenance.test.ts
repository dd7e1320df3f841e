import { describe, expect, it } from 'vitest';
import { builtinSchedules } from '../solvers/schedules.ts';
import {
  checked,
  checkpointGrad,
  grad,
  LagradError,
  parse,
  parseProgram,
  resolvePoint,
  resolveWeights,
  ScheduleTable,
  type Program,
  type Schedule,
} from '../src/index.ts';

// Family 2 of issue 9: a non-finite number never reaches an answer. Every schedule's result passes
// one check at its boundary (`checked`): a non-finite value, multiplier, gradient or objective is a
// LagradError naming where it first appeared, whichever way the schedule is called.

interface Case {
  readonly what: string;
  readonly program: Program;
  readonly at: Record<string, number>;
  readonly weights?: Record<string, number>;
  /** The place every schedule that derives by multipliers names (when they all reach it). */
  readonly multipliers?: RegExp;
  /** The place forward mode names. */
  readonly tangents?: RegExp;
}

const lag = (text: string) => parseProgram(text, { file: 'p.lag' });

const cases: Case[] = [
  {
    what: 'the issue’s example: sin(1e200·sin(1e200·x)) overflows in the derivative only',
    program: parse('sin(1e200*sin(1e200*x))'),
    at: { x: 1 },
    // Reverse order: the inner scale's contribution to λ_x; forward order: the outer scale's tangent.
    multipliers: /^expression:1:20: the multiplier of 'x' overflows/,
    tangents: /^expression:1:10: the tangent of #3 with respect to 'x' overflows/,
  },
  {
    what: 'a product of two large partials at a point where the value is 0',
    program: lag('input x\na = 1e300 * x\nb = 1e300 * a\noutput b'),
    at: { x: 0 },
    multipliers: /^p\.lag:2:\d+: the multiplier of 'x' overflows: λ of 'a' times/,
    tangents: /^p\.lag:3:11: the tangent of 'b' with respect to 'x' overflows/,
  },
  {
    what: 'finite contributions whose sum overflows',
    program: lag('input x\na = 1e308 * x\nb = 1e308 * x\nc = a + b\noutput c'),
    at: { x: 0 },
    multipliers:
      /^p\.lag:1:7: the multiplier of 'x' is Infinity: its contributions are finite, but their sum overflows$/,
    tangents:
      /^p\.lag:4:7: the tangent of 'c' with respect to 'x' is Infinity: its terms are finite, but their sum overflows$/,
  },
  {
    what: 'a partial that does not exist (sqrt at 0)',
    program: lag('input x\nr = sqrt(x)\ny = 3 * r\noutput y'),
    at: { x: 0 },
    multipliers:
      /^p\.lag:2:5: the partial of sqrt with respect to 'x' at sqrt\(0\) is Infinity: the derivative does not exist here$/,
    tangents:
      /^p\.lag:2:5: the partial of sqrt with respect to 'x' at sqrt\(0\) is Infinity: the derivative does not exist here$/,
  },
  {
    what: 'a cyclic component whose inflow overflows',
    program: lag('input t = 0\nu = 1e300 * t\nv = 0.5 * v + u\ny = 1e10 * v\noutput y'),
    at: { t: 0 },
    multipliers:
      /^p\.lag:2:11: the multiplier of 't' overflows: λ of 'u' times ∂scale\(0, θ=1e\+300\)\/∂'t' is 2e\+10·1e\+300 = Infinity$/,
    tangents: /^p\.lag:4:10: the tangent of 'y' with respect to 't' overflows/,
  },
  {
    what: 'a pow whose partial in the exponent is NaN (negative base)',
    program: lag('input x = -2\ninput k = 3\np = pow(x, k)\noutput p'),
    at: { x: -2, k: 3 },
    multipliers:
      /^p\.lag:3:5: the partial of pow with respect to 'k' at pow\(-2, 3\) is NaN: the derivative does not exist here$/,
    tangents: /^p\.lag:3:5: the partial of pow with respect to 'k' at pow\(-2, 3\) is NaN/,
  },
];

/** Runs f and returns the LagradError it throws (failing on anything else, or on no error). */
function refusal(f: () => unknown): LagradError {
  try {
    f();
  } catch (e) {
    if (e instanceof LagradError) return e;
    throw e;
  }
  throw new Error('no error: a non-finite answer got through');
}

describe('no non-finite number reaches an answer, under any schedule', () => {
  for (const c of cases) {
    it(c.what, () => {
      const inputs = resolvePoint(c.program, c.at);
      const weights = resolveWeights(c.program, undefined, c.weights);
      for (const schedule of builtinSchedules) {
        // fd differentiates the values, which stay finite here: it answers, with a finite number.
        let viaGrad: LagradError | null = null;
        try {
          const r = grad(c.program, c.at, { schedule: schedule.name, multipliers: schedule.name !== 'fd' });
          expect(Number.isFinite(r.value)).toBe(true);
          for (const g of Object.values(r.gradient)) expect(Number.isFinite(g), `${schedule.name}`).toBe(true);
          expect(schedule.name).toBe('fd');
        } catch (e) {
          if (!(e instanceof LagradError)) throw e;
          viaGrad = e;
        }
        if (viaGrad === null) continue;
        // The same refusal when the schedule is called directly, without grad.
        const direct = refusal(() => schedule.solve({ program: c.program, inputs, weights }, { multipliers: true }));
        expect(direct.message).toBe(viaGrad.message);
        const place =
          schedule.derivation === 'tangents'
            ? c.tangents
            : schedule.derivation === 'differences'
              ? undefined
              : c.multipliers;
        // paths and checkpoint decline a cyclic program before solving anything.
        if (place && !/is cyclic/.test(viaGrad.message)) expect(viaGrad.message, schedule.name).toMatch(place);
      }
    });
  }

  it('names the objective when finite outputs sum to an overflow', () => {
    const program = lag('input x = 1\na = x + 1e308\nb = x + 1.5e308\noutput a\noutput b');
    for (const schedule of builtinSchedules) {
      const e = refusal(() => grad(program, {}, { schedule: schedule.name, weights: { a: 1, b: 1 } }));
      expect(e.message, schedule.name).toMatch(/^objective: Σ_o w_o·v_o is Infinity/);
    }
  });

  it('fd names the evaluations whose difference overflows', () => {
    const e = refusal(() => grad(lag('input x = 1\ny = 1e308 * x\nz = 1e308 * y\noutput y'), {}, { schedule: 'fd' }));
    expect(e).toBeInstanceOf(LagradError);
    const program = lag('input x = 0\ns = sin(x * 1e10)\ny = 1.7e308 * s\noutput y');
    const f = refusal(() => grad(program, {}, { schedule: 'fd', step: 1e-10 }));
    expect(f.message).toMatch(
      /^p\.lag:1:7: the finite difference with respect to x \(step 1e-10\) is -?Infinity: the objective is .* at x = .* and .* at x = /,
    );
  });

  it('checks checkpointGrad’s gradient and value too', () => {
    const e = refusal(() =>
      checkpointGrad(parse('sin(1e200*sin(1e200*x))'), { x: 1 }, { strategy: 'revolve', snapshots: 1 }),
    );
    expect(e.message).toMatch(/^expression:1:20: the multiplier of 'x' overflows/);
  });

  it('a schedule of one’s own is checked by grad, by a table, and by checked()', () => {
    const program = parse('x * y');
    const liar: Schedule = {
      name: 'liar',
      summary: 'returns a NaN gradient',
      solve: ({ program: p, inputs }) => {
        const values = new Float64Array(p.size);
        values.set(inputs);
        values[2] = inputs[0] * inputs[1];
        return {
          values,
          lambda: null,
          gradient: Float64Array.of(NaN, 1),
          stats: { primitiveEvaluations: 0, partialEvaluations: 0, peakValues: 0, peakBytes: 0, sweeps: 0, timeMs: 0 },
        };
      },
    };
    // Back-substitution finds nothing wrong, so the schedule's own arithmetic is named.
    const message = /^expression:1:1: the derivative of the objective with respect to 'x' by schedule 'liar' is NaN/;
    expect(refusal(() => grad(program, { x: 1, y: 2 }, { schedule: liar })).message).toMatch(message);
    const table = new ScheduleTable([liar]);
    expect(refusal(() => grad(program, { x: 1, y: 2 }, { schedule: 'liar', table })).message).toMatch(message);
    const inputs = Float64Array.of(1, 2);
    const weights = Float64Array.of(1);
    expect(refusal(() => table.get('liar').solve({ program, inputs, weights })).message).toMatch(message);
    expect(refusal(() => checked(liar).solve({ program, inputs, weights })).message).toMatch(message);
    const once = checked(liar);
    expect(checked(once)).toBe(once);
    // Wrong lengths are a bug in the schedule, not bad input.
    const short: Schedule = {
      ...liar,
      name: 'short',
      solve: (problem) => ({ ...liar.solve(problem), gradient: new Float64Array(1) }),
    };
    expect(() => grad(program, { x: 1, y: 2 }, { schedule: short })).toThrow(
      /^schedule 'short': returned 3 values, no multipliers and 1 gradient entries for a program of 3 entries, 2 of them inputs$/,
    );
  });

  it('every schedule checks the problem it is handed: a Program, finite inputs and weights of its lengths, a workspace without shared memory', () => {
    const program = parse('sin(x) * y + x');
    const inputs = Float64Array.of(1, 2);
    const weights = Float64Array.of(1);
    const shared = new Float64Array(16);
    const bad: [string, () => unknown, RegExp][] = [
      [
        'inputs short',
        () => ({ program, inputs: Float64Array.of(1), weights }),
        /^problem\.inputs: has 1 entry where the program takes 2$/,
      ],
      [
        'inputs NaN',
        () => ({ program, inputs: Float64Array.of(1, NaN), weights }),
        /^problem\.inputs: entry 1 \(input 'y'\) is NaN: not a finite number$/,
      ],
      [
        'inputs a plain array',
        () => ({ program, inputs: [1, 2], weights }),
        /^problem\.inputs: must be a Float64Array of 2 numbers$/,
      ],
      [
        'weights empty',
        () => ({ program, inputs, weights: new Float64Array(0) }),
        /^problem\.weights: has 0 entries where the program takes 1$/,
      ],
      [
        'weights infinite',
        () => ({ program, inputs, weights: Float64Array.of(-Infinity) }),
        /^problem\.weights: entry 0 is -Infinity/,
      ],
      [
        'wrt short',
        () => ({ program, inputs, weights, wrt: new Uint8Array(1) }),
        /^problem\.wrt: must be a Uint8Array of 2 flags/,
      ],
      [
        'no program',
        () => ({ program: JSON.parse(JSON.stringify(program)), inputs, weights }),
        /^problem\.program: is not a Program/,
      ],
    ];
    for (const schedule of builtinSchedules) {
      for (const [what, problem, message] of bad)
        expect(refusal(() => schedule.solve(problem() as never)).message, `${schedule.name}: ${what}`).toMatch(message);
      // One buffer as both values and multipliers would be read while it is overwritten.
      const aliased = refusal(() =>
        schedule.solve({ program, inputs, weights }, { workspace: { values: shared, lambda: shared.subarray(2) } }),
      );
      expect(aliased.message, schedule.name).toBe(
        'workspace: values and lambda share memory; give each buffer its own',
      );
      expect(
        () =>
          schedule.solve(
            { program, inputs, weights },
            { workspace: { values: shared.subarray(0, 8), lambda: shared.subarray(8) } },
          ),
        schedule.name,
      ).not.toThrow();
    }
  });

  it('solve options are never coerced: multipliers is true or false, progress a function', () => {
    const program = parse('x * y');
    for (const schedule of builtinSchedules) {
      expect(
        refusal(() =>
          schedule.solve(
            { program, inputs: Float64Array.of(1, 2), weights: Float64Array.of(1) },
            { multipliers: 'no' as never },
          ),
        ).message,
      ).toBe("multipliers: must be true or false, got 'no'");
      expect(
        refusal(() =>
          schedule.solve(
            { program, inputs: Float64Array.of(1, 2), weights: Float64Array.of(1) },
            { progress: 1 as never },
          ),
        ).message,
      ).toMatch(/^progress: must be a function/);
    }
    expect(refusal(() => grad(program, { x: 1, y: 2 }, { multipliers: 1 as never })).message).toBe(
      'multipliers: must be true or false, got 1',
    );
  });

  it('a partial that does not exist inside a cyclic component is named as such, not as a singular I − J, by every schedule', () => {
    // v1 = (−1)^v1 has the fixed point −1, where ∂/∂v1 = log(−1)·(−1)^v1 is NaN; v0 = v0^x0 has the fixed point 0, where ∂/∂x0 = log 0 · 0 is NaN.
    const cases: [Program, Record<string, number>, RegExp][] = [
      [
        lag('input x0\nv1 = pow(x0, v1)\nv2 = pow(x0, x0) + v1\noutput v2'),
        { x0: -1 },
        /^p\.lag:2:6: the partial of pow with respect to 'v1' at pow\(-1, -1\) is NaN: the derivative does not exist here$/,
      ],
      [
        lag('input x0\nv0 = pow(v0, x0)\noutput v0'),
        { x0: 1.001 },
        /^p\.lag:2:6: the partial of pow with respect to 'x0' at pow\(0, 1\.001\) is NaN: the derivative does not exist here$/,
      ],
    ];
    for (const [program, at, message] of cases) {
      for (const schedule of ['reverse', 'forward', 'dense', 'iterative'])
        expect(refusal(() => grad(program, at, { schedule })).message, schedule).toMatch(message);
    }
  });

  it('on vector variables, a multiplier that overflows through a finite derivative is named as an overflow, not as a derivative that does not exist', () => {
    const program = lag('input v[2]\na = 1e200 * v\nb = sin(a)\nc = 1e200 * b\nd = sin(c)\nz = sum(d)\noutput z');
    for (const schedule of ['reverse', 'compiled', 'forward', 'dense', 'paths']) {
      expect(refusal(() => grad(program, { v: Float64Array.of(1, 1) }, { schedule })).message, schedule).toMatch(
        /^p\.lag:2:11: the multiplier 'v'\[0\] overflows: the multipliers of 'a' times the derivative of scale\(\[2\], θ=1e\+200\) give -?Infinity$/,
      );
    }
    const root = lag('input v[2]\nz = sum(sqrt(v))\noutput z');
    expect(refusal(() => grad(root, { v: Float64Array.of(0, 1) })).message).toMatch(
      /^p\.lag:2:9: the derivative of sqrt with respect to 'v'\[0\] at sqrt\(\[2\]\) is Infinity: it does not exist here$/,
    );
  });

  it('reverse checks its own arrays once: its solution says so, and the boundary adds no pass', () => {
    const program = parse('sin(x) * y');
    const s = builtinSchedules
      .find((x) => x.name === 'reverse')!
      .solve({ program, inputs: Float64Array.of(1, 2), weights: Float64Array.of(1) });
    expect(s.finite).toBe(true);
    expect(checked(builtinSchedules[1])).toBe(builtinSchedules[1]);
  });
});
