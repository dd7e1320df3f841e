// A small equilibrium ("deep equilibrium") layer, v = tanh(W v + x) over eight scalar variables,
// read out by y = Σ c_i v_i. The gradient ∂y/∂x from the multipliers of the fixed point, against
// backprop through k iterations of the layer, finite differences, and the implicit function
// theorem written out with ml-matrix: ∂y/∂x = cᵀ(I − D W)⁻¹ D, D = diag(1 − v²).
// Run: npx tsx examples/equilibrium.ts   (examples/equilibrium.lag is a three-unit version for the CLI)
import { Matrix, solve } from 'ml-matrix';
import { evaluateAll, grad, ProgramBuilder } from '../src/index.ts';
import { explain } from './implicit.ts';

const n = 8;
let seed = 2024;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
// Rows of W scaled to Σ_j |W_ij| = 0.9: the layer is a contraction (|tanh'| ≤ 1).
const W = Array.from({ length: n }, () => Array.from({ length: n }, random));
for (const row of W) {
  const total = row.reduce((s, x) => s + Math.abs(x), 0);
  row.forEach((x, j) => (row[j] = (0.9 * x) / total));
}
const c = Array.from({ length: n }, random);
const at = Object.fromEntries(Array.from({ length: n }, (_, i) => [`x${i}`, random()]));

const b = new ProgramBuilder();
const x = Array.from({ length: n }, (_, i) => b.input(`x${i}`));
const v: number[] = [];
for (let i = 0; i < n; i++) {
  const terms = W[i].map((w, j) => b.apply('scale', b.placeholder(j), undefined, w));
  const vi = b.apply('tanh', b.apply('add', b.applyMany('sum', terms), x[i]));
  b.name(vi, `v${i}`);
  v.push(vi);
}
b.resolve((j) => v[j]);
const y = b.applyMany(
  'sum',
  v.map((vi, i) => b.apply('scale', vi, undefined, c[i])),
);
const program = b.name(y, 'y').output(y).build();

// The implicit function theorem by hand: (I − D W)ᵀ μ = c, ∂y/∂x = D μ. (The built program is
// renumbered into evaluation order, so its variables are found by name.)
const values = evaluateAll(program, at);
const D = Matrix.diag(Array.from({ length: n }, (_, i) => 1 - values[program.indexOf(`v${i}`)] ** 2));
const mu = solve(
  Matrix.eye(n)
    .sub(D.mmul(new Matrix(W)))
    .transpose(),
  Matrix.columnVector(c),
);
const closed = D.mmul(mu).to1DArray();

console.log(`v = tanh(W v + x), ${n} units, Σ_j |W_ij| = 0.9; y = Σ c_i v_i\n`);
explain({
  program,
  at,
  input: 'x0',
  ks: [1, 2, 4, 8, 16, 32, 64],
  closedForm: { value: closed[0], formula: 'cᵀ(I − D W)⁻¹ D by LU' },
});
const all = grad(program, at).gradient as Record<string, number>;
const worst = Math.max(...closed.map((g, i) => Math.abs(g - all[`x${i}`])));
console.log(
  `\nall ${n} inputs: largest difference between the multipliers and the implicit function theorem ${worst.toExponential(1)}`,
);
