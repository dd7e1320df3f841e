import { describe, expect, it } from 'vitest';
import { grad, parseProgram, ProgramBuilder } from '../src/index.ts';

// Nothing recursive: a chain of 10⁶ constraints builds, orders, evaluates and differentiates.
// v_{k+1} = sin(v_k): the derivative is the product of cos(v_k) along the chain (closed form).
const N = 1_000_000;

function closedForm(x: number, steps: number): { value: number; derivative: number } {
  let v = x;
  let derivative = 1;
  for (let k = 0; k < steps; k++) {
    derivative *= Math.cos(v);
    v = Math.sin(v);
  }
  return { value: v, derivative };
}

describe('a chain of 10⁶ constraints', () => {
  const expected = closedForm(1.2, N);

  it('through the builder, under reverse and forward', { timeout: 60_000 }, () => {
    const b = new ProgramBuilder();
    let v = b.input('x');
    for (let k = 0; k < N; k++) v = b.apply('sin', v);
    const program = b.output(v).build();
    expect(program.constraintCount).toBe(N);
    for (const schedule of ['reverse', 'forward']) {
      const r = grad(program, { x: 1.2 }, { schedule });
      expect(r.value).toBe(expected.value);
      expect((r.gradient.x as number) / expected.derivative).toBeCloseTo(1, 12);
    }
  });

  it('through a 10⁶-line .lag text whose lines come in reverse order', { timeout: 120_000 }, () => {
    // Reverse order makes every name a forward reference, so ordering (iterative Tarjan) does the work.
    const lines = ['output v' + N];
    for (let k = N; k >= 1; k--) lines.push(`v${k} = sin(v${k - 1})`);
    lines.push('input v0 = 1.2');
    const program = parseProgram(lines.join('\n'), { file: 'chain.lag' });
    expect(program.size).toBe(N + 1);
    const r = grad(program);
    expect(r.value).toBe(expected.value);
    expect((r.gradient.v0 as number) / expected.derivative).toBeCloseTo(1, 12);
  });
});
