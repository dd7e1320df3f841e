import { LagradError } from '../error.ts';
import { absoluteAdjoint, dualResiduals, localPartials, partialsProduct, partialsTransposeProduct, primalResiduals } from '../lagrangian/kkt.ts';
import { objective, seed } from '../lagrangian/lagrangian.ts';
import type { Program } from '../program/program.ts';
import type { Stats } from '../lagrangian/stats.ts';
import type { ScheduleTable, SolveOptions } from '../schedule/schedule.ts';
import { defaultSchedules } from '../../solvers/schedules.ts';
import { resolvePoint, resolveWeights, type Point } from './point.ts';
import { blockAbsoluteAdjoint, blockDotProduct, blockDualByVariable, blockPrimalResiduals, directionalDifference } from '../lagrangian/blockCertificate.ts';
import { slotLabel } from '../program/layout.ts';
import { fillBlock, valueIn, type BlockValue, type Value } from './blocks.ts';

/** The checks `verify` makes, each passing when its value is at most its tolerance. */
export interface Tolerances {
  /** Largest disagreement between two schedules' multipliers, relative to the scale μ_j (see `verify`). */
  readonly multipliers: number;
  /** Largest primal residual |v_i − p_i| / (|v_i| + |p_i|). */
  readonly primal: number;
  /** Largest dual residual |((I − J)ᵀλ − w)_j| / (|λ_j| + |w_j| + Σ_i |λ_i J_ij|). */
  readonly dual: number;
  /** |⟨λ, J v̇⟩ − ⟨Jᵀλ, v̇⟩| / ⟨|λ|, |J| |v̇|⟩. */
  readonly dotProduct: number;
  /** Largest |fd_k − λ_k| / max(|λ_k|, M / max(1, |x_k|)), M the largest |v| that reaches an output. */
  readonly finiteDifference: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { multipliers: 1e-10, primal: 1e-12, dual: 1e-12, dotProduct: 1e-12, finiteDifference: 1e-6 };

/** The schedules `verify` runs by default, by name, from the schedule table. */
export const VERIFY_SCHEDULES: readonly string[] = ['reverse', 'forward', 'dense', 'paths', 'fd'];

/**
 * The largest program `verify` hands to the dense schedule unless `settings.maxSize` says otherwise:
 * its O(N³) LU takes about 1.5 s at N = 1000 and 12 s at N = 2000.
 */
export const VERIFY_DENSE_LIMIT = 1000;

export interface VerifyOptions {
  /** Which output, when the program has several. */
  readonly output?: string;
  /** General objective weights w by output name. */
  readonly weights?: Readonly<Record<string, number>>;
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
  /** Settings passed to every schedule (maxPaths, maxSize, step, lanes, …). */
  readonly settings?: SolveOptions;
  /** The table schedule names resolve in (default: the process-wide one). */
  readonly table?: ScheduleTable;
}

/** One schedule's part of the report: its gradient and multipliers, or why it did not run. */
export interface ScheduleRun {
  readonly name: string;
  /** ∂objective/∂x by input name (blocks as Float64Array or Matrix); null when skipped. */
  readonly gradient: Record<string, Value> | null;
  /** The same gradient entry by entry (program.inputSlots of them); null when skipped. */
  readonly entries: Float64Array | null;
  /** λ of every variable, or null when the schedule gives the gradient only. */
  readonly lambda: Float64Array | null;
  readonly stats: Stats | null;
  /** Why the schedule did not run (it refused: too large, too many paths…). */
  readonly skipped?: string;
  /** Why it gave the gradient only, when multipliers were refused. */
  readonly note?: string;
}

/** One check: its value, tolerance, and the variable where the value is reached. */
export interface Check {
  readonly name: 'multipliers' | 'primal' | 'dual' | 'dotProduct' | 'finiteDifference';
  readonly value: number;
  readonly tolerance: number;
  readonly ok: boolean;
  /** The worst variable's index, or −1. */
  readonly variable: number;
  /** The worst variable by name (`#i` when unnamed; `X[2, 1]` for an entry of a block), or ''. */
  readonly label: string;
  /** What was compared, for the certificate (e.g. `reverse vs dense`). */
  readonly detail: string;
}

/** The residuals of the KKT conditions and the dot-product test for given values and multipliers. */
export interface Certificate {
  readonly primal: Check;
  readonly dual: Check;
  readonly dotProduct: Check;
  /** r_i = v_i − p_i(v_Pa(i)), relative: |r_i| / (|v_i| + |p_i|) (for a block, ‖·‖∞ of each). One per variable. */
  readonly primalResiduals: Float64Array;
  /** ((I − J)ᵀλ − w)_j relative to |λ_j| + |w_j| + Σ_i |λ_i J_ij| (for a block, its worst entry). One per variable. */
  readonly dualResiduals: Float64Array;
  readonly ok: boolean;
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
  /** Largest relative disagreement between schedules over the multipliers of every variable. */
  readonly maxMultiplierDisagreement: number;
  /** Per variable: the largest relative disagreement between any two schedules (over every entry of a block). */
  readonly disagreement: Float64Array;
  readonly kkt: { readonly primal: number; readonly dual: number };
  readonly dotProduct: number;
  readonly finiteDifference: { readonly maxError: number; readonly errorEstimate: number; readonly step: number; readonly direction?: number } | null;
  readonly certificate: Certificate;
  /** Every check made, in the order above. */
  readonly checks: readonly Check[];
  /** The first failing check (in the order of `checks`), or null when ok. */
  readonly worst: Check | null;
  readonly tolerances: Tolerances;
}

/**
 * Certifies multipliers λ at values v: the primal residuals v − p(v), the dual residuals
 * (I − J)ᵀλ − w, each relative to the size of its terms, and the dot-product test
 * ⟨λ, J v̇⟩ = ⟨Jᵀλ, v̇⟩ along a seeded random v̇ (J v̇ from the tangent kernel, Jᵀλ from the reverse
 * kernel: two independently generated sweeps). `weights` are aligned with program.outputs.
 */
export function certify(program: Program, values: Float64Array, lambda: Float64Array, weights: Float64Array, options: { seed?: number; tolerances?: Partial<Tolerances> } = {}): Certificate {
  const tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const { size, parentStart, parents, inputCount, slots } = program;
  if (values.length < slots || lambda.length < slots) throw new LagradError('certify', `values and multipliers need ${slots} entries, got ${values.length} and ${lambda.length}`);
  if (program.layout !== null) return certifyBlocks(program, values, lambda, weights, options.seed ?? 1, tolerances);
  const J = localPartials(program, values);

  const r = primalResiduals(program, values);
  const primal = new Float64Array(size);
  for (let i = 0; i < size; i++) primal[i] = ratio(r[i], Math.abs(values[i]) + Math.abs(values[i] - r[i]));

  const d = dualResiduals(program, J, lambda, weights);
  const scale = new Float64Array(size);
  seed(program, weights, scale);
  for (let j = 0; j < size; j++) scale[j] = Math.abs(scale[j]) + Math.abs(lambda[j]);
  for (let i = inputCount; i < size; i++) {
    const l = Math.abs(lambda[i]);
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) scale[parents[e]] += l * Math.abs(J[e]);
  }
  const dual = new Float64Array(size);
  for (let j = 0; j < size; j++) dual[j] = ratio(d[j], scale[j]);

  const direction = randomDirection(size, options.seed ?? 1);
  const Jv = partialsProduct(program, values, direction);
  const JTl = partialsTransposeProduct(program, values, lambda);
  let left = 0;
  let right = 0;
  let magnitude = 0;
  for (let i = 0; i < size; i++) {
    left += lambda[i] * Jv[i];
    right += JTl[i] * direction[i];
  }
  for (let i = inputCount; i < size; i++) {
    let row = 0;
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) row += Math.abs(J[e] * direction[parents[e]]);
    magnitude += Math.abs(lambda[i]) * row;
  }
  const dot = ratio(left - right, magnitude);

  const primalCheck = worstOf(program, 'primal', primal, tolerances.primal, 'v_i − p_i(v_Pa(i))');
  const dualCheck = worstOf(program, 'dual', dual, tolerances.dual, '(I − J)ᵀλ − w');
  const dotCheck = check('dotProduct', dot, tolerances.dotProduct, -1, '', `⟨λ, J v̇⟩ = ${left}, ⟨Jᵀλ, v̇⟩ = ${right}`);
  return { primal: primalCheck, dual: dualCheck, dotProduct: dotCheck, primalResiduals: primal, dualResiduals: dual, ok: primalCheck.ok && dualCheck.ok && dotCheck.ok };
}

/**
 * certify for a program with vector and matrix variables: residuals as norms of blocks (the worst
 * entry of each, relative to its terms), the dot-product test with the slabs' inner products —
 * J v̇ by the JVPs, Jᵀλ by the VJPs, two independent derivations of each primitive's derivative.
 */
function certifyBlocks(program: Program, values: Float64Array, lambda: Float64Array, weights: Float64Array, seedValue: number, tolerances: Tolerances): Certificate {
  const primal = blockPrimalResiduals(program, values);
  const dual = blockDualByVariable(program, values, lambda, weights);
  const { left, right, magnitude } = blockDotProduct(program, values, lambda, weights, randomDirection(program.slots, seedValue));
  const primalCheck = worstOf(program, 'primal', primal, tolerances.primal, '‖v_i − p_i(v_Pa(i))‖∞ per block');
  const dualCheck = worstOf(program, 'dual', dual, tolerances.dual, '(I − J)ᵀλ − w, worst entry per block');
  const dotCheck = check('dotProduct', ratio(left - right, magnitude), tolerances.dotProduct, -1, '', `⟨λ, J v̇⟩ = ${left}, ⟨Jᵀλ, v̇⟩ = ${right} (JVPs against VJPs)`);
  return { primal: primalCheck, dual: dualCheck, dotProduct: dotCheck, primalResiduals: primal, dualResiduals: dual, ok: primalCheck.ok && dualCheck.ok && dotCheck.ok };
}

/**
 * Verifies that the multipliers are the adjoints, every way lagrad knows: runs each schedule (by
 * name, through the schedule table: reverse, forward, dense, paths, fd by default; a schedule that
 * refuses — too large, too many paths — is reported as skipped with its reason), compares their
 * multipliers over every variable, certifies the KKT conditions and the dot-product identity at the
 * reverse solution (or at the multipliers handed in), and checks finite differences.
 *
 * Disagreements are relative to μ_j = Σ over paths j → o of |w_o ∏ J| (the adjoint with every
 * partial and weight replaced by its absolute value), the scale of the rounding error of any
 * summation of the chain rule; a floor of max(|a|, |b|) keeps it relative where μ_j vanishes.
 */
export function verify(program: Program, at?: Point, options: VerifyOptions = {}): VerifyReport {
  const table = options.table ?? defaultSchedules;
  const tolerances: Tolerances = { ...DEFAULT_TOLERANCES, ...options.tolerances };
  const inputs = resolvePoint(program, at);
  const weights = resolveWeights(program, options.output, options.weights);
  const settings: SolveOptions = { maxSize: VERIFY_DENSE_LIMIT, ...options.settings };
  // Entries: one per scalar variable, one per entry of a block (slots = size without blocks).
  const { size, slots, inputSlots } = program;
  const owner = (s: number) => (program.layout === null ? s : program.layout.variableOf(s));

  const reference = table.get('reverse').solve({ program, inputs, weights }, { ...settings, multipliers: true });
  if (reference.lambda === null) throw new LagradError(`schedule 'reverse'`, 'returned no multipliers');
  const values = reference.values;
  const runs: Record<string, ScheduleRun> = {};
  const names = ['reverse', ...(options.schedules ?? VERIFY_SCHEDULES).filter((n) => n !== 'reverse')];
  for (const name of names) {
    runs[name] = name === 'reverse' ? report(program, name, reference.gradient, reference.lambda, reference.stats) : run(program, table, name, inputs, weights, settings);
  }

  const lambda = candidate(program, reference.lambda, options.multipliers);
  const compared: { name: string; lambda: Float64Array | null; gradient: Float64Array }[] = [];
  if (options.multipliers !== undefined) compared.push({ name: 'given', lambda, gradient: lambda.subarray(0, inputSlots) });
  for (const [name, r] of Object.entries(runs)) {
    if (r.entries === null || name === 'fd') continue;
    compared.push({ name, lambda: r.lambda, gradient: r.entries });
  }

  const mu = program.layout === null ? absoluteAdjoint(program, localPartials(program, values), weights) : blockAbsoluteAdjoint(program, values, weights);
  const disagreement = new Float64Array(size);
  let worstPair = '';
  let worstVariable = -1;
  let maxDisagreement = 0;
  for (let a = 0; a < compared.length; a++) {
    for (let b = a + 1; b < compared.length; b++) {
      const A = compared[a];
      const B = compared[b];
      const count = A.lambda && B.lambda ? slots : inputSlots;
      for (let j = 0; j < count; j++) {
        const x = j < inputSlots ? A.gradient[j] : A.lambda![j];
        const y = j < inputSlots ? B.gradient[j] : B.lambda![j];
        const d = ratio(x - y, Math.max(mu[j], Math.abs(x), Math.abs(y)));
        const variable = owner(j);
        if (!(d <= disagreement[variable])) disagreement[variable] = d;
        if (!(d <= maxDisagreement)) {
          maxDisagreement = d;
          worstVariable = j;
          worstPair = `${A.name} ${fmt(x)} vs ${B.name} ${fmt(y)}`;
        }
      }
    }
  }
  const worstLabel = worstVariable < 0 ? '' : slotLabel(program, worstVariable);
  const multiplierCheck = check('multipliers', maxDisagreement, tolerances.multipliers, worstVariable < 0 ? -1 : owner(worstVariable), worstLabel, `${compared.length} solutions compared${worstPair ? `; worst ${worstPair}` : ''}`);

  const certificate = certify(program, values, lambda, weights, { seed: options.seed, tolerances });
  const checks: Check[] = [multiplierCheck, certificate.primal, certificate.dual, certificate.dotProduct];

  let finiteDifference: VerifyReport['finiteDifference'] = null;
  const fd = runs.fd;
  if (fd && fd.entries) {
    let M = Math.abs(objective(program, weights, values));
    for (let j = 0; j < slots; j++) if (mu[j] > 0) M = Math.max(M, Math.abs(values[j]));
    let worst = -1;
    let maxError = 0;
    for (let k = 0; k < inputSlots; k++) {
      const g = lambda[k];
      const e = ratio(fd.entries[k] - g, Math.max(Math.abs(g), M / Math.max(1, Math.abs(inputs[k]))));
      if (worst < 0 || !(e <= maxError)) [worst, maxError] = [k, e];
    }
    finiteDifference = { maxError, errorEstimate: fd.stats!.errorEstimate ?? NaN, step: fd.stats!.step ?? NaN };
    let detail = `central differences, step ≤ ${fmt(finiteDifference.step)}, Richardson estimate ≤ ${fmt(finiteDifference.errorEstimate)}`;
    if (program.layout !== null) {
      // On blocks, also along one random direction d of every input entry: (f(x + hd) − f(x − hd))/2h against ⟨λ_x, d⟩.
      const along = directionalDifference(program, inputs, weights, lambda, randomDirection(inputSlots, (options.seed ?? 1) + 1), M);
      finiteDifference = { ...finiteDifference, direction: along.error };
      detail += `; along a random direction ${fmt(along.derivative)} vs ⟨λ, d⟩ = ${fmt(along.expected)}`;
      if (!(along.error <= maxError)) [worst, maxError] = [-1, along.error];
      finiteDifference = { ...finiteDifference, maxError };
    }
    checks.push(check('finiteDifference', maxError, tolerances.finiteDifference, worst < 0 ? -1 : owner(worst), worst < 0 ? 'a random direction' : slotLabel(program, worst), detail));
  }

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
    maxMultiplierDisagreement: maxDisagreement,
    disagreement,
    kkt: { primal: certificate.primal.value, dual: certificate.dual.value },
    dotProduct: certificate.dotProduct.value,
    finiteDifference,
    certificate,
    checks,
    worst,
    tolerances,
  };
}

/** Runs one schedule asking for every multiplier; if it refuses them, for the gradient; if it refuses that, skipped. */
function run(program: Program, table: ScheduleTable, name: string, inputs: Float64Array, weights: Float64Array, settings: SolveOptions): ScheduleRun {
  if (!table.names().includes(name)) return skipped(name, 'not registered');
  const schedule = table.get(name);
  try {
    const s = schedule.solve({ program, inputs, weights }, { ...settings, multipliers: true });
    return report(program, name, s.gradient, s.lambda, s.stats);
  } catch (first) {
    if (!(first instanceof LagradError)) throw first;
    try {
      const s = schedule.solve({ program, inputs, weights }, { ...settings, multipliers: false });
      return { ...report(program, name, s.gradient, s.lambda, s.stats), note: `multipliers refused: ${first.what}` };
    } catch (second) {
      if (!(second instanceof LagradError)) throw second;
      return skipped(name, second.what);
    }
  }
}

function report(program: Program, name: string, gradient: Float64Array, lambda: Float64Array | null, stats: Stats): ScheduleRun {
  return { name, gradient: Object.fromEntries(program.inputNames.map((n, k) => [n, valueIn(program, gradient, k)])), entries: gradient, lambda, stats };
}

function skipped(name: string, why: string): ScheduleRun {
  return { name, gradient: null, entries: null, lambda: null, stats: null, skipped: why };
}

/** The multipliers to certify: reverse's, replaced in whole or by name by those handed in. */
function candidate(program: Program, reverse: Float64Array, given: VerifyOptions['multipliers']): Float64Array {
  if (given === undefined) return reverse;
  if (typeof (given as ArrayLike<number>).length === 'number') {
    const array = given as ArrayLike<number>;
    const what = program.layout === null ? `all ${program.size} variables` : `every entry of all ${program.size} variables (${program.slots})`;
    if (array.length !== program.slots) throw new LagradError('multipliers', `expected λ of ${what}, got ${array.length}`);
    return Float64Array.from(array);
  }
  const lambda = Float64Array.from(reverse);
  for (const [name, value] of Object.entries(given as Record<string, BlockValue>)) {
    const i = program.indexOf(name);
    fillBlock(lambda, program.layout === null ? i : program.layout.offset[i], program.shape(i), value, `multiplier of '${name}'`);
  }
  return lambda;
}

/** |x| / scale, 0 when x is 0; NaN and infinities compare as failures. */
function ratio(x: number, scale: number): number {
  if (x === 0) return 0;
  if (!Number.isFinite(x)) return Infinity;
  return Math.abs(x) / scale;
}

function worstOf(program: Program, name: Check['name'], relative: Float64Array, tolerance: number, detail: string): Check {
  let worst = -1;
  for (let i = 0; i < relative.length; i++) if (worst < 0 || !(relative[i] <= relative[worst])) worst = i;
  const value = worst < 0 ? 0 : relative[worst];
  return check(name, value, tolerance, value === 0 ? -1 : worst, value === 0 ? '' : labelOf(program, worst), detail);
}

function check(name: Check['name'], value: number, tolerance: number, variable: number, label: string, detail: string): Check {
  return { name, value, tolerance, ok: value <= tolerance, variable, label, detail };
}

/** A variable's name, or `#i` when it has none. */
export function labelOf(program: Program, i: number): string {
  return i < 0 ? '' : (program.nameOf(i) ?? `#${i}`);
}

/** Six significant digits, in exponent form when small or large. */
function fmt(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6 ? String(Number(x.toPrecision(6))) : x.toExponential(2);
}

/** A seeded direction, uniform in [−1, 1) per variable (mulberry32: small, fast, reproducible). */
function randomDirection(size: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
