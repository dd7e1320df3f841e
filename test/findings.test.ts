import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, parseProgram } from '../src/index.ts';
import { kernelSource } from '../src/primitives/printKernels.ts';
import { useInterpreter } from '../src/primitives/codegen.ts';

// What the fuzzers of test/fuzz/ found, each fixed as a general rule and tested here on cases of
// its own (the fuzzers' counterexamples are among them, not all of them).

const lag = (text: string) => parseProgram(text, { file: 'p.lag' });

describe('a variadic constraint that lists itself (a self-loop through sum)', () => {
  // v = x + c·v, written with v repeated among sum's parents: dv/dx = 1/(1 − c), and y = v + x.
  const programs = [
    ['input x\nv = sum(x, v, v)\ny = v + x\noutput y', 2],
    ['input x\nv = sum(x, v)\ny = v + x\noutput y', 1],
    ['input x\nv = sum(0.2 * x, v, x, v, v)\ny = 3 * v + x\noutput y', 3],
  ] as const;

  it('gets the same tangents as its multipliers, from generated and interpreted kernels', () => {
    for (const [text, copies] of programs) {
      if (copies === 1) continue; // c = 1: singular, refused by every schedule (below)
      const program = lag(text);
      const reverse = grad(program, { x: 0.3 }, { schedule: 'reverse', multipliers: true });
      for (const interpreted of [false, true]) {
        useInterpreter(interpreted);
        try {
          for (const lanes of [1, 3]) {
            const forward = grad(program, { x: 0.3 }, { schedule: 'forward', lanes, multipliers: true });
            expect(forward.gradient.x).toBeCloseTo(reverse.gradient.x as number, 12);
            expect(forward.multipliers.v).toBeCloseTo(reverse.multipliers.v as number, 12);
          }
        } finally {
          useInterpreter(false);
        }
      }
    }
    // The closed form: y = v + x with v = x + 2v → v = −x, so dy/dx = 0.
    expect(grad(lag(programs[0][0]), { x: 0.3 }, { schedule: 'forward' }).gradient.x).toBeCloseTo(0, 14);
  });

  it('the lane sweep scales the row by its own partials before adding the other parents', () => {
    expect(kernelSource('lanes', { primitive: 'sum' })).toMatch(
      /if \(pa\[q\] !== i\) continue;[\s\S]*self \+=[\s\S]*T\[o \+ k\] \*= self[\s\S]*if \(pa\[q\] === i\) continue;/,
    );
  });

  it('a singular self-loop is refused alike by reverse, forward and dense', () => {
    const program = lag(programs[1][0]);
    // At x = 0 the fixed point v = v + x holds at v = 0 (the iteration's start), but not uniquely.
    for (const schedule of ['reverse', 'forward', 'dense'])
      expect(() => grad(program, { x: 0 }, { schedule })).toThrow(/cyclic component \{v\}: I − J is singular here/);
  });
});

describe('Jacobi on the multipliers', () => {
  it('does not stop before λ has crossed the program, however small the multipliers still on their way', () => {
    // λ_x = 1e-200 · 2 arrives at the second sweep; a normwise test after the first saw only 1e-200.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.constantFrom(1e-200, 1e-100, 1e-20, 1), (depth, scale) => {
        const lines = ['input x'];
        lines.push(`v0 = ${scale} * add(x, x)`);
        for (let k = 1; k < depth; k++) lines.push(`v${k} = ${scale} * sin(v${k - 1})`);
        lines.push(`output v${depth - 1}`);
        const program = lag(lines.join('\n'));
        const reverse = grad(program, { x: 0.25 }, { schedule: 'reverse', multipliers: true });
        const jacobi = grad(program, { x: 0.25 }, { schedule: 'iterative', method: 'jacobi', multipliers: true });
        expect(jacobi.lambda).toEqual(reverse.lambda);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses up front when the program is deeper than maxIterations', () => {
    const lines = [
      'input x',
      'v0 = sin(x)',
      ...Array.from({ length: 30 }, (_, k) => `v${k + 1} = sin(v${k})`),
      'output v30',
    ];
    expect(() =>
      grad(lag(lines.join('\n')), { x: 1 }, { schedule: 'iterative', method: 'jacobi', maxIterations: 10 }),
    ).toThrow(
      "schedule 'iterative': Jacobi needs at least 32 sweeps here (the longest chain of constraints), more than maxIterations = 10",
    );
  });
});

describe('dense and block-reverse judge a cyclic component singular the same way', () => {
  it('judge the pivots scaled: a component of gain 1e200 is not singular, one of gain 1 is, under every schedule alike', () => {
    // Singularity does not change when rows and columns are scaled; a pivot ratio of the raw I − J did
    // (gain 1e200 gave a pivot 1e-200 of the largest entry), and I − J and its transpose disagreed.
    const large = lag('input x\nv0 = add(x, v3)\nv2 = 1e200 * add(v0, x)\nv3 = add(x, v2)\ny = add(x, v0)\noutput y');
    for (const schedule of ['reverse', 'dense', 'forward'])
      expect(grad(large, { x: 0 }, { schedule }).gradient.x, schedule).toBe(0); // dv0/dx = (2 + 1e200)/(1 − 1e200) = −1 to rounding
    const one = lag('input x\nv0 = add(x, v3)\nv2 = add(v0, x)\nv3 = add(x, v2)\ny = add(x, v0)\noutput y');
    for (const schedule of ['reverse', 'dense', 'forward'])
      expect(() => grad(one, { x: 0 }, { schedule }), schedule).toThrow(/is singular here \(pivot ratio 0\)/);
    // Well conditioned once scaled (entries 1e8 and 1e-8, loop gain −1/φ²): forward no longer refuses what reverse solves.
    const units = lag(
      'input x0\ninput x1\nv0 = add(v4, x0)\nv1 = add(x1, v0)\nv3 = div(x0, v1)\nv4 = mul(x0, v3)\noutput v4',
    );
    const r = grad(units, { x0: 1e-8, x1: 1e-300 }).gradient;
    const f = grad(units, { x0: 1e-8, x1: 1e-300 }, { schedule: 'forward' }).gradient;
    expect(Math.abs((f.x0 as number) - (r.x0 as number))).toBeLessThan(1e-12);
    expect(Math.abs((f.x1 as number) - (r.x1 as number))).toBeLessThan(1e-12);
    const acyclic = lag('input x\nv0 = 1e200 * add(x, x)\nv1 = 1e-200 * sin(v0)\noutput v1');
    expect(grad(acyclic, { x: 1e-201 }, { schedule: 'dense' }).gradient.x).toBeCloseTo(
      grad(acyclic, { x: 1e-201 }).gradient.x as number,
      12,
    );
  });
});
