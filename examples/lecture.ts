// The lecture example, f(x, y, z) = z + sin(x² + y·exp(z)) at (2, −1, 0): the values the
// constraints define, and the multipliers two different schedules solve for — side by side.
// Run: npm start   (or npx tsx examples/lecture.ts)
import { readFileSync } from 'node:fs';
import { grad, parseProgram } from '../src/index.ts';

const file = new URL('./lecture.lag', import.meta.url);
const text = readFileSync(file, 'utf8');
const program = parseProgram(text, { file: 'lecture.lag' });
const lines = text.split('\n');
const reverse = grad(program, {}, { schedule: 'reverse' });
const forward = grad(program, {}, { schedule: 'forward', multipliers: true });

const pad = (s: string, n: number) => s.padEnd(n);
const num = (x: number) => x.toFixed(10).padStart(14);

console.log('f(x, y, z) = z + sin(x² + y·exp(z)) at (x, y, z) = (2, −1, 0)\n');
console.log('Every variable is bound by one constraint v_i = p_i(parents); its multiplier λ_i solves');
console.log("λ_j = w_j + Σ_i λ_i ∂p_i/∂v_j and is the adjoint ∂f/∂v_j. Inputs' multipliers are the gradient.\n");
console.log(
  `${pad('variable', 10)}${pad('constraint', 16)}${'value'.padStart(14)}  ${'λ (reverse)'.padStart(14)}  ${'λ (forward)'.padStart(14)}`,
);
/** The right-hand side of a variable's line in lecture.lag. */
const definition = (i: number) => lines[program.source!.line[i] - 1].split('=')[1].trim();
for (const [name, i] of [...program.names].sort((p, q) => p[1] - q[1])) {
  const constraint = i < program.inputCount ? 'input' : definition(i);
  console.log(
    `${pad(name, 10)}${pad(constraint, 16)}${num(reverse.values[i])}  ${num(reverse.lambda[i])}  ${num(forward.lambda[i])}`,
  );
}
console.log(`\nvalue     f = ${reverse.value.toFixed(10)}`);
// Every variable here is a scalar, so each gradient entry is a number.
const byReverse = reverse.gradient as Record<string, number>;
const byForward = forward.gradient as Record<string, number>;
console.log(
  'gradient  ' +
    ['x', 'y', 'z'].map((n) => `∂f/∂${n} = ${byReverse[n].toFixed(4)}`).join('   ') +
    '   (reverse: back-substitution)',
);
console.log(
  '          ' +
    ['x', 'y', 'z'].map((n) => `∂f/∂${n} = ${byForward[n].toFixed(4)}`).join('   ') +
    '   (forward: tangent sweeps)',
);
const worst = Math.max(...Object.keys(byReverse).map((n) => Math.abs(byReverse[n] - byForward[n])));
console.log(`\nlargest difference between the schedules' gradients: ${worst.toExponential(1)}`);
console.log(
  `cost: reverse ${reverse.stats.primitiveEvaluations} evaluations + ${reverse.stats.partialEvaluations} partials in ${reverse.stats.sweeps} sweeps; ` +
    `forward ${forward.stats.primitiveEvaluations} + ${forward.stats.partialEvaluations} in ${forward.stats.sweeps} sweeps (λ of every intermediate costs forward mode one lane each)`,
);
