import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { certify } from '../src/lagrangian/certificate.ts';
import {
  absoluteAdjoint,
  dualResiduals,
  localPartials,
  partialsProduct,
  partialsTransposeProduct,
  primalResiduals,
} from '../src/lagrangian/kkt.ts';
import { evaluateAll, grad, parse, resolveWeights, type Program } from '../src/index.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// The lecture's f = z + sin(x² + y·exp(z)) at (2, −1, 0) with its intermediates named; the local
// partials in closed form: ∂a/∂x = 2x = 4, ∂b/∂z = e^z = 1, ∂c/∂(y, b) = (b, y) = (1, −1),
// ∂d/∂(a, c) = (1, 1), ∂e/∂d = cos 3, ∂g/∂(z, e) = (1, 1).
const lecture = parse(
  'input x = 2\ninput y = -1\ninput z = 0\na = x^2\nb = exp(z)\nc = y * b\nd = a + c\ne = sin(d)\ng = z + e\noutput g',
);
const index = (name: string) => lecture.indexOf(name);

/** J as a dense N×N array from the CSR partials (duplicates added). */
function denseJ(program: Program, J: Float64Array): number[][] {
  const M = Array.from({ length: program.size }, () => new Array<number>(program.size).fill(0));
  for (let i = program.inputCount; i < program.size; i++) {
    for (let e = program.parentStart[i]; e < program.parentStart[i + 1]; e++) M[i][program.parents[e]] += J[e];
  }
  return M;
}

describe('local partials J', () => {
  it('match the closed forms on the lecture example, row by row in parent order', () => {
    const values = evaluateAll(lecture);
    const J = denseJ(lecture, localPartials(lecture, values));
    expect(J[index('a')][index('x')]).toBe(4);
    expect(J[index('b')][index('z')]).toBe(1);
    expect(J[index('c')][index('y')]).toBe(1);
    expect(J[index('c')][index('b')]).toBe(-1);
    expect(J[index('d')][index('a')]).toBe(1);
    expect(J[index('e')][index('d')]).toBe(Math.cos(3));
    expect(J[index('g')][index('z')]).toBe(1);
    expect(J[index('g')][index('e')]).toBe(1);
    const nonzeros = J.flat().filter((x) => x !== 0).length;
    expect(nonzeros).toBe(lecture.parents.length);
  });

  it('add up a parent listed twice (x·x has ∂/∂x = 2x)', () => {
    const p = parse('x * x');
    const values = evaluateAll(p, { x: 3 });
    expect(denseJ(p, localPartials(p, values))[p.size - 1][0]).toBe(6);
  });
});

describe('primal residuals r = v − p(v)', () => {
  it('are exactly zero after the forward solve and equal a perturbation of one value', () => {
    const values = evaluateAll(lecture);
    expect(Array.from(primalResiduals(lecture, values)).every((r) => r === 0)).toBe(true);
    values[index('d')] += 1e-3;
    const r = primalResiduals(lecture, values);
    expect(r[index('d')]).toBeCloseTo(1e-3, 15);
    // e = sin(d) now disagrees with the moved d: r_e = sin 3 − sin(3 + 10⁻³).
    expect(r[index('e')]).toBeCloseTo(Math.sin(3) - Math.sin(3 + 1e-3), 15);
    expect(r[index('a')]).toBe(0);
  });
});

describe('dual residual (I − J)ᵀλ − w', () => {
  const values = evaluateAll(lecture);
  const weights = resolveWeights(lecture);
  const J = localPartials(lecture, values);
  const lambda = grad(lecture, {}, { schedule: 'reverse' }).lambda;

  it('vanishes at the multipliers reverse computes', () => {
    const d = dualResiduals(lecture, J, lambda, weights);
    expect(Math.max(...Array.from(d, Math.abs))).toBeLessThan(1e-15);
  });

  it('shows a perturbed multiplier at its variable and, through J, at its parents', () => {
    const wrong = Float64Array.from(lambda);
    wrong[index('c')] += 0.5;
    const d = dualResiduals(lecture, J, wrong, weights);
    expect(d[index('c')]).toBeCloseTo(0.5, 15);
    // c = y·b: row y gains −J_cy·0.5 = −b·0.5, row b gains −J_cb·0.5 = −y·0.5.
    expect(d[index('y')]).toBeCloseTo(-0.5, 15);
    expect(d[index('b')]).toBeCloseTo(0.5, 15);
    expect(d[index('a')]).toBeCloseTo(0, 15);
  });

  it('is −w for λ = 0 (the sign convention of lagrangian.ts)', () => {
    const d = dualResiduals(lecture, J, new Float64Array(lecture.size), weights);
    expect(d[index('g')]).toBe(-1);
    expect(Array.from(d).filter((x) => x !== 0)).toHaveLength(1);
  });
});

describe('products J v̇ and Jᵀλ', () => {
  it('equal the dense matrix products on random programs (tangent and reverse kernels against the partials kernel)', () => {
    fc.assert(
      fc.property(arbitraryProgram(), fc.integer({ min: 1, max: 1e6 }), (r, s) => {
        const { program } = r;
        const values = evaluateAll(program, r.inputs);
        const partials = localPartials(program, values);
        const M = denseJ(program, partials);
        const v = Float64Array.from({ length: program.size }, (_, i) => Math.sin(s + 3 * i));
        const Jv = partialsProduct(program, values, v);
        const JTv = partialsTransposeProduct(program, values, v);
        // Rounding scale: the sum of |term| over every edge, before a parent listed twice has its
        // two partials combined (x − x cancels in M but not along the way in a sweep).
        const rowSize = new Float64Array(program.size);
        const columnSize = new Float64Array(program.size);
        for (let i = 0; i < program.size; i++) {
          for (let e = program.parentStart[i]; e < program.parentStart[i + 1]; e++) {
            const j = program.parents[e];
            rowSize[i] += Math.abs(partials[e] * v[j]);
            columnSize[j] += Math.abs(partials[e] * v[i]);
          }
        }
        for (let i = 0; i < program.size; i++) {
          let row = 0;
          let column = 0;
          for (let j = 0; j < program.size; j++) {
            row += M[i][j] * v[j];
            column += M[j][i] * v[j];
          }
          expect(Math.abs(Jv[i] - row)).toBeLessThanOrEqual(1e-14 * rowSize[i]);
          expect(Math.abs(JTv[i] - column)).toBeLessThanOrEqual(1e-14 * columnSize[i]);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('refuses to apply J in place (that sweep would solve (I − J)v̇ instead)', () => {
    const values = evaluateAll(lecture);
    expect(() => partialsProduct(lecture, values, values, values)).toThrow(/different arrays/);
  });
});

describe('KKT certificate on random acyclic programs', () => {
  it('reverse multipliers: primal and dual residuals below 1e-12, dot-product test to 1e-12', () => {
    fc.assert(
      fc.property(arbitraryProgram(), fc.nat(), (r, seed) => {
        const g = grad(r.program, r.at, { schedule: 'reverse', weights: r.weights });
        const weights = resolveWeights(r.program, undefined, r.weights);
        const c = certify(r.program, g.values, g.lambda, weights, { seed });
        expect(c.primal.value).toBeLessThan(1e-12);
        expect(c.dual.value).toBeLessThan(1e-12);
        expect(c.dotProduct.value).toBeLessThan(1e-12);
        expect(c.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fails the dual residual at any one multiplier moved by 1e-9 of its scale μ_j', () => {
    fc.assert(
      fc.property(arbitraryProgram(), fc.nat(), (r, pick) => {
        const g = grad(r.program, r.at, { schedule: 'reverse', weights: r.weights });
        const weights = resolveWeights(r.program, undefined, r.weights);
        const mu = absoluteAdjoint(r.program, localPartials(r.program, g.values), weights);
        const j = pick % r.program.size;
        const wrong = Float64Array.from(g.lambda);
        wrong[j] += 1e-9 * Math.max(mu[j], 1);
        const c = certify(r.program, g.values, wrong, weights);
        expect(c.dual.ok).toBe(false);
        expect(c.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('μ bounds every multiplier: |λ_j| ≤ μ_j', () => {
    fc.assert(
      fc.property(arbitraryProgram(), (r) => {
        const g = grad(r.program, r.at, { schedule: 'reverse', weights: r.weights });
        const mu = absoluteAdjoint(
          r.program,
          localPartials(r.program, g.values),
          resolveWeights(r.program, undefined, r.weights),
        );
        for (let j = 0; j < r.program.size; j++) expect(Math.abs(g.lambda[j])).toBeLessThanOrEqual(mu[j] * (1 + 1e-12));
      }),
      { numRuns: 100 },
    );
  });
});
