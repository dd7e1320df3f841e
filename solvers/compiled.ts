import { checkBackSubstitution, checkValues } from '../src/lagrangian/finite.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { interpreting } from '../src/primitives/codegen.ts';
import { functionRules } from '../src/primitives/kernels.ts';
import { CHUNK, programSource } from '../src/primitives/programSource.ts';
import { primitives } from '../src/primitives/registry.ts';
import { now, type Stats } from '../src/lagrangian/stats.ts';
import type { Program } from '../src/program/program.ts';
import {
  buffer,
  checked,
  head,
  type Problem,
  type Schedule,
  type ScheduleOptions,
  type Solution,
} from '../src/schedule/schedule.ts';
import { readSettings } from '../src/schedule/settings.ts';
import { inPlace, type InPlaceSolve } from '../src/schedule/inPlace.ts';
import { BLOCK_SETTINGS, reverse, reverseInPlace, sweepStats } from './reverse.ts';

/** The straight-line sweeps of one program (src/primitives/programSource.ts), compiled. */
export interface CompiledProgram {
  /** v_i = p_i(v_Pa(i)) for every constraint; returns 0 when every value is finite, NaN otherwise. */
  forward(values: Float64Array): number;
  /** Back-substitution of (I − J)ᵀλ = w in place from λ = w; returns the constraints not skipped (λ_i ≠ 0). */
  reverse(values: Float64Array, lambda: Float64Array): number;
  /** Milliseconds spent generating and compiling the source (V8 optimizes each function later, as it runs). */
  readonly compileMs: number;
}

/**
 * Programs with more variables than this are not compiled: `reverse` computes their gradient.
 * Straight-line code costs about 300 bytes of machine code per constraint (each typed-array access
 * carries its own checks in V8) against the ~25 bytes of program data per constraint that the
 * interpreter's loop reads; and V8 optimizes a generated function only after running it about a
 * thousand times. Measured with bench/compiled.ts on the project machine (2 MB of L2 per core):
 * at 3·10³ variables the compiled gradient took 0.5–0.7× the hand-written tape's time, at 10⁴ it
 * was no faster than reverse on two of three workloads, after 3000 warm-up calls taking 14–24 s.
 */
export const COMPILE_LIMIT = 5_000;

const cache = new WeakMap<Program, CompiledProgram>();

/** The program's compiled sweeps (generated once and cached with it), or null where they do not apply: cyclic, with vector or matrix variables, too large, or code generation refused. */
export function compiledProgram(program: Program): CompiledProgram | null {
  if (program.cyclic || program.layout !== null || program.size > COMPILE_LIMIT || interpreting()) return null;
  let compiled = cache.get(program);
  if (compiled === undefined) cache.set(program, (compiled = compileProgram(program)));
  return compiled;
}

/** The name stack traces and profilers show for a program's compiled code. */
export const COMPILED_URL = 'lagrad/compiled/program.js';

/** The JavaScript compiled for a program, as `lagrad kernels --program` prints it: the body of `(R) => ({ forward, reverse })`. */
export function compiledSource(program: Program, chunk = CHUNK): string {
  return `${programSource(program, primitives.checkedAll(), chunk)}\n//# sourceURL=${COMPILED_URL}`;
}

/** Generates and compiles a program's straight-line sweeps, `chunk` constraints per function (tests use small chunks). */
export function compileProgram(program: Program, chunk = CHUNK): CompiledProgram {
  const start = performance.now();
  const source = compiledSource(program, chunk);
  const sweeps = new Function('R', source)(functionRules(primitives.checkedAll())) as Omit<
    CompiledProgram,
    'compileMs'
  >;
  return { forward: sweeps.forward, reverse: sweeps.reverse, compileMs: performance.now() - start };
}

/**
 * Reverse mode (backprop) through JavaScript generated for one program: the forward values and the
 * reverse accumulation as straight-line code with every index a literal, compiled once and cached
 * with the program. The same operations in the same order as `reverse`, so the same bits. Where it
 * does not apply — a cyclic program, one with vector or matrix variables, one above COMPILE_LIMIT
 * variables, or a runtime that refuses
 * code generation (or `useInterpreter(true)`) — `reverse` solves instead, and the solution names it.
 */
export const compiled: Schedule<typeof BLOCK_SETTINGS> = inPlace(
  checked({
    name: 'compiled',
    summary:
      'reverse through JavaScript generated for the program (straight-line code, cached); reverse where that does not apply',
    // reverse's settings, which it reads on the cyclic programs handed to it.
    settings: BLOCK_SETTINGS,
    solve(problem: Problem, options: ScheduleOptions = {}): Solution {
      const code = compiledProgram(problem.program);
      if (code === null) return { ...reverse.solve(problem, options), schedule: reverse.name };
      readSettings(BLOCK_SETTINGS, options); // none is read here, but a misspelled one is an error as everywhere
      const start = now();
      const { program, inputs, weights } = problem;
      const { inputCount, size } = program;
      const values = buffer(options.workspace?.values, size);
      for (let k = 0; k < inputCount; k++) values[k] = inputs[k];
      const reused = options.workspace?.lambda;
      const lambda = buffer(reused, size);
      const stats = compiledBackSubstitute(code, program, values, lambda, weights, lambda.buffer !== reused?.buffer);
      stats.timeMs = now() - start;
      // Values checked by the forward sweep (checkValues when its sum is not finite), λ and so the gradient by checkBackSubstitution.
      return { values, lambda, gradient: head(lambda, inputCount), stats, finite: true };
    },
  }),
  compiledInPlace,
);

/**
 * `compiled` in the caller's buffers (backSubstitute of reverse.ts through the program's compiled
 * sweeps): values[0 … inputCount) hold the point, λ is filled (`zeroed`: it holds zeros already),
 * with the same checks. Returns the counts; timeMs is the caller's.
 */
export function compiledBackSubstitute(
  code: CompiledProgram,
  program: Program,
  values: Float64Array,
  lambda: Float64Array,
  weights: Float64Array,
  zeroed: boolean,
): Stats {
  const { inputCount, size } = program;
  if (code.forward(values) !== 0) checkValues(program, values, inputCount, size);
  seed(program, weights, lambda, zeroed);
  const partials = code.reverse(values, lambda);
  checkBackSubstitution(program, values, lambda);
  return sweepStats(program, partials);
}

/** compiled's in-place solves, by program: through the program's code, with the code at hand (null: the program has none). */
const inPlaceSolves = new WeakMap<Program, InPlaceSolve | null>();

/** compiled's in-place solve (schedule/inPlace.ts): through the program's code where it has some, else reverse's. */
export function compiledInPlace(program: Program): InPlaceSolve | null {
  if (interpreting()) return reverseInPlace(program);
  let solve = inPlaceSolves.get(program);
  if (solve === undefined) {
    const code = compiledProgram(program);
    solve =
      code === null
        ? null
        : {
            name: 'compiled',
            solve: (p, values, lambda, weights) => compiledBackSubstitute(code, p, values, lambda, weights, true),
          };
    inPlaceSolves.set(program, solve);
  }
  return solve ?? reverseInPlace(program);
}
