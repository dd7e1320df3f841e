// The memory probe, run as a child process of the benchmark (under /usr/bin/time -v when present):
//   node --expose-gc --import tsx bench/memory.ts SIZE program|reverse
// Both modes build the same random program straight into exactly sized arrays (no builder, no
// intermediate copy, so nothing before `reverse` peaks above the program itself); `reverse` then
// differentiates it once with fresh buffers. The difference of the two runs' peak resident sets is
// what `reverse` needs beyond the program. Prints one JSON line.
import { pathToFileURL } from 'node:url';
import { grad, Program, primitives } from '../src/index.ts';
import { binary, eachRandomConstraint, inputNames, OP_NAMES } from './dag.ts';

export const INPUTS = 8;
export const SEED = 20261126;

/** The random program of (size, INPUTS, SEED) as a Program, built with two streaming passes. */
export function directProgram(size: number): { program: Program; x: Float64Array } {
  let edges = 0;
  eachRandomConstraint(size, INPUTS, SEED, (_i, op) => (edges += binary(op) ? 2 : 1));
  const codes = OP_NAMES.map((name) => primitives.code(name));
  const ops = new Int32Array(size);
  const parentStart = new Int32Array(size + 1);
  const parents = new Int32Array(edges);
  const constants = new Float64Array(size);
  let e = 0;
  const x = eachRandomConstraint(size, INPUTS, SEED, (i, op, a, b, c) => {
    ops[i] = codes[op];
    constants[i] = c;
    parents[e++] = a;
    if (b >= 0) parents[e++] = b;
    parentStart[i + 1] = e;
  });
  const names = new Map(inputNames(INPUTS).map((name, k) => [name, k]));
  return { program: Program.from({ ops, parentStart, parents, constants, outputs: [size - 1], names }), x };
}

const megabytes = (bytes: number) => bytes / 2 ** 20;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const size = Number(process.argv[2]);
  const mode = process.argv[3];
  if (!(size > INPUTS) || (mode !== 'program' && mode !== 'reverse')) {
    console.error('usage: memory.ts SIZE program|reverse');
    process.exit(1);
  }
  const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
  const { program, x } = directProgram(size);
  collect();
  const before = process.memoryUsage();
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  let checksum = 0;
  if (mode === 'reverse') {
    const result = grad(program, x, { schedule: 'reverse' });
    checksum = result.solution.gradient.reduce((s, g) => s + g, 0);
  }
  const after = process.memoryUsage();
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  console.log(
    JSON.stringify({
      size,
      mode,
      programBytes: program.bytes,
      programBytesPerConstraint: program.bytes / program.constraintCount,
      rssBeforeMiB: megabytes(before.rss),
      rssAfterMiB: megabytes(after.rss),
      arrayBuffersBeforeMiB: megabytes(before.arrayBuffers),
      arrayBuffersAfterMiB: megabytes(after.arrayBuffers),
      peakBeforeMiB: megabytes(peakBefore),
      peakAfterMiB: megabytes(peakAfter),
      checksum,
    }),
  );
}
