import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, parse, type GradResult } from '../src/index.ts';
import { inPlaceSolve } from '../src/schedule/inPlace.ts';
import { auto } from '../solvers/auto.ts';
import { compiled } from '../solvers/compiled.ts';
import { forward } from '../solvers/forward.ts';
import { reverse } from '../solvers/reverse.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// grad's common call — a point, at most a schedule — on a program of scalars runs the schedule's
// in-place solve (schedule/inPlace.ts) instead of `solve` (issue 14, item 4). Any other option
// (`multipliers: true` here) takes the general path, so the two are compared: the same bits, the
// same stats but the time, the same errors; and a result stays the same after later calls.

const SCHEDULES = [undefined, 'reverse', 'compiled'] as const;

/** Everything a result shows but its time, for comparison. */
function shown(r: GradResult) {
  const { timeMs: _time, ...counts } = r.stats;
  return {
    schedule: r.schedule,
    value: r.value,
    gradient: { ...r.gradient },
    values: Array.from(r.values),
    lambda: Array.from(r.lambda),
    solutionGradient: Array.from(r.solution.gradient),
    counts,
  };
}

/** The outcome of a call: what it shows, or its error's message. */
function outcome(call: () => GradResult) {
  try {
    return shown(call());
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('the in-place solve', () => {
  it('is declared by auto, reverse and compiled for acyclic programs of scalars, by no other', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    expect(inPlaceSolve(auto, program)?.name).toBe('reverse');
    expect(inPlaceSolve(reverse, program)?.name).toBe('reverse');
    expect(['compiled', 'reverse']).toContain(inPlaceSolve(compiled, program)?.name);
    expect(inPlaceSolve(forward, program)).toBeNull();
    expect(inPlaceSolve(reverse, parse('input a\nx = 0.5 * cos(x) + a\noutput x'))).toBeNull();
  });

  it('gives what the general path gives: bits, counts, the schedule that did the work (random programs)', () => {
    fc.assert(
      fc.property(arbitraryProgram({ outputs: 1, constraints: 30 }), (r) => {
        for (const schedule of SCHEDULES) {
          const common = outcome(() => grad(r.program, r.at, { schedule }));
          const general = outcome(() => grad(r.program, r.at, { schedule, multipliers: true }));
          expect(common).toEqual(general);
          const workspace = {
            values: new Float64Array(r.program.size),
            lambda: new Float64Array(r.program.size).fill(7),
          };
          expect(outcome(() => grad(r.program, r.inputs, { schedule, workspace }))).toEqual(general);
          expect(outcome(() => grad(r.program, r.inputs, { schedule, workspace, multipliers: true }))).toEqual(general);
          // toEqual takes −0 for 0: the gradient's bits, one by one.
          if ('gradient' in common && 'gradient' in general)
            for (const name in common.gradient)
              expect(Object.is(common.gradient[name], general.gradient[name])).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('gives the errors of the general path: bad points, non-finite values and multipliers', () => {
    const program = parse('input x\ninput y\ninput z = 1\nu = log(x)\nv = sqrt(y)\nw = u * v + z\noutput w');
    const points: object[] = [
      { x: 1, y: 2 }, // fine
      { x: 1, y: 2, q: 3 }, // no input has this name
      { x: 1 }, // y has no value
      { x: 1, y: '2' }, // not a number
      { x: 1, y: undefined }, // undefined is not a number
      { x: NaN, y: 2 }, // not finite
      { x: 1, y: Infinity },
      { x: -1, y: 2 }, // log(−1): a non-finite value
      { x: 2, y: 0 }, // sqrt at 0: a non-finite multiplier
      Object.assign(Object.create({ y: 2 }), { x: 1 }), // y inherited, not given
      new Map([
        ['x', 1],
        ['y', 2],
      ]),
      [1, 2, 3], // an array, though the order was declared by the input lines
    ];
    for (const schedule of SCHEDULES) {
      for (const at of points) {
        const common = outcome(() => grad(program, at as never, { schedule }));
        expect(common).toEqual(outcome(() => grad(program, at as never, { schedule, multipliers: true })));
      }
      const bad = [{ values: [0, 0] }, { values: new Float64Array(8), lambda: new Float64Array(8) }];
      for (const at of points) {
        for (const workspace of [...bad, { values: new Float64Array(7), lambda: new Float64Array(9) }]) {
          const common = outcome(() => grad(program, at as never, { schedule, workspace: workspace as never }));
          expect(common).toEqual(
            outcome(() => grad(program, at as never, { schedule, workspace: workspace as never, multipliers: true })),
          );
        }
      }
      expect(outcome(() => grad(program, { x: -1, y: 2 }, { schedule }))).toMatchObject({
        error: expect.stringMatching(/not finite|NaN/),
      });
    }
  });

  it('gives each result arrays of its own: a later call changes nothing in an earlier result', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    for (const schedule of SCHEDULES) {
      const first = grad(program, { x: 2, y: -1, z: 0 }, { schedule });
      const before = shown(first);
      const unread = grad(program, { x: 2, y: -1, z: 0 }, { schedule }); // its gradient is first read after the next calls
      for (let k = 0; k < 50; k++) grad(program, { x: k, y: 1 - k, z: k / 10 }, { schedule }).gradient;
      expect(shown(first)).toEqual(before);
      expect(shown(unread)).toEqual(before);
      expect(first.gradient).not.toBe(unread.gradient);
      expect(first.values).not.toBe(unread.values);
      expect(Object.getPrototypeOf(unread.gradient)).toBeNull();
    }
  });

  it('with a workspace: its buffers, leased; the gradient the result’s own', () => {
    const program = parse('z + sin(x^2 + y*exp(z))');
    for (const schedule of SCHEDULES) {
      const workspace = { values: new Float64Array(program.size), lambda: new Float64Array(program.size) };
      const first = grad(program, { x: 2, y: -1, z: 0 }, { schedule, workspace });
      expect(first.values).toBe(workspace.values);
      const gradient = { ...first.gradient };
      const unread = grad(program, { x: 2, y: -1, z: 0 }, { schedule, workspace });
      grad(program, { x: 1, y: 1, z: 1 }, { schedule, workspace });
      expect(() => first.lambda).toThrow('which a later solve has overwritten');
      expect({ ...unread.gradient }).toEqual(gradient);
      expect(unread.value).toBe(first.value);
    }
  });

  it('times the solve', () => {
    const r = grad(parse('x * y'), { x: 1, y: 2 });
    expect(r.stats.timeMs).toBeGreaterThanOrEqual(0);
    expect(r.stats.timeMs).toBeLessThan(1000);
  });
});
