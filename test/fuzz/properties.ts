import fc from 'fast-check';
import { verify } from '../../src/api/verify.ts';
import { LagradError } from '../../src/error.ts';
import { evaluate, grad, type GradResult } from '../../src/index.ts';
import { parse, parseProgram } from '../../src/frontend/parse.ts';
import { multiplierScale } from '../../src/lagrangian/certificate.ts';
import { localPartials } from '../../src/lagrangian/kkt.ts';
import { fromJSON, type Program } from '../../src/program/program.ts';
import { lagrad } from '../helpers/cli.ts';
import { arbitraryProgram } from '../helpers/randomPrograms.ts';
import { compareSchedules } from './differential.ts';
import { referenceValue } from './reference.ts';
import { mutate, mutation, validProgramJson } from './jsonMutations.ts';
import { drawnProgram, edgyNumber } from './programs.ts';
import { expressionSource, namedProgramSources, programSource, signedNumberText } from './sources.ts';

// The fuzzers, as named properties over shared generators: `npm test` runs each for a few seeded
// cases (test/fuzz.test.ts), `npm run fuzz -- --runs N` for as many as asked (test/fuzz/main.ts).
// A property throws — with a message that says what went wrong — when an outcome is not allowed.

/** One fuzzer: a generator of cases and the rule every outcome obeys. */
export interface Fuzzer<T = unknown> {
  readonly name: string;
  readonly rule: string;
  readonly arbitrary: fc.Arbitrary<T>;
  check(value: T): void | Promise<void>;
  /** Cases per seeded pass in `npm test`. */
  readonly ciRuns: number;
}

/**
 * The most one case may take (ms): more is a finding (a hang in the making). Generous: the
 * slowest documented case (dense at its size limit) takes seconds on a loaded machine.
 */
export const CASE_LIMIT_MS = 20_000;

/** Runs f; a LagradError is an allowed outcome (returned), anything else is a finding (thrown). */
function allowed<T>(what: string, f: () => T): T | LagradError {
  try {
    return f();
  } catch (e) {
    if (e instanceof LagradError) return e;
    throw new Error(
      `${what} threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} — only a LagradError is allowed`,
      { cause: e },
    );
  }
}

function finiteAnswer(what: string, r: GradResult): void {
  if (!Number.isFinite(r.value)) throw new Error(`${what}: value ${r.value} returned`);
  for (const [name, g] of Object.entries(r.gradient))
    if (!Number.isFinite(g)) throw new Error(`${what}: gradient ${name} = ${g} returned`);
}

/** A point for a program's inputs (names drawn in order), from a list of values. */
function pointFor(program: Program, values: readonly number[]): Record<string, number> {
  return Object.fromEntries(program.inputNames.map((name, k) => [name, values[k % values.length]]));
}

const SCHEDULES = ['auto', 'reverse', 'compiled', 'forward', 'dense', 'paths', 'fd', 'iterative', 'dual', 'checkpoint'];

/** Text through the parser and the API: a Program or a LagradError; then a number or a LagradError. */
const parser: Fuzzer<{ text: string; values: number[]; schedule: number; program: boolean }> = {
  name: 'parser',
  rule: 'every expression or .lag text parses to a Program or a LagradError; evaluate and grad give finite numbers or a LagradError; the Program survives its JSON round trip',
  arbitrary: fc.record({
    text: fc.oneof(expressionSource, programSource, fc.constantFrom(...namedProgramSources)),
    values: fc.array(edgyNumber, { minLength: 1, maxLength: 3 }),
    schedule: fc.nat({ max: SCHEDULES.length - 1 }),
    program: fc.boolean(),
  }),
  check({ text, values, schedule, program: asProgram }) {
    const parsed = allowed('parse', () => (asProgram ? parseProgram(text, { file: 'p.lag' }) : parse(text)));
    if (parsed instanceof LagradError) return;
    const json = JSON.stringify(parsed);
    const back = allowed('fromJSON', () => fromJSON(json));
    if (back instanceof LagradError || JSON.stringify(back) !== json)
      throw new Error(
        `the JSON round trip changed the program: ${back instanceof LagradError ? back.message : 'different JSON'}`,
      );
    const at = pointFor(parsed, values);
    const value = allowed('evaluate', () => evaluate(parsed, at));
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`evaluate returned ${value}`);
    // Against a reading of the text of its own: the same number, or a refusal where it meets a NaN.
    const reference = referenceValue(text, at, asProgram);
    if (reference === 'non-finite' && typeof value === 'number')
      throw new Error(`evaluate returned ${value} where an intermediate is not finite`);
    if (typeof reference === 'object') {
      if (value instanceof LagradError && /not a finite number/.test(value.message))
        throw new Error(
          `evaluate refused (${value.message}) where every intermediate is finite (value ${reference.value})`,
        );
      if (
        typeof value === 'number' &&
        !(Math.abs(value - reference.value) <= 1e-12 * Math.max(reference.scale, Math.abs(value)))
      )
        throw new Error(`evaluate gives ${value}, the text reads ${reference.value}`);
    }
    const r = allowed('grad', () =>
      grad(parsed, at, { schedule: SCHEDULES[schedule], multipliers: SCHEDULES[schedule] !== 'fd' }),
    );
    if (!(r instanceof LagradError)) finiteAnswer(`grad --schedule ${SCHEDULES[schedule]}`, r);
  },
  ciRuns: 300,
};

/** Mutated program JSON: a Program that a reference reading also accepts, or a LagradError. */
const json: Fuzzer<{
  seed: { program: Program };
  mutations: { node: number; kind: string; junk: number; by: number }[];
  asText: boolean;
}> = {
  name: 'json',
  rule: 'fromJSON of a mutated valid program JSON is a LagradError, or a Program that an independent statement of the format accepts and that round-trips',
  arbitrary: fc.record({
    seed: fc.oneof(
      arbitraryProgram({ constraints: 8 }),
      fc
        .constantFrom(...namedProgramSources.slice(6, 9))
        .map((text) => ({ program: parseProgram(text, { file: 'p.lag' }) })),
    ),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }),
    asText: fc.boolean(),
  }),
  check({ seed, mutations, asText }) {
    const mutated = mutate(JSON.parse(JSON.stringify(seed.program)), mutations as never);
    // Through text, NaN becomes null and undefined fields vanish, as in a file.
    const input = asText ? (JSON.stringify(mutated) ?? 'undefined') : mutated;
    const seen = asText && input !== 'undefined' ? JSON.parse(input as string) : mutated;
    const program = allowed('fromJSON', () => fromJSON(input as never));
    const valid = validProgramJson(seen);
    if (program instanceof LagradError) {
      if (valid) throw new Error(`fromJSON refused a valid program JSON: ${program.message}`);
      return;
    }
    if (!valid) throw new Error('fromJSON accepted a program JSON that the format does not allow');
    const again = JSON.stringify(program);
    if (JSON.stringify(fromJSON(again)) !== again) throw new Error('the accepted program does not round-trip');
    const at = pointFor(program, [0.5, -1, 2]);
    const r = allowed('grad', () => grad(program, at, { output: program.nameOf(program.outputs[0] ?? -1) }));
    if (!(r instanceof LagradError)) finiteAnswer('grad', r);
  },
  ciRuns: 400,
};

/** The command line, in process: exit 0 with numbers, or 1/2 with one line — never 70, never a stack. */
const cli: Fuzzer<{
  command: string;
  source: { kind: string; text: string };
  flags: (readonly string[])[];
  extra: boolean;
}> = {
  name: 'cli',
  rule: 'lagrad eval/grad/verify/tradeoff on generated sources and flags: status 0 with finite numbers on stdout, or status 1 or 2 with one line `lagrad: …` on stderr; never an internal error, a stack trace or a non-finite number',
  arbitrary: fc.record({
    command: fc.constantFrom('eval', 'grad', 'grad', 'grad', 'verify', 'tradeoff'),
    source: fc.oneof(
      expressionSource.map((text) => ({ kind: 'expression', text })),
      programSource.map((text) => ({ kind: 'file', text })),
      fc.constantFrom(...namedProgramSources).map((text) => ({ kind: 'file', text })),
      programSource.map((text) => ({ kind: 'stdin', text })),
    ),
    flags: fc.array(
      fc.oneof(
        fc.tuple(
          fc.constant('--at'),
          fc
            .array(fc.tuple(fc.constantFrom('x', 'y', 'z', 't', 'q', '__proto__', ''), signedNumberText), {
              minLength: 1,
              maxLength: 3,
            })
            .map((pairs) => pairs.map(([n, v]) => `${n}=${v}`).join(',')),
        ),
        fc.tuple(fc.constantFrom('--schedule'), fc.constantFrom(...SCHEDULES, 'backprop', '')),
        fc.tuple(
          fc.constantFrom(
            '--lanes',
            '--max-iterations',
            '--tolerance',
            '--max-paths',
            '--max-size',
            '--step',
            '--snapshots',
            '--budget',
            '--points',
            '--seed',
          ),
          fc.constantFrom('0', '1', '2', '-1', '0.5', 'abc', '1e9', 'Infinity', '', '1000001'),
        ),
        fc.tuple(
          fc.constantFrom('--primal', '--method', '--strategy', '--output'),
          fc.constantFrom('newton', 'fixed-point', 'jacobi', 'revolve', 'bogus', 'v', 'a'),
        ),
        fc.constantFrom(['--json'], ['--multipliers'], ['--values'], ['--all'], ['--frob'], ['--']),
      ),
      { maxLength: 4 },
    ),
    extra: fc.boolean(),
  }),
  async check({ command, source, flags, extra }) {
    const files: Record<string, string> = {};
    let positional = source.text;
    if (source.kind === 'file') {
      files['p.lag'] = source.text;
      positional = 'p.lag';
    } else if (source.kind === 'stdin') {
      positional = '-';
    }
    const argv = [
      command,
      ...flags.flat(),
      ...(flags.some((f) => f[0] === '--') ? [] : ['--']),
      positional,
      ...(extra ? ['surplus'] : []),
    ];
    const { status, out, err } = await lagrad(argv, files, source.kind === 'stdin' ? source.text : '');
    if (status === 0) {
      if (err !== '') throw new Error(`status 0 with standard error: ${err}`);
      if (/\b(NaN|Infinity)\b/.test(out) && command !== 'tradeoff')
        throw new Error(`status 0 with a non-finite number on standard output: ${out.slice(0, 200)}`);
      return;
    }
    if (status !== 1 && status !== 2) throw new Error(`exit status ${status}: ${err}`);
    const lines = err.split('\n').filter((l) => l !== '');
    // Under --json an error is one JSON line {"error": {"where", "what"}}; else `lagrad: where: what`.
    const json =
      flags.some((f) => f[0] === '--json') && !/^lagrad: /.test(lines[0] ?? '') ? parsedError(lines[0]) : null;
    if (lines.length !== 1 || (json === null && !lines[0].startsWith('lagrad: ')) || /\n\s+at /.test(err))
      throw new Error(
        `standard error is not one line 'lagrad: …' or one JSON error: ${JSON.stringify(err.slice(0, 300))}`,
      );
  },
  ciRuns: 150,
};

/** `{"error": {"where", "what"}}` as the CLI prints it under --json, or null. */
function parsedError(line: string | undefined): { where: string; what: string } | null {
  try {
    const e = JSON.parse(line ?? '').error;
    return typeof e?.where === 'string' && typeof e?.what === 'string' ? e : null;
  } catch {
    return null;
  }
}

/** Random programs through every schedule: agreement, or the same refusal. */
const differential: Fuzzer<{ text: string; at: Record<string, number> }> = {
  name: 'differential',
  rule: 'every schedule gives the multipliers of reverse (within verify’s scaled tolerance) or refuses the way reverse does; the documented exceptions are checked, not assumed',
  arbitrary: fc.oneof(drawnProgram(), drawnProgram({ cycles: true, constraints: 6 })),
  check({ text, at }) {
    const program = allowed('parse', () => parseProgram(text, { file: 'p.lag' }));
    if (program instanceof LagradError) return;
    const problem = compareSchedules(program, at);
    if (problem !== null) throw new Error(problem);
  },
  ciRuns: 120,
};

/** verify never certifies a multiplier moved by a millionth of its scale. */
const perturbed: Fuzzer<{ text: string; at: Record<string, number>; pick: number; sign: boolean }> = {
  name: 'perturbed',
  rule: 'verify on a random program with one multiplier moved by 10⁻⁶ of its scale μ_j always fails',
  arbitrary: fc
    .record({
      drawn: fc.oneof(drawnProgram(), drawnProgram({ cycles: true, constraints: 6 })),
      pick: fc.nat(),
      sign: fc.boolean(),
    })
    .map(({ drawn, pick, sign }) => ({ ...drawn, pick, sign })),
  check({ text, at, pick, sign }) {
    const program = allowed('parse', () => parseProgram(text, { file: 'p.lag' }));
    if (program instanceof LagradError) return;
    const reference = allowed('grad', () => grad(program, at, { multipliers: true }));
    if (reference instanceof LagradError) return;
    const lambda = Float64Array.from(reference.lambda);
    const mu = multiplierScale(program, localPartials(program, reference.values), Float64Array.of(1), lambda);
    const j = pick % program.size;
    const scale = Math.max(mu[j], Math.abs(lambda[j]));
    lambda[j] += (sign ? 1 : -1) * 1e-6 * (scale > 0 ? scale : 1);
    if (lambda[j] === reference.lambda[j]) return; // below the resolution of λ_j itself
    const report = allowed('verify', () => verify(program, at, { multipliers: lambda, schedules: ['reverse'] }));
    if (report instanceof LagradError) return;
    if (report.ok)
      throw new Error(`verify passed λ of ${program.label(j)} moved from ${reference.lambda[j]} to ${lambda[j]}`);
  },
  ciRuns: 150,
};

/** Every fuzzer, in the order `npm run fuzz` runs them. */
export const fuzzers: readonly Fuzzer<never>[] = [parser, json, cli, differential, perturbed] as never;

/** Checks one case within CASE_LIMIT_MS. */
export async function checkTimed<T>(fuzzer: Fuzzer<T>, value: T): Promise<void> {
  const start = performance.now();
  await fuzzer.check(value);
  const ms = performance.now() - start;
  if (ms > CASE_LIMIT_MS)
    throw new Error(`one case took ${(ms / 1000).toFixed(1)} s (limit ${CASE_LIMIT_MS / 1000} s)`);
}
