import { LagradError, OptionError } from '../error.ts';
import { suggest } from '../primitives/registry.ts';

// A schedule declares the settings it reads, once, next to the code that reads them. From those
// declarations the API validates its options (unknown, mistyped, out of range, or not read by the
// chosen schedule: each an error naming the option), schedules read their values typed and with
// defaults, and the CLI derives its flags (`maxPaths` → `--max-paths`), value parsing and --help.

export type SettingValue = number | string | boolean;

/** One setting of a schedule: name, type, range, default and one line of help. */
export interface Setting<
  N extends string = string,
  T extends SettingValue = SettingValue,
  D extends T | undefined = T | undefined,
> {
  /** The API name, camelCase; the CLI flag is its kebab-case (`flagOf`). */
  readonly name: N;
  readonly type: 'number' | 'integer' | 'enum' | 'boolean';
  /** One line for --help and the docs. */
  readonly help: string;
  /** The value when none is given; undefined when the schedule computes it (see `defaultText`). */
  readonly default: D;
  /** The default in words for --help when it is computed ('⌈log₂(N + 1)⌉'). */
  readonly defaultText?: string;
  /** An enum's values. */
  readonly values?: readonly string[];
  /** The allowed values in words: 'an integer ≥ 1', 'one of auto, fixed-point, newton'. */
  readonly range: string;
  /** The value when it is allowed; otherwise an OptionError `lanes: must be an integer ≥ 1, got 0`. */
  check(value: unknown): T;
}

/** The values of a list of settings as a schedule reads them: typed, defaults filled in. */
export type SettingValues<L extends readonly Setting[]> = {
  readonly [S in L[number] as S['name']]: S extends Setting<string, infer T, infer D>
    ? undefined extends D
      ? T | undefined
      : T
    : never;
};

/** The settings a caller may give for a list of settings: each optional, typed. */
export type GivenSettings<L extends readonly Setting[]> = string extends L[number]['name']
  ? { readonly [setting: string]: unknown }
  : { readonly [S in L[number] as S['name']]?: S extends Setting<string, infer T> ? T : never };

interface Spec<N extends string, D> {
  readonly name: N;
  readonly help: string;
  readonly default?: D;
  readonly defaultText?: string;
}

interface Bounds {
  /** Smallest allowed value (inclusive). */
  readonly min?: number;
  /** Values must exceed this (exclusive), e.g. 0 for a step. */
  readonly above?: number;
  /** Largest allowed value (inclusive); Infinity allowed when it is. */
  readonly max?: number;
}

/** A real-valued setting: a finite number within bounds (Infinity only when `max` is Infinity). */
export function numberSetting<const N extends string, D extends number | undefined = undefined>(
  spec: Spec<N, D> & Bounds,
): Setting<N, number, D> {
  return numeric(spec, 'number');
}

/** A whole-number setting (a count, a limit). */
export function integerSetting<const N extends string, D extends number | undefined = undefined>(
  spec: Spec<N, D> & Bounds,
): Setting<N, number, D> {
  return numeric(spec, 'integer');
}

/** One of a fixed list of names. */
export function enumSetting<const N extends string, const V extends string, D extends V | undefined = undefined>(
  spec: Spec<N, D> & { readonly values: readonly V[] },
): Setting<N, V, D> & { readonly values: readonly V[] } {
  const range = `one of ${spec.values.join(', ')}`;
  return {
    name: spec.name,
    type: 'enum',
    help: spec.help,
    default: spec.default as D,
    defaultText: spec.defaultText,
    values: spec.values,
    range,
    check(value: unknown): V {
      if (typeof value === 'string' && (spec.values as readonly string[]).includes(value)) return value as V;
      const shown = typeof value === 'string' ? `'${value}'${suggest(value, spec.values)}` : describe(value);
      throw new OptionError(spec.name, `must be ${range}, got ${shown}`);
    },
  };
}

/** On or off. */
export function booleanSetting<const N extends string>(spec: Spec<N, boolean>): Setting<N, boolean, boolean> {
  return {
    name: spec.name,
    type: 'boolean',
    help: spec.help,
    default: spec.default ?? false,
    defaultText: spec.defaultText,
    range: 'true or false',
    check(value: unknown): boolean {
      if (typeof value === 'boolean') return value;
      throw new OptionError(spec.name, `must be true or false, got ${describe(value)}`);
    },
  };
}

function numeric<N extends string, D extends number | undefined>(
  spec: Spec<N, D> & Bounds,
  type: 'number' | 'integer',
): Setting<N, number, D> {
  const { min, above, max } = spec;
  const noun = type === 'integer' ? 'an integer' : 'a number';
  const lower = min !== undefined ? `≥ ${min}` : above !== undefined ? `> ${above}` : '';
  const upper = max !== undefined && max !== Infinity ? `≤ ${max}` : '';
  const bounds = [lower, upper].filter(Boolean);
  const range = `${noun}${bounds.length ? ' ' + bounds.join(' and ') : ''}`;
  return {
    name: spec.name,
    type,
    help: spec.help,
    default: spec.default as D,
    defaultText: spec.defaultText,
    range,
    check(value: unknown): number {
      const ok =
        typeof value === 'number' &&
        (Number.isFinite(value) || value === max) &&
        (type === 'number' || Number.isSafeInteger(value) || value === Infinity) &&
        !(min !== undefined && value < min) &&
        !(above !== undefined && value <= above) &&
        !(max !== undefined && value > max);
      if (!ok) throw new OptionError(spec.name, `must be ${range}, got ${describe(value)}`);
      return value as number;
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined)
    return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The CLI flag of a setting or option: `maxPathEdges` → `max-path-edges`. */
export function flagOf(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The options every solve takes besides its schedule's settings (see SolveOptions). */
export const SOLVE_OPTIONS: readonly string[] = ['multipliers', 'workspace', 'progress'];

/**
 * The values of `declared` in `options`, checked and typed, defaults filled in. Any other key of
 * options (besides SOLVE_OPTIONS) is an error naming it, so a misspelled setting never runs the
 * default silently; a key given as undefined counts as not given.
 */
export function readSettings<const L extends readonly Setting[]>(declared: L, options: object = {}): SettingValues<L> {
  const given = options as Readonly<Record<string, unknown>>;
  // for…in with own names (Object.keys without its array): this runs on every solve.
  let any = false;
  for (const key in given) {
    if (!Object.hasOwn(given, key) || given[key] === undefined || SOLVE_OPTIONS.includes(key)) continue;
    if (settingNamed(declared, key) === undefined)
      throw unknownOption(key, [...SOLVE_OPTIONS, ...declared.map((s) => s.name)]);
    any = true;
  }
  return any ? settingValues(declared, given) : defaultsOf(declared);
}

const defaults = new WeakMap<readonly Setting[], object>();

/** The values of settings none of which was given: their defaults, computed once per list. */
function defaultsOf<const L extends readonly Setting[]>(declared: L): SettingValues<L> {
  let values = defaults.get(declared);
  if (values === undefined) defaults.set(declared, (values = Object.freeze(settingValues(declared, {}))));
  return values as SettingValues<L>;
}

/** The setting of this name among `declared`, if any (a loop: no closure per call). */
function settingNamed(declared: readonly Setting[], name: string): Setting | undefined {
  for (let k = 0; k < declared.length; k++) if (declared[k].name === name) return declared[k];
  return undefined;
}

/**
 * The values of `declared` among `options`, checked and typed, defaults filled in; other keys are
 * left alone — for a core function handed a schedule's whole settings (solvePrimal).
 */
export function settingValues<const L extends readonly Setting[]>(declared: L, options: object): SettingValues<L> {
  const given = options as Readonly<Record<string, unknown>>;
  const values: Record<string, SettingValue | undefined> = {};
  for (const s of declared) {
    const value = given[s.name];
    values[s.name] = value === undefined ? s.default : s.check(value);
  }
  return values as SettingValues<L>;
}

/** Who is checking options, for messages: `schedule 'paths'`, and the schedules that might read a setting. */
export interface OptionContext {
  readonly schedule: string;
  /** The schedules that might read a setting (asked only when one is not the chosen schedule's). */
  readonly others?: () => readonly { readonly name: string; readonly settings?: readonly Setting[] }[];
}

/**
 * Checks the options of an API call: each key is one of the call's own options (`general`) or a
 * setting of the schedule it runs (`declared`). A key that another schedule reads is an error
 * saying which do (`lanes: not read by schedule 'paths' (forward reads it)`); any other key is
 * unknown, with the nearest name suggested. Values of settings are checked as well.
 */
export function checkOptions(
  options: object,
  general: readonly string[],
  declared: readonly Setting[],
  context: OptionContext,
): void {
  if (optionsAccepted(options, general, declared)) return;
  const given = options as Readonly<Record<string, unknown>>;
  for (const key of Object.keys(given)) {
    if (given[key] === undefined || general.includes(key) || settingNamed(declared, key) !== undefined) continue;
    const readers = (context.others?.() ?? [])
      .filter((s) => s.settings?.some((x) => x.name === key))
      .map((s) => s.name);
    if (readers.length > 0)
      throw new OptionError(
        key,
        `not read by ${context.schedule} (${readers.join(', ')} ${readers.length === 1 ? 'reads' : 'read'} it)`,
      );
    throw unknownOption(key, [...general, ...declared.map((s) => s.name)]);
  }
}

/**
 * checkOptions without building its messages, for the API's every call: true when each key is one
 * of `general` or a declared setting whose value is allowed (a value that is not throws, as in
 * checkOptions); false when some key is neither — checkOptions then says which and why.
 */
export function optionsAccepted(
  options: object,
  general: readonly string[],
  declared: readonly Setting[] = [],
): boolean {
  requireOptions(options);
  const given = options as Readonly<Record<string, unknown>>;
  for (const key in given) {
    if (!Object.hasOwn(given, key) || given[key] === undefined || general.includes(key)) continue;
    const setting = settingNamed(declared, key);
    if (setting === undefined) return false;
    setting.check(given[key]);
  }
  return true;
}

/** Options are an object of named values (undefined: none); anything else is an error saying what it got. */
export function requireOptions(options: unknown): void {
  if (options === undefined || (typeof options === 'object' && options !== null && !Array.isArray(options))) return;
  throw new LagradError('options', `must be an object of named options, got ${describe(options)}`);
}

function unknownOption(key: string, known: readonly string[]): LagradError {
  const hint = suggest(key, known);
  return new LagradError(`'${key}'`, `unknown option${hint || `; the options are ${known.join(', ')}`}`);
}

/** The settings read by any of these schedules, each once, in order of first appearance. */
export function settingsRead(schedules: readonly { readonly settings?: readonly Setting[] }[]): Setting[] {
  const seen = new Map<string, Setting>();
  for (const schedule of schedules) for (const s of schedule.settings ?? []) if (!seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()];
}
