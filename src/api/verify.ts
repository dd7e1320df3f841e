// Why one file of 380+ lines: verify's orchestration and report types; its maths is in lagrangian/certificate.ts and fdCheck.ts.
import { InternalError, LagradError, OptionError } from '../error.ts';
import {
  certify,
  check,
  DEFAULT_TOLERANCES,
  disagreements,
  multiplierScale,
  type Certificate,
  type Check,
  type Solved,
  type Tolerances,
} from '../lagrangian/certificate.ts';
import { finiteDifferenceCheck, type Kink } from '../lagrangian/fdCheck.ts';
import { localPartials } from '../lagrangian/kkt.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Stats } from '../lagrangian/stats.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import type { Schedule, ScheduleTable } from '../schedule/schedule.ts';
import { checkOptions, numberSetting, settingsRead } from '../schedule/settings.ts';
import { defaultSchedules, type BuiltinSettings } from '../../solvers/schedules.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';
import { blockAbsoluteAdjoint, directionalDifference } from '../lagrangian/blockCertificate.ts';
import { randomDirection } from '../lagrangian/random.ts';
import { slotLabel } from '../program/layout.ts';
import { fillBlock, valueIn, type BlockValue, type Value } from './blocks.ts';

export {
  certify,
  DEFAULT_TOLERANCES,
  type Certificate,
  type Check,
  type Tolerances,
} from '../lagrangian/certificate.ts';

/** The schedules `verify` runs by default, by name, from the schedule table. */
export const VERIFY_SCHEDULES: readonly string[] = ['reverse', 'forward', 'dense', 'paths', 'fd'];

export interface VerifyOptions {
  /** Which output, when the program has several. */
  readonly output?: string;
  /** General objective weights w by output name (for a block output, a block of its shape or a number). */
  readonly weights?: Readonly<Record<string, BlockValue>>;
  /**
   * Multipliers to certify instead of reverse's: λ of every variable in program order (for
   * blocks, every entry: program.slots of them), or λ of some named variables replacing reverse's.
   * Wrong multipliers must come back `ok: false`.
   */
  readonly multipliers?: ArrayLike<number> | Readonly<Record<string, BlockValue>>;
  /** Schedule names to compare (default VERIFY_SCHEDULES); reverse always runs as the reference. */
  readonly schedules?: readonly string[];
  readonly tolerances?: Partial<Tolerances>;
  /** Seed of the random direction v̇ of the dot-product test (default 1). */
  readonly seed?: number;
  /** Settings of the schedules run (maxPaths, maxSize, step, lanes, tolerance, …); each gets those it reads. */
  readonly settings?: BuiltinSettings;
  /** The table schedule names resolve in (default: the built-in schedules). */
  readonly table?: ScheduleTable;
}

const VERIFY_OPTIONS = ['output', 'weights', 'multipliers', 'schedules', 'tolerances', 'seed', 'settings', 'table'];

/** One schedule's part of the report: its gradient and multipliers, or why it did not run. */
export interface ScheduleRun {
  readonly name: string;
  /** ∂objective/∂x by input name (a block's as a Float64Array or a Matrix); null when skipped or failed. */
  readonly gradient: Record<string, Value> | null;
  /** The same gradient entry by entry (program.inputSlots of them); null when skipped or failed. */
  readonly entries: Float64Array | null;
  /** λ of every variable, or null when the schedule gives the gradient only. */
  readonly lambda: Float64Array | null;
  readonly stats: Stats | null;
  /** Why the schedule declined (a LagradError: too large, too many paths, a cyclic program…). */
  readonly skipped?: string;
  /** Why it failed: an internal error or any other exception — a bug, reported as a failed check. */
  readonly failed?: string;
  /** The exception behind `failed`, for a caller that wants its stack. */
  readonly error?: unknown;
  /** Why it gave the gradient only, when multipliers were refused. */
  readonly note?: string;
}

/** The finite-difference comparison: its largest error where it applies, fd's own estimates, and the kinks. */
export interface FiniteDifferences {
  readonly maxError: number;
  readonly errorEstimate: number;
  readonly step: number;
  /** False when every input sits at a kink. */
  readonly applicable: boolean;
  readonly kinks: readonly Kink[];
  /** With vector and matrix inputs: the relative error of the difference along a random direction of every input entry. */
  readonly direction?: number;
}

export interface VerifyReport {
  /** True when every check is within its tolerance. */
  readonly ok: boolean;
  readonly program: Program;
  /** The objective Σ_o w_o v_o. */
  readonly value: number;
  readonly values: Float64Array;
  /** The multipliers certified (reverse's, or those handed in). */
  readonly lambda: Float64Array;
  /** w, aligned with program.outputs. */
  readonly weights: Float64Array;
  readonly schedules: Record<string, ScheduleRun>;
  /** Largest relative disagreement between schedules over the multipliers of every variable (every entry of a block). */
  readonly maxMultiplierDisagreement: number;
  /** Per variable: the largest relative disagreement between any two schedules (over its entries). */
  readonly disagreement: Float64Array;
  readonly kkt: { readonly primal: number; readonly dual: number };
  readonly dotProduct: number;
  /** Finite differences against λ_inputs; `kinks` lists the inputs along which the objective is not differentiable here. */
  readonly finiteDifference: FiniteDifferences | null;
  readonly certificate: Certificate;
  /** Every check made, in the order above (and `schedules` when one failed). */
  readonly checks: readonly Check[];
  /** The first failing check (in the order of `checks`), or null when ok. */
  readonly worst: Check | null;
  readonly tolerances: Tolerances;
}

/**
 * Verifies that the multipliers are the adjoints, every way lagrad knows: runs each schedule (by
 * name, through the schedule table: reverse, forward, dense, paths, fd by default; a schedule that
 * declines — too large, too many paths — is reported as skipped with its reason, one that throws
 * anything else as failed, which fails the verification), compares their multipliers over every
 * variable, certifies the KKT conditions and the dot-product identity at the reverse solution (or
 * at the multipliers handed in), and checks finite differences except along a kink.
 * Each comparison is judged against what the computation could resolve (lagrangian/certificate.ts).
 */
export function verify(program: Program, at?: Point, options: VerifyOptions = {}): VerifyReport {
  checkOptions(options, VERIFY_OPTIONS, [], { schedule: 'verify' });
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed))
    throw new OptionError('seed', `must be an integer, got ${String(options.seed)}`);
  const table = options.table ?? defaultSchedules;
  const tolerances = resolveTolerances(options.tolerances, options.settings?.tolerance);
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const { inputSlots } = program;
  const names = ['reverse', ...(options.schedules ?? VERIFY_SCHEDULES).filter((n) => n !== 'reverse')];
  const known = names.filter((n) => table.names().includes(n)).map((n) => table.get(n));
  const runners = `the schedules verify runs (${known.map((s) => s.name).join(', ')})`;
  checkOptions(options.settings ?? {}, [], settingsRead(known), { schedule: runners, others: () => table.list() });
  // Each schedule's own limits apply (dense's maxSize, paths' maxPaths, maxWork), as under grad.
  const settings: BuiltinSettings = { ...options.settings };

  const reverse = table.get('reverse');
  const reference = reverse.solve(
    { program, inputs, weights },
    { ...ownSettings(reverse, settings), multipliers: true },
  );
  if (reference.lambda === null)
    throw new InternalError(`schedule 'reverse'`, 'returned no multipliers when asked for them');
  const values = reference.values;
  const runs: Record<string, ScheduleRun> = {};
  for (const name of names) {
    runs[name] =
      name === 'reverse'
        ? report(program, name, reference.gradient, reference.lambda, reference.stats)
        : run(program, table, name, inputs, weights, settings);
  }

  const lambda = candidate(program, reference.lambda, options.multipliers);
  const solved: Solved[] = [];
  if (options.multipliers !== undefined)
    solved.push({ name: 'given', lambda, gradient: lambda.subarray(0, inputSlots) });
  for (const [name, r] of Object.entries(runs)) {
    if (r.entries === null || name === 'fd') continue;
    solved.push({ name, lambda: r.lambda, gradient: r.entries });
  }
  // With vector and matrix variables, every comparison runs entry by entry over the slabs.
  const blocks = program.layout !== null;
  const mu = blocks
    ? blockAbsoluteAdjoint(program, values, weights)
    : multiplierScale(program, localPartials(program, values), weights, reference.lambda);
  const compared = disagreements(program, solved, mu, tolerances.multipliers);
  const certificate = certify(program, values, lambda, weights, { seed: options.seed, tolerances });
  const checks: Check[] = [compared.check, certificate.primal, certificate.dual, certificate.dotProduct];

  let finiteDifference: VerifyReport['finiteDifference'] = null;
  const fd = runs.fd;
  if (fd && fd.entries) {
    const step = fd.stats!.step ?? NaN;
    const errorEstimate = fd.stats!.errorEstimate ?? NaN;
    const detail = `central differences, step ≤ ${formatNumber(step, 3)}, Richardson estimate ≤ ${formatNumber(errorEstimate, 3)}`;
    const primal = { primal: settings.primal, tolerance: settings.tolerance, maxIterations: settings.maxIterations };
    const result = finiteDifferenceCheck(
      program,
      values,
      lambda,
      weights,
      fd.entries,
      mu,
      tolerances.finiteDifference,
      { step: settings.step, primal },
      detail,
    );
    let fdCheck = result.check;
    let direction: number | undefined;
    if (blocks) {
      // On blocks, also along one random direction d of every input entry: (f(x + hd) − f(x − hd))/2h against ⟨λ_x, d⟩.
      const along = directionalDifference(
        program,
        values,
        weights,
        lambda,
        randomDirection(inputSlots, (options.seed ?? 1) + 1),
        mu,
      );
      direction = along.error;
      const text = `${fdCheck.detail}; along a random direction ${formatNumber(along.derivative, 6)} against ⟨λ, d⟩ = ${formatNumber(along.expected, 6)}`;
      fdCheck =
        along.error > fdCheck.value
          ? check('finiteDifference', along.error, tolerances.finiteDifference, -1, 'a random direction', text)
          : { ...fdCheck, detail: text };
    }
    finiteDifference = {
      maxError: Math.max(result.maxError, direction ?? 0),
      errorEstimate,
      step,
      applicable: fdCheck.applicable,
      kinks: result.kinks,
      ...(direction !== undefined && { direction }),
    };
    checks.push(fdCheck);
  }
  const failed = Object.values(runs).filter((r) => r.failed !== undefined);
  if (failed.length > 0)
    checks.push(check('schedules', failed.length, 0, -1, '', failed.map((r) => `${r.name}: ${r.failed}`).join('; ')));

  const failing = checks.filter((c) => !c.ok);
  // The first failing check names the culprit best: a disagreement points at the wrong multiplier
  // itself, while a dual residual spreads over its neighbours in the graph.
  const worst = failing.length === 0 ? null : failing[0];
  return {
    ok: failing.length === 0,
    program,
    value: objective(program, weights, values),
    values,
    lambda,
    weights,
    schedules: runs,
    maxMultiplierDisagreement: compared.check.value,
    disagreement: compared.perVariable,
    kkt: { primal: certificate.primal.value, dual: certificate.dual.value },
    dotProduct: certificate.dotProduct.value,
    finiteDifference,
    certificate,
    checks,
    worst,
    tolerances,
  };
}

/**
 * Runs one schedule asking for every multiplier; if it declines them (a LagradError), for the
 * gradient; if it declines that too, skipped. Anything else it throws is a failure, never a skip.
 */
function run(
  program: Program,
  table: ScheduleTable,
  name: string,
  inputs: Float64Array,
  weights: Float64Array,
  settings: BuiltinSettings,
): ScheduleRun {
  if (!table.names().includes(name)) return skipped(name, 'not registered');
  const schedule = table.get(name);
  const own = ownSettings(schedule, settings);
  try {
    const s = schedule.solve({ program, inputs, weights }, { ...own, multipliers: true });
    return report(program, name, s.gradient, s.lambda, s.stats);
  } catch (first) {
    if (!(first instanceof LagradError)) return failure(name, first);
    try {
      const s = schedule.solve({ program, inputs, weights }, { ...own, multipliers: false });
      return { ...report(program, name, s.gradient, s.lambda, s.stats), note: `multipliers refused: ${first.what}` };
    } catch (second) {
      if (!(second instanceof LagradError)) return failure(name, second);
      return skipped(name, second.what);
    }
  }
}

/** The settings among `settings` that the schedule reads. */
function ownSettings(schedule: Schedule, settings: BuiltinSettings): Record<string, unknown> {
  const given = settings as Readonly<Record<string, unknown>>;
  const own: Record<string, unknown> = {};
  for (const s of schedule.settings ?? []) if (given[s.name] !== undefined) own[s.name] = given[s.name];
  return own;
}

function report(
  program: Program,
  name: string,
  gradient: Float64Array,
  lambda: Float64Array | null,
  stats: Stats,
): ScheduleRun {
  return {
    name,
    gradient: Object.fromEntries(program.inputNames.map((n, k) => [n, valueIn(program, gradient, k)])),
    entries: gradient,
    lambda,
    stats,
  };
}

function skipped(name: string, why: string): ScheduleRun {
  return { name, gradient: null, entries: null, lambda: null, stats: null, skipped: why };
}

function failure(name: string, error: unknown): ScheduleRun {
  const message = error instanceof Error ? error.message : String(error);
  return {
    name,
    gradient: null,
    entries: null,
    lambda: null,
    stats: null,
    failed: `internal error: ${message.split('\n')[0]}`,
    error,
  };
}

/**
 * The tolerances: the defaults, replaced by those given (each a number ≥ 0). Values solved to a
 * looser `tolerance` (a setting of the iterative solves) satisfy the constraints only to it: the
 * primal and dual checks then default to that tolerance.
 */
function resolveTolerances(given: Partial<Tolerances> | undefined, solve: number | undefined): Tolerances {
  const names = Object.keys(DEFAULT_TOLERANCES);
  checkOptions(
    given ?? {},
    [],
    names.map((name) => numberSetting({ name, min: 0, help: '' })),
    { schedule: 'tolerances' },
  );
  const loose = Math.max(solve ?? 0, 0);
  const defaults = {
    ...DEFAULT_TOLERANCES,
    primal: Math.max(DEFAULT_TOLERANCES.primal, loose),
    dual: Math.max(DEFAULT_TOLERANCES.dual, loose),
  };
  return { ...defaults, ...given };
}

/** The multipliers to certify: reverse's, replaced in whole or by name by those handed in. */
function candidate(program: Program, reverse: Float64Array, given: VerifyOptions['multipliers']): Float64Array {
  if (given === undefined) return reverse;
  let lambda: Float64Array;
  if (typeof (given as ArrayLike<number>).length === 'number') {
    const array = given as ArrayLike<number>;
    const what =
      program.layout === null
        ? `all ${program.size} variables`
        : `every entry of all ${program.size} variables (${program.slots})`;
    if (array.length !== program.slots)
      throw new OptionError('multipliers', `expected λ of ${what}, got ${array.length}`);
    lambda = Float64Array.from(array);
  } else {
    lambda = Float64Array.from(reverse);
    for (const [name, value] of Object.entries(given as Record<string, BlockValue>)) {
      const i = program.indexOf(name);
      if (program.layout === null && typeof value !== 'number')
        throw new OptionError('multipliers', `λ of '${name}' must be a number, got ${typeof value}`);
      fillBlock(
        lambda,
        program.layout === null ? i : program.layout.offset[i],
        program.shape(i),
        value,
        `multiplier of '${name}'`,
      );
    }
  }
  for (let s = 0; s < lambda.length; s++) {
    if (!Number.isFinite(lambda[s]))
      throw new OptionError('multipliers', `λ of ${slotLabel(program, s)} is ${lambda[s]}, not a finite number`);
  }
  return lambda;
}
