// An equilibrium layer on the iris flowers, trained by gradient descent on the gradient lagrad reads
// off the multipliers of the fixed point Z = tanh(Z @ W + X @ U + b) (examples/deq.lag; 150 samples
// × 32 units: one cyclic component of 4 × 4800 slots, its multipliers by Christianson's iteration
// on VJPs where the forward sweeps contract fast, by GMRES where they do not).
// Then, at the trained parameters, side by side:
//   - the multipliers against backprop through k unrolled sweeps of the layer (error and bytes held
//     against k: the unrolled program stores every sweep),
//   - the gradient against central finite differences (along a random direction, and entry by entry
//     for the biases).
// Run: npx tsx examples/deq.ts [--quick] [--hidden N]
import { parseArgs } from 'node:util';
import { Matrix } from 'ml-matrix';
import { evaluate, grad, unroll, withInit, type GradResult, type Program } from '../src/index.ts';
import {
  deqProgram,
  entries,
  flatGradient,
  limitNorm,
  PARAMETERS,
  relativeError,
  startingParameters,
  type Parameters,
} from './lib/deq-model.ts';
import { irisData } from './lib/iris-data.ts';
import { normal } from './lib/seeded.ts';

const { values: flags } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, hidden: { type: 'string', default: '32' } },
});
const hidden = Number(flags.hidden);
if (!(Number.isInteger(hidden) && hidden >= 1)) throw new Error('--hidden: a positive integer');
const EPOCHS = flags.quick ? 40 : 300;
const LEARNING_RATE = 1;
/** ‖W‖ (largest column sum of |W|) is kept at or below this: the layer contracts. */
const CONTRACTION = 0.9;

const data = irisData();
const { samples, features } = data;
const classes = data.classes.length;
const program = deqProgram(samples, features, hidden, classes);
const params = startingParameters(features, hidden, classes, 1, 0.5);
const point = (p: Parameters) => ({ X: data.X, Y: data.Y, ...p });
const GRAD = { wrt: [...PARAMETERS] } as const;

/** The share of samples whose largest logit is their class. */
function accuracy(r: GradResult): number {
  const logits = r.valueOf('logits') as Matrix;
  let right = 0;
  for (let i = 0; i < samples; i++) {
    const row = logits.getRow(i);
    if (row.indexOf(Math.max(...row)) === data.labels[i]) right++;
  }
  return right / samples;
}

/** How the multipliers were found: `fixed-point, 12` (Christianson's iteration, 12 sweeps) or `gmres, 9`. */
const adjoint = (r: GradResult) => {
  const record = r.convergence?.find((c) => c.quantity === 'multipliers');
  return record ? `${record.method}, ${record.iterations}` : 'direct';
};
const ms = (t: number) => (t >= 10 ? t.toFixed(0) : t.toFixed(1));
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

// ── training ─────────────────────────────────────────────────────────────────────────────────────
console.log(
  `Equilibrium layer on iris: ${samples} samples, ${features} features → ${hidden} units (Z = tanh(Z W + X U + b)) → ${classes} classes`,
);
console.log(
  `full-batch gradient descent, ${EPOCHS} epochs, learning rate ${LEARNING_RATE}, ‖W‖ ≤ ${CONTRACTION}; each step warm-starts Z from the last fixed point\n`,
);
console.log('epoch   loss     accuracy  forward sweeps  multipliers by      ms/grad');
let warm: Matrix | null = null;
let last: GradResult | null = null;
const started = performance.now();
for (let epoch = 0; epoch <= EPOCHS; epoch++) {
  const t = performance.now();
  const r = grad(warm ? withInit(program, { Z: warm }) : program, point(params), GRAD);
  const took = performance.now() - t;
  if (epoch % Math.max(1, EPOCHS / 10) === 0 || epoch === EPOCHS) {
    console.log(
      `${String(epoch).padStart(5)}   ${r.value.toFixed(4)}   ${(100 * accuracy(r)).toFixed(1).padStart(5)}%  ${String(r.stats.primalIterations).padStart(14)}  ${adjoint(r).padEnd(16)}  ${ms(took).padStart(7)}`,
    );
  }
  last = r;
  if (epoch === EPOCHS) break;
  warm = r.valueOf('Z') as Matrix;
  for (const name of PARAMETERS) {
    const g = entries(r.gradient[name]);
    const p = params[name];
    for (let e = 0; e < p.length; e++) p[e] -= LEARNING_RATE * g[e];
  }
  limitNorm(params.W, hidden, CONTRACTION);
}
console.log(
  `trained in ${((performance.now() - started) / 1000).toFixed(1)} s: loss ${last!.value.toFixed(4)}, training accuracy ${(100 * accuracy(last!)).toFixed(1)}%\n`,
);

// ── multipliers against k unrolled sweeps ────────────────────────────────────────────────────────
// From the cold start Z = 0, as the unrolled program starts. Bytes held: the values, the
// multipliers (one per value: reverse keeps both) and the solver's own work arrays (GMRES basis,
// sweep scratch), all counted by the solve.
const at = point(params);
const implicit = grad(program, at, GRAD);
const reference = flatGradient(implicit.gradient);
const held = (r: GradResult) => r.stats.peakBytes + 8 * r.program.slots + (r.stats.solverBytes ?? 0);
/** The gradient and its CPU time (process.cpuUsage; the machine may be shared), least of five runs after a warm-up. */
const timed = (p: Program, options: object) => {
  let r = grad(p, at, options);
  let least = Infinity;
  for (let run = 0; run < 5; run++) {
    const t = process.cpuUsage();
    r = grad(p, at, options);
    const used = process.cpuUsage(t);
    least = Math.min(least, (used.user + used.system) / 1000);
  }
  return { r, ms: least };
};
const solved = timed(program, GRAD);
console.log(`The gradient at the trained parameters: multipliers against backprop through k sweeps (from Z = 0)`);
console.log(
  `the fixed-point solve took ${implicit.stats.primalIterations} sweeps (rate ${implicit.convergence![0].rate.toFixed(3)}); the multipliers ${adjoint(implicit)} iterations (rate ${implicit.stats.rate!.toFixed(3)})\n`,
);
console.log('gradient            k   rel. error vs multipliers     values         λ  solver work      total  CPU ms');
const row = (name: string, k: string, error: string, r: GradResult, time: number) =>
  console.log(
    `${name.padEnd(18)} ${k.padStart(3)}   ${error.padStart(25)}   ${kib(r.stats.peakBytes).padStart(9)}  ${kib(8 * r.program.slots).padStart(9)}  ${kib(r.stats.solverBytes ?? 0).padStart(11)}  ${kib(held(r)).padStart(9)}  ${ms(time).padStart(6)}`,
  );
row('multipliers', '–', '(reference)', solved.r, solved.ms);
for (const k of flags.quick ? [1, 4, 16] : [1, 2, 4, 8, 16, 32, 64]) {
  const unrolled = timed(unroll(program, k), { schedule: 'reverse', ...GRAD });
  row(
    'unrolled backprop',
    String(k),
    relativeError(flatGradient(unrolled.r.gradient), reference).toExponential(2),
    unrolled.r,
    unrolled.ms,
  );
}

// ── against finite differences ───────────────────────────────────────────────────────────────────
// Along a random direction d over all parameters: ⟨∇L, d⟩ against (L(θ + εd) − L(θ − εd)) / 2ε, each
// L a fixed-point solve; and entry by entry for the biases b and c by the fd schedule.
const draw = normal(7);
const direction = Object.fromEntries(
  PARAMETERS.map((p) => [p, Float64Array.from(params[p], () => draw())]),
) as Parameters;
const moved = (s: number) =>
  Object.fromEntries(
    PARAMETERS.map((p) => [p, Float64Array.from(params[p], (v, e) => v + s * direction[p][e])]),
  ) as Parameters;
const eps = 1e-5;
const central = (evaluate(program, point(moved(eps))) - evaluate(program, point(moved(-eps)))) / (2 * eps);
const flatDirection = Float64Array.from(PARAMETERS.flatMap((p) => Array.from(direction[p])));
const slope = reference.reduce((s, g, e) => s + g * flatDirection[e], 0);
console.log(
  `\nalong a random direction d: ⟨∇L, d⟩ = ${slope.toPrecision(12)}, central difference (ε = ${eps}) ${central.toPrecision(12)}, relative difference ${(Math.abs(slope - central) / Math.abs(slope)).toExponential(1)}`,
);
const fd = grad(program, at, { schedule: 'fd', wrt: ['b', 'c'] });
const byEntry = (name: 'b' | 'c') => relativeError(entries(fd.gradient[name]), entries(implicit.gradient[name]));
console.log(
  `entry by entry (fd schedule, ${hidden + classes} entries of b and c): relative difference ${byEntry('b').toExponential(1)} (b), ${byEntry('c').toExponential(1)} (c)`,
);
