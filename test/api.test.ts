import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as core from '../src/core.ts';
import {
  defaultSchedules,
  evaluate,
  grad,
  jacobian,
  jvp,
  LagradError,
  parse,
  ProgramBuilder,
  trace,
  UsageError,
  valueAndGrad,
  vjp,
  type Program,
} from '../src/index.ts';
import { add, mul, sin } from '../src/frontend/ops.ts';
import { centralDifference, dot, relativeError } from './helpers/finiteDifferences.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';

// The API conventions of issue 11 and the point-reading rules of issue 9 (family 3): valueAndGrad,
// jvp, vjp and jacobian over the schedules; points read strictly; results that stay valid.

const lecture = () => parse('z + sin(x^2 + y*exp(z))');
const at = { x: 2, y: -1, z: 0 };

// Two inputs, three outputs: u = x·y, v = sin(x) + y², w = x.
const twoByThree =
  'input x = 0.5\ninput y = -2\nu = x * y\nv = sin(x) + y^2\nw = 1 * x\noutput u\noutput v\noutput w\n';
const jacobianOf = (x: number, y: number) => [
  [y, x],
  [Math.cos(x), 2 * y],
  [1, 0],
];

describe('points are read strictly (issue 9, family 3)', () => {
  const p = parse('x * y + 1');
  const cases: [string, unknown, RegExp][] = [
    ['null', { x: null, y: 1 }, /^input 'x': null is not a number$/],
    ['true', { x: true, y: 1 }, /^input 'x': true is not a number$/],
    ['a numeric string', { x: '2', y: 1 }, /^input 'x': the string '2' is not a number$/],
    [
      'undefined',
      { x: undefined, y: 1 },
      /^input 'x': undefined is not a number \(leave the name out to take its default\)$/,
    ],
    ['a string point', '12', /^point: the string '12' is not values by name/],
    ['a number point', 12, /^point: 12 is not values by name/],
    ['null point', null, /^point: null is not values by name/],
    [
      '__proto__ from JSON',
      JSON.parse('{"x": 1, "y": 2, "__proto__": 5}'),
      /^input '__proto__': no input has this name$/,
    ],
    [
      'an array for an expression',
      [1, 2],
      /^point: an array gives values by position, but this expression's inputs have no declared order \(x, y is only the order of first appearance\): name them, \{ x: …, y: … \}, or parse with \{ inputs: \['x', 'y'\] \}$/,
    ],
    ['a Map with a non-name key', new Map<unknown, number>([[1, 2]]), /^point: 1 is not a name$/],
  ];
  for (const [what, point, message] of cases) {
    it(`${what}: an error naming it`, () => {
      expect(() => grad(p, point as never)).toThrow(LagradError);
      expect(() => grad(p, point as never)).toThrow(message);
      expect(() => evaluate(p, point as never)).toThrow(message);
    });
  }

  it('a Map and an object without prototype are points', () => {
    expect(
      grad(
        p,
        new Map([
          ['x', 3],
          ['y', 4],
        ]),
      ).gradient,
    ).toEqual({ x: 4, y: 3 });
    expect(grad(p, Object.assign(Object.create(null), { x: 3, y: 4 })).gradient).toEqual({ x: 4, y: 3 });
  });

  it('an input named __proto__ is an input like any other', () => {
    const q = parse('input __proto__\ninput constructor = 2\ny = __proto__ * constructor\noutput y');
    const r = grad(q, JSON.parse('{"__proto__": 3}'));
    expect(Object.keys(r.gradient)).toEqual(['__proto__', 'constructor']);
    expect(r.gradient['__proto__']).toBe(2);
    expect(r.gradient['constructor']).toBe(3);
    expect(Object.getPrototypeOf(r.gradient)).toBeNull();
    expect(Object.getPrototypeOf(r.multipliers)).toBeNull();
  });

  it('arrays where the input order is declared: a .lag file, trace, the builder, parse with inputs', () => {
    const expected = grad(lecture(), at).gradient;
    const declared = parse('z + sin(x^2 + y*exp(z))', { inputs: ['x', 'y', 'z'] });
    expect(grad(declared, [2, -1, 0]).gradient).toEqual(expected);
    expect(grad(declared, Float64Array.of(2, -1, 0)).gradient).toEqual(expected);
    const file = parse('input x\ninput y\ninput z\nd = x^2 + y*exp(z)\ng = z + sin(d)\noutput g');
    expect(grad(file, [2, -1, 0]).gradient).toEqual(expected);
    const traced = trace(({ x, y }) => add(mul(x!, y!), sin(x!)), ['x', 'y']);
    expect(grad(traced, [1, 2]).gradient).toEqual({ x: 2 + Math.cos(1), y: 1 });
    const b = new ProgramBuilder();
    const x = b.input('x');
    const y = b.input('y');
    expect(grad(b.output(b.apply('mul', x, y)).build(), [3, 5]).gradient).toEqual({ x: 5, y: 3 });
    expect(() => grad(declared, [2, -1])).toThrow(/^point: expected 3 input values \(x, y, z\), got 2$/);
    expect(() => grad(declared, [2, -1, '0'] as never)).toThrow(/^input 'z': the string '0' is not a number$/);
  });

  it('parse(text, { inputs }): the order, unused inputs with gradient 0, and its errors', () => {
    const p2 = parse('x * 2', { inputs: ['w', 'x'] });
    expect(p2.inputNames).toEqual(['w', 'x']);
    expect(grad(p2, [7, 1]).gradient).toEqual({ w: 0, x: 2 });
    expect(() => parse('x * q', { inputs: ['x'] })).toThrow(
      /^expression:1:5: 'q' is not among the declared inputs \(x\)$/,
    );
    expect(() => parse('x', { inputs: ['x', 'x'] })).toThrow(/'x' is listed twice/);
    expect(() => parse('x', { inputs: ['1x'] })).toThrow(/'1x' is not a name/);
    expect(() => parse('input a\ninput b\noutput b', { inputs: ['b', 'a'] })).toThrow(
      /declares its inputs as a, b; the inputs option must list the same, in that order/,
    );
    expect(parse('input a\ninput b\noutput b', { inputs: ['a', 'b'] }).inputNames).toEqual(['a', 'b']);
  });
});

describe('results stay valid (issue 9, family 3)', () => {
  it('without a workspace, a result is its own: a later grad changes nothing in it', () => {
    const p = lecture();
    const first = grad(p, at, { multipliers: true });
    const before = { value: first.value, gradient: { ...first.gradient }, lambda: first.lambda.slice() };
    grad(p, { x: -1, y: 3, z: 0.5 });
    expect({ value: first.value, gradient: { ...first.gradient }, lambda: first.lambda.slice() }).toEqual(before);
  });

  it('with a workspace: value and gradient stay; the buffer-backed parts refuse to be read once overwritten', () => {
    const p = parse('input x\ninput y\na = x * y\nb = sin(a)\noutput b');
    const workspace = { values: new Float64Array(p.size), lambda: new Float64Array(p.size) };
    const first = grad(p, { x: 1, y: 2 }, { workspace });
    const multipliers = { ...first.multipliers }; // read before the next call: fine
    const gradient = { ...first.gradient };
    grad(p, { x: 3, y: -1 }, { workspace });
    expect({ ...first.gradient }).toEqual(gradient);
    expect(first.value).toBe(Math.sin(2));
    expect(multipliers.a).toBeCloseTo(Math.cos(2), 15);
    // A gradient read for the first time after the workspace was reused is still this point's.
    const unread = grad(p, { x: 0.5, y: 4 }, { workspace });
    grad(p, { x: 3, y: -1 }, { workspace });
    expect(unread.gradient.x).toBeCloseTo(4 * Math.cos(2), 14);
    expect(unread.gradient.y).toBeCloseTo(0.5 * Math.cos(2), 14);
    for (const read of [() => first.multipliers, () => first.lambda, () => first.values, () => first.solution]) {
      expect(read).toThrow(LagradError);
      expect(read).toThrow(/lived in the workspace, which a later solve has overwritten/);
    }
  });

  it('a workspace too small to use leaves the result its own arrays', () => {
    const p = lecture();
    const workspace = { values: new Float64Array(2), lambda: new Float64Array(2) };
    const first = grad(p, at, { workspace });
    const lambda = first.lambda.slice();
    grad(p, { x: 1, y: 1, z: 1 }, { workspace });
    expect(first.lambda).toEqual(lambda);
  });

  it('one buffer as both values and lambda (or overlapping views of one) is refused; disjoint views work', () => {
    const p = lecture();
    const shared = new Float64Array(p.size);
    expect(() => grad(p, at, { workspace: { values: shared, lambda: shared } })).toThrow(UsageError);
    expect(() => grad(p, at, { workspace: { values: shared, lambda: shared } })).toThrow(
      /^workspace: values and lambda share memory; give each buffer its own$/,
    );
    const big = new Float64Array(2 * p.size);
    expect(() =>
      grad(p, at, { workspace: { values: big.subarray(0, p.size + 1), lambda: big.subarray(p.size) } }),
    ).toThrow(/share memory/);
    const r = grad(p, at, { workspace: { values: big.subarray(0, p.size), lambda: big.subarray(p.size) } });
    expect(r.gradient).toEqual(grad(p, at).gradient);
    expect(() => grad(p, at, { workspace: { values: [0, 0] as never } })).toThrow(
      /^workspace\.values: must be a Float64Array$/,
    );
  });
});

describe('valueAndGrad', () => {
  it('a function of the point, equal to grad, each result its own', () => {
    const p = lecture();
    const f = valueAndGrad(p);
    const a = f(at);
    const b = f({ x: 1, y: 0.5, z: -1 });
    expect(a).toEqual({ value: grad(p, at).value, gradient: grad(p, at).gradient });
    expect(b.gradient).toEqual(grad(p, { x: 1, y: 0.5, z: -1 }).gradient);
    expect(a.gradient).toEqual(grad(p, at).gradient); // not changed by the second call
    expect(valueAndGrad(p, { schedule: 'forward' })(at).gradient.x).toBeCloseTo(a.gradient.x as number, 14);
    expect(() => valueAndGrad(p, { schedule: 'nope' })).toThrow(UsageError);
  });
});

describe('jvp, vjp, jacobian against closed forms', () => {
  const p = parse(twoByThree);
  const [x, y] = [0.5, -2];
  const J = jacobianOf(x, y);

  it('jacobian by shape: 2 inputs ≤ 3 outputs → columns by forward lanes; every schedule agrees', () => {
    const r = jacobian(p);
    expect(r.mode).toBe('forward');
    expect(r.inputs).toEqual(['x', 'y']);
    expect(r.outputs).toEqual(['u', 'v', 'w']);
    expect(r.rows.map((row) => Array.from(row))).toEqual(J);
    expect(Array.from(r.values)).toEqual([x * y, Math.sin(x) + y * y, x]);
    for (const schedule of ['reverse', 'dense', 'paths', 'forward']) {
      const s = jacobian(p, undefined, { schedule });
      expect(s.mode).toBe(schedule === 'forward' ? 'forward' : 'reverse');
      s.rows.forEach((row, o) => row.forEach((d, k) => expect(d).toBeCloseTo(J[o]![k]!, 14)));
    }
    expect(jacobian(p, undefined, { schedule: 'forward', lanes: 1 }).stats.sweeps).toBe(1 + 2); // the primal sweep, then one tangent sweep per input
    expect(jacobian(p).stats.sweeps).toBe(1 + 1); // both inputs in one sweep of two lanes
  });

  it('jacobian of one output from three inputs → rows by reverse, one solve', () => {
    const r = jacobian(lecture(), at);
    expect(r.mode).toBe('reverse');
    expect(r.schedule).toBe('reverse');
    const g = grad(lecture(), at).gradient;
    expect(Array.from(r.rows[0]!)).toEqual([g.z, g.x, g.y]);
  });

  it('jvp: J t for every output, by one tangent sweep or by any schedule', () => {
    const t = { x: 0.3, y: -1.5 };
    const r = jvp(p, undefined, t);
    expect(r.outputs).toEqual(['u', 'v', 'w']);
    expect(r.stats.sweeps).toBe(1 + 1); // the primal sweep and one tangent sweep
    const expected = J.map((row) => row[0]! * t.x + row[1]! * t.y);
    Array.from(r.tangents).forEach((d, o) => expect(d).toBeCloseTo(expected[o]!, 14));
    for (const schedule of ['reverse', 'dense'])
      Array.from(jvp(p, undefined, t, { schedule }).tangents).forEach((d, o) =>
        expect(d).toBeCloseTo(expected[o]!, 14),
      );
    expect(Array.from(jvp(p, undefined, { y: 1 }).tangents)).toEqual([x, 2 * y, 0]); // inputs left out: tangent 0
    expect(Array.from(jvp(p, undefined, [1, 0]).tangents)).toEqual([y, Math.cos(x), 1]);
    expect(() => jvp(lecture(), at, [1, 0, 0])).toThrow(/^tangent: an array gives values by position/);
    expect(() => jvp(p, undefined, { q: 1 })).toThrow(/^tangent of 'q': no input has this name$/);
  });

  it('vjp: wᵀJ for cotangent weights by name or in output order', () => {
    const w = { u: 1, v: -2, w: 0.5 };
    const r = vjp(p, undefined, w);
    const expected = [0, 1].map((k) => J[0]![k]! * w.u + J[1]![k]! * w.v + J[2]![k]! * w.w);
    expect(r.gradient.x).toBeCloseTo(expected[0]!, 14);
    expect(r.gradient.y).toBeCloseTo(expected[1]!, 14);
    expect(r.value).toBeCloseTo(x * y * w.u + (Math.sin(x) + y * y) * w.v + x * w.w, 14);
    expect(vjp(p, undefined, [1, -2, 0.5]).gradient).toEqual(r.gradient);
    expect(() => vjp(p, undefined, { u: null } as never)).toThrow(/^weight of output 'u': null is not a number$/);
    expect(() => vjp(p, undefined, { x: 1 })).toThrow(/^output 'x': is not an output; outputs are u, v, w$/);
  });
});

describe('jvp, vjp, jacobian on random programs', () => {
  const relative = (a: number, b: number) => relativeError(a, b);

  it('jacobian forward = jacobian reverse = finite differences, row by row (acyclic)', () => {
    fc.assert(
      fc.property(arbitraryProgram({ outputs: 3 }), ({ program, inputs }) => {
        const f = jacobian(program, inputs, { schedule: 'forward' });
        const r = jacobian(program, inputs, { schedule: 'reverse' });
        for (let o = 0; o < f.rows.length; o++) {
          for (let k = 0; k < program.inputCount; k++)
            expect(relative(f.rows[o]![k]!, r.rows[o]![k]!)).toBeLessThan(1e-12);
          const weights = { [f.outputs[o]!]: 1 };
          const e = new Float64Array(program.inputCount);
          for (let k = 0; k < program.inputCount; k++) {
            e.fill(0);
            e[k] = 1;
            const fd = centralDifference((x) => evaluateWeighted(program, x, weights), inputs, e);
            expect(relative(fd, f.rows[o]![k]!)).toBeLessThan(1e-5);
          }
        }
      }),
      { seed: 11, numRuns: 40 },
    );
  });

  it('⟨w, J t⟩ = ⟨wᵀJ, t⟩: jvp and vjp are transposes (acyclic and cyclic)', () => {
    const check = (program: Program, inputs: Float64Array, t: Float64Array, w: Float64Array) => {
      const forward = jvp(program, inputs, t);
      const reverse = vjp(program, inputs, w);
      const lhs = dot(w, forward.tangents);
      const rhs = dot(
        Array.from(program.inputNames, (name) => reverse.gradient[name] as number),
        t,
      );
      expect(relative(lhs, rhs)).toBeLessThan(1e-10);
    };
    const direction = (n: number, seed: number) => Float64Array.from({ length: n }, (_, k) => Math.sin(seed + 1.7 * k));
    fc.assert(
      fc.property(arbitraryProgram({ outputs: 3 }), fc.integer({ min: 0, max: 1000 }), ({ program, inputs }, seed) => {
        check(program, inputs, direction(program.inputCount, seed), direction(program.outputs.length, seed + 0.5));
      }),
      { seed: 12, numRuns: 40 },
    );
    fc.assert(
      fc.property(arbitraryCyclicProgram(), fc.integer({ min: 0, max: 1000 }), ({ program, inputs }, seed) => {
        check(program, inputs, direction(program.inputCount, seed), direction(program.outputs.length, seed + 0.5));
      }),
      { seed: 13, numRuns: 20 },
    );
  });
});

/** Σ_o w_o v_o at x (input order). */
function evaluateWeighted(program: Program, x: Float64Array, weights: Record<string, number>): number {
  const [name] = Object.keys(weights);
  return evaluate(program, x, { output: name });
}

describe('lagrad/core: the same API, schedules as objects', () => {
  it('exports every built-in schedule by its name, the same object as the table of lagrad', () => {
    for (const schedule of defaultSchedules.list())
      expect((core as Record<string, unknown>)[schedule.name], schedule.name).toBe(schedule);
  });

  it('defaults need no import; a schedule object works; a name needs a table', () => {
    const p = core.parse('x * sin(y)');
    const point = { x: 2, y: 0.5 };
    expect(core.grad(p, point).gradient).toEqual(grad(p, point).gradient);
    expect(core.grad(p, point, { schedule: core.forward }).gradient.y).toBeCloseTo(2 * Math.cos(0.5), 15);
    expect(() => core.grad(p, point, { schedule: 'forward' })).toThrow(UsageError);
    expect(() => core.grad(p, point, { schedule: 'forward' })).toThrow(
      /^schedule 'forward': names need a table here: import the schedule object from 'lagrad\/core'/,
    );
    const table = new core.ScheduleTable([core.reverse, core.forward]);
    expect(core.grad(p, point, { schedule: 'forward', table }).schedule).toBe('forward');
    expect(core.valueAndGrad(p)(point).value).toBe(2 * Math.sin(0.5));
    expect(Array.from(core.jvp(p, point, { y: 1 }).tangents)).toEqual([2 * Math.cos(0.5)]);
    expect(core.vjp(p, point, [2]).gradient.x).toBe(2 * Math.sin(0.5));
    expect(core.jacobian(p, point).mode).toBe('reverse');
    expect(() => core.grad(p, point, { schedule: 42 as never })).toThrow(
      /^schedule: 42 is neither a schedule name nor a Schedule object$/,
    );
  });
});
