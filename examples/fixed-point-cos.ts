// v = cos(v) + t: a value defined implicitly, by a fixed point. The gradient of the fixed point
// from its multiplier — one 2×2 solve at v* — against backprop through k iterations of the loop
// that finds it, and against finite differences. Run: npx tsx examples/fixed-point-cos.ts
import { readFileSync } from 'node:fs';
import { evaluate, parseProgram, ProgramBuilder, unroll, type Program } from '../src/index.ts';
import { explain } from './implicit.ts';

const program = parseProgram(readFileSync(new URL('./fixed-point.lag', import.meta.url), 'utf8'), {
  file: 'fixed-point.lag',
});

/** v_k after k steps of v ← cos(v) + t from v_0 = 1 (the file's init), recorded with the builder. */
function unrolled(k: number): Program {
  const b = new ProgramBuilder();
  const t = b.input('t', 0);
  let v = b.constant(1);
  for (let step = 0; step < k; step++) v = b.apply('add', b.apply('cos', v), t);
  return b.name(v, 'v').output(v).build();
}

// The Dottie number, the solution of cos v = v (OEIS A003957).
const dottie = 0.7390851332151607;
console.log('v = cos(v) + t at t = 0  (examples/fixed-point.lag)\n');
console.log(`v* = ${evaluate(program)}   (the Dottie number: ${dottie})`);
console.log(
  `the builder's unrolled loop and unroll(program, k) compute the same v_k: ${[1, 5, 30].every((k) => evaluate(unrolled(k)) === evaluate(unroll(program, k)))}`,
);
explain({
  program,
  input: 't',
  unrolled,
  closedForm: { value: 1 / (1 + Math.sin(dottie)), formula: 'dv/dt = 1 / (1 + sin v*) = 0.597510045675303…' },
});
console.log('\nUnrolled backprop converges to the implicit gradient only as fast as the loop itself (error ~ 0.67^k),');
console.log('holding every iterate; the multiplier needs the fixed point and one solve of order 2.');
