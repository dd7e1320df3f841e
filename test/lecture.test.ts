import { describe, expect, it } from 'vitest';
import { grad, parse, evaluate } from '../src/index.ts';

// Reference values: the lecture's f(x, y, z) = z + sin(x² + y·exp(z)) at (2, −1, 0). Closed form:
// f = sin(3), ∂f/∂x = 2x·cos(d) = 4cos 3, ∂f/∂y = e^z·cos(d) = cos 3, ∂f/∂z = 1 + y·e^z·cos(d) = 1 − cos 3.
const at = { x: 2, y: -1, z: 0 };
const closedForm = { x: 4 * Math.cos(3), y: Math.cos(3), z: 1 - Math.cos(3) };

describe('the lecture example', () => {
  const program = parse('z + sin(x^2 + y*exp(z))');
  it('evaluates to sin 3', () => {
    expect(evaluate(program, at)).toBeCloseTo(Math.sin(3), 15);
  });
  for (const schedule of ['reverse', 'forward', 'auto']) {
    it(`${schedule} gives the closed-form gradient`, () => {
      const r = grad(program, at, { schedule });
      for (const [name, g] of Object.entries(closedForm)) expect(r.gradient[name]).toBeCloseTo(g, 14);
    });
  }
});
