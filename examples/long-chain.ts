// A chain of 10⁷ steps x_{k+1} = sin(x_k), built through the API and differentiated in bounded
// memory: binomial checkpointing (revolve) with 100 snapshot slots holds at most 100 snapshots and
// a working frame of two values, where plain reverse holds all 10⁷ values and multipliers.
//
//   npx tsx examples/long-chain.ts [revolve | store-all | reverse] [steps] [snapshots]
//
// Measure resident memory with /usr/bin/time -v (README, "Checkpointing").
import { checkpointGrad, grad, Program, ProgramBuilder } from '../src/index.ts';
import { sineChain } from './lib/sineChain.ts';

const args = process.argv.slice(2);
const parts = args.includes('--parts');
const [mode = 'revolve', stepsText = '10000000', snapshotsText = '100'] = args.filter((a) => a !== '--parts');
const steps = Number(stepsText);
const snapshots = Number(snapshotsText);
if (!['revolve', 'store-all', 'reverse'].includes(mode) || !Number.isSafeInteger(steps) || steps < 1) {
  console.error('usage: npx tsx examples/long-chain.ts [revolve | store-all | reverse] [steps] [snapshots] [--parts]');
  process.exit(1);
}

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** Through the builder, presized for the chain (unsized, its arrays grow by doubling and building peaks higher). */
function viaBuilder(): Program {
  const b = new ProgramBuilder(undefined, steps + 1);
  let x = b.input('x', 1.2);
  for (let k = 0; k < steps; k++) x = b.apply('sin', x);
  return b.output(x).build();
}

let start = performance.now();
const program = parts ? sineChain(steps) : viaBuilder();
console.log(
  `built ${steps} steps in ${(performance.now() - start).toFixed(0)} ms; the program's arrays take ${megabytes(program.bytes)}`,
);

start = performance.now();
const result =
  mode === 'reverse'
    ? grad(program, {}, { schedule: 'reverse' })
    : checkpointGrad(program, {}, mode === 'revolve' ? { strategy: 'revolve', snapshots } : { strategy: 'store-all' });
const ms = performance.now() - start;

// The closed form of the chain, step by step: x_{k+1} = sin x_k, dx_l/dx_0 = Π cos x_k.
let v = 1.2;
let derivative = 1;
for (let k = 0; k < steps; k++) {
  derivative *= Math.cos(v);
  v = Math.sin(v);
}

const { stats } = result;
console.log(
  `${mode}: value ${result.value}, gradient ${result.gradient.x} (closed form ${derivative}) in ${ms.toFixed(0)} ms`,
);
console.log(`  primitive evaluations ${stats.primitiveEvaluations}, advances ${stats.advances ?? 0}`);
console.log(`  peak snapshots ${stats.peakSnapshots ?? 0}, peak values held ${stats.peakValues}`);
console.log(`  resident now ${megabytes(process.memoryUsage().rss)}`);
