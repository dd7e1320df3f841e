// What the cyclic examples print: a fixed point's gradient three ways — from the multipliers (the
// implicit solve: block-reverse and the iterative schedules), from backprop through k unrolled
// iterations for growing k, and from finite differences — with the counted costs of each.
// Run on its own it shows them on Kepler's equation E = M + e·sin E (the eccentric anomaly E of an
// orbit from its mean anomaly M), whose derivative dE/dM = 1/(1 − e·cos E) is known in closed form.
// Run: npx tsx examples/implicit.ts
import { fileURLToPath } from 'node:url';
import { evaluate, grad, parseProgram, unroll, type Point, type Program } from '../src/index.ts';

export interface Demo {
  readonly program: Program;
  readonly at?: Point;
  /** The input whose derivative the tables follow. */
  readonly input: string;
  /** The closed form of that derivative, if there is one, and its formula. */
  readonly closedForm?: { readonly value: number; readonly formula: string };
  /** The program that runs k iterations instead of solving (default: `unroll(program, k)`). */
  readonly unrolled?: (k: number) => Program;
  readonly ks?: readonly number[];
}

const num = (x: number) => x.toPrecision(15).padStart(20);
const sci = (x: number) => (x === 0 ? '0' : x.toExponential(1)).padStart(9);
const int = (x: number, width = 10) => String(x).padStart(width);

/** Prints the comparison; returns the implicit gradient of `input`. */
export function explain(demo: Demo): number {
  const { program, at = {}, input } = demo;
  const implicit = grad(program, at, { schedule: 'auto' });
  const g = implicit.gradient[input] as number;
  const s = implicit.stats;
  const forward = implicit.solution.convergence?.filter((c) => c.quantity === 'values') ?? [];
  console.log(
    `value ${implicit.value}  (${forward.map((c) => `{${c.variables}}: ${c.iterations} ${c.method} iterations, rate ${c.rate.toFixed(3)}`).join('; ')})\n`,
  );

  console.log(`implicit: the multipliers solve (I − J)ᵀλ = w, each cyclic component as one block`);
  console.log(
    `  ∂/∂${input} = ${num(g)}   block-reverse: ${s.partialEvaluations} partial evaluations, ${s.directSolves ?? 0} dense LU solve(s), ${s.peakValues} values held`,
  );
  for (const method of ['gauss-seidel', 'jacobi', 'fixed-point', 'gmres'] as const) {
    try {
      const r = grad(program, at, { schedule: 'iterative', method });
      console.log(
        `  ∂/∂${input} = ${num(r.gradient[input] as number)}   iterative ${method.padEnd(12)}: ${int(r.stats.iterations, 4)} iterations, rate ${r.stats.rate.toFixed(3)}, ${r.stats.partialEvaluations} partial evaluations`,
      );
    } catch (e) {
      console.log(`  iterative ${method}: ${(e as Error).message}`);
    }
  }

  console.log(`\nunrolled: backprop through k iterations from the init values (the program grows with k)`);
  console.log(
    `  ${'k'.padStart(4)}  ${`∂/∂${input}`.padStart(20)}  ${'error'.padStart(9)}  ${'evaluations'.padStart(11)}  ${'partials'.padStart(10)}  ${'values held'.padStart(11)}`,
  );
  for (const k of demo.ks ?? [1, 2, 4, 8, 16, 32, 64, 128]) {
    const r = grad(demo.unrolled ? demo.unrolled(k) : unroll(program, k), at, { schedule: 'reverse' });
    const u = r.gradient[input] as number;
    console.log(
      `  ${int(k, 4)}  ${num(u)}  ${sci(Math.abs(u - g))}  ${int(r.stats.primitiveEvaluations, 11)}  ${int(r.stats.partialEvaluations)}  ${int(r.stats.peakValues, 11)}`,
    );
  }
  console.log(
    `  (implicit: ${s.primitiveEvaluations} evaluations to find the fixed point, then ${s.partialEvaluations} partials and ${s.peakValues} values, whatever k)`,
  );

  const fd = grad(program, at, { schedule: 'fd' });
  console.log(
    `\nfinite differences  ∂/∂${input} = ${num(fd.gradient[input] as number)}   error ${sci(Math.abs((fd.gradient[input] as number) - g))} (estimate ${sci(fd.stats.errorEstimate)})`,
  );
  if (demo.closedForm)
    console.log(
      `closed form         ∂/∂${input} = ${num(demo.closedForm.value)}   ${demo.closedForm.formula}; implicit error ${sci(Math.abs(demo.closedForm.value - g))}`,
    );
  return g;
}

/** Kepler's equation at e = 0.5, M = 1, from E = M. */
function kepler(): void {
  const program = parseProgram('input M = 1\ninput e = 0.5\ninit E = 1\nE = M + e * sin(E)\noutput E', {
    file: 'kepler.lag',
  });
  const anomaly = evaluate(program);
  console.log(`Kepler's equation E = M + e·sin E at M = 1, e = 0.5 (init E = 1)\n`);
  explain({
    program,
    input: 'M',
    ks: [1, 2, 4, 8, 16, 32, 64],
    closedForm: { value: 1 / (1 - 0.5 * Math.cos(anomaly)), formula: 'dE/dM = 1/(1 − e·cos E)' },
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) kepler();
