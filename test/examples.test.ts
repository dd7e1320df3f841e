import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every example runs (README: `npx tsx examples/NAME.ts`): each top-level examples/*.ts as its own
// process, several at once, exit status 0, nothing on standard error and, on standard output, what
// it is there to show. Helpers the examples share live in examples/lib/ and are not examples.

const root = fileURLToPath(new URL('..', import.meta.url));

/** Arguments for a quick run, and what each example's output must show. */
const EXAMPLES: Record<string, { readonly args?: readonly string[]; readonly shows: readonly RegExp[] }> = {
  'lecture.ts': {
    shows: [
      /f\(x, y, z\) = z \+ sin\(x² \+ y·exp\(z\)\)/,
      /∂f\/∂x = -3\.9600 +∂f\/∂y = -0\.9900 +∂f\/∂z = 1\.9900 +\(reverse/,
      /largest difference between the schedules' gradients: \d/,
    ],
  },
  'implicit.ts': {
    shows: [/Kepler's equation/, /closed form +∂\/∂M = +1\.037362021893\d+ +dE\/dM = 1\/\(1 − e·cos E\)/],
  },
  'fixed-point-cos.ts': { shows: [/closed form +∂\/∂t = +0\.5975100456753\d+/] },
  'babylonian.ts': {
    shows: [
      /ds\/da = 1\/\(2√a\)/,
      /closed form +∂\/∂a = +0\.353553390593\d+/,
      /closed form +∂\/∂a = +0\.166666666666\d+/,
    ],
  },
  'pagerank.ts': { shows: [/closed form +∂\/∂d = /] },
  'equilibrium.ts': { shows: [/largest difference between the multipliers and the implicit function theorem \d/] },
  'fully-connected.ts': {
    shows: [
      /schedule 'paths': \d+ paths of influence lead from the inputs to the outputs; the limit is 1000000 \(maxPaths\)/,
    ],
  },
  'long-chain.ts': { args: ['revolve', '100000', '20'], shows: [/100000/] },
  'crf.ts': { shows: [/Δ gradient/] },
  'inside-outside.ts': { shows: [/\d+\.\d{10}/] },
  'dual.ts': { shows: [/dual cg/, /curves: /] },
  'iris.ts': { args: ['--quick'], shows: [/accuracy/, /grad \(wrt parameters\)/] },
  'deq.ts': { args: ['--quick'], shows: [/training accuracy \d/, /unrolled backprop +16 /, /relative difference/] },
  'rnn.ts': { args: ['200'], shows: [/revolve C=10 .* bit for bit/, /revolve C=100 .* bit for bit/] },
};

const examples = readdirSync(new URL('../examples/', import.meta.url))
  .filter((name) => name.endsWith('.ts'))
  .sort();

interface Run {
  readonly status: number | null;
  readonly out: string;
  readonly err: string;
}

function run(name: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}`, ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out, err });
    });
  });
}

/** All examples, `limit` at a time. */
async function runAll(limit: number): Promise<Map<string, Run>> {
  const results = new Map<string, Run>();
  const queue = [...examples];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift())
      results.set(name, await run(name, EXAMPLES[name]?.args ?? []));
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe('every example runs and prints what it shows', () => {
  it('runs each examples/*.ts in a process of its own: exit 0, no error output, its result on standard output', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(Object.keys(EXAMPLES).length);
    const results = await runAll(Math.max(2, cpus().length * 2));
    for (const name of examples) {
      const r = results.get(name)!;
      expect(r.err, name).toBe('');
      expect(r.status, name).toBe(0);
      expect(r.out.trim().length, `${name} prints nothing`).toBeGreaterThan(0);
      for (const pattern of EXAMPLES[name]?.shows ?? []) expect(r.out, name).toMatch(pattern);
    }
  }, 240_000);
});
