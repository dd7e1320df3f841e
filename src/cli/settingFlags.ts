import { LagradError, OptionError } from '../error.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { flagOf, type Setting, type SettingValue } from '../schedule/settings.ts';
import type { Flags, OptionSpec } from './command.ts';
import { NUMBER } from './source.ts';

// The schedules' settings as command-line flags, derived from their declarations: the flag is the
// setting's name in kebab-case (`maxPaths` → `--max-paths`), its value is parsed by its type, and
// `--help` lists each with its help line, range and default. Nothing here names a setting.

/**
 * The settings as options of a command: the flag is the setting's name in kebab-case, its --help
 * line the setting's help and range, its default the declared one. A setting `listed` rejects is
 * still parsed (so that giving it is an error saying which schedule reads it) but not listed.
 */
export function settingSpecs(
  settings: readonly Setting[],
  listed: (s: Setting) => boolean = () => true,
): Record<string, OptionSpec> {
  return Object.fromEntries(
    settings.map((s) => [
      flagOf(s.name),
      {
        type: s.type === 'boolean' ? ('boolean' as const) : ('string' as const),
        value: s.type === 'enum' ? 'NAME' : s.type === 'integer' ? 'N' : 'X',
        help: `${s.help}; ${s.range}`,
        default: defaultOf(s),
        ...(listed(s) ? {} : { hidden: true as const }),
      },
    ]),
  );
}

/** The settings given on the command line, by API name, parsed and checked; an error names the flag. */
export function settingsFromFlags(flags: Flags, settings: readonly Setting[]): Record<string, SettingValue> {
  const given: Record<string, SettingValue> = {};
  for (const s of settings) {
    const text = flags[flagOf(s.name)];
    if (text === undefined) continue;
    given[s.name] = asFlags(() => s.check(parseValue(s, text)));
  }
  return given;
}

function parseValue(s: Setting, text: string | boolean | string[]): unknown {
  if (typeof text !== 'string') return text;
  if (s.type !== 'number' && s.type !== 'integer') return text;
  const t = text.trim();
  if (NUMBER.test(t) || /^[+-]?Infinity$/.test(t)) return Number(t);
  throw new LagradError(`--${flagOf(s.name)}`, `'${text}' is not a number`);
}

/**
 * Runs `f` and renders an OptionError from the API with its flag (`lanes: …` → `--lanes: …`),
 * so the command line names what the user typed.
 */
export function asFlags<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof OptionError) throw new LagradError(`--${flagOf(e.option)}`, e.what);
    throw e;
  }
}

/** The schedules for `--help`: each with its summary and the flags of the settings it reads. */
export function schedulesHelp(schedules: readonly Schedule[]): string {
  const width = Math.max(...schedules.map((s) => s.name.length)) + 2;
  const lines = ['schedules, and the settings each reads (giving one the chosen schedule does not read is an error):'];
  for (const s of schedules) {
    lines.push(`  ${s.name.padEnd(width)}${s.summary}`);
    if (s.settings?.length)
      lines.push(`  ${''.padEnd(width)}${s.settings.map((x) => `--${flagOf(x.name)}`).join(' ')}`);
  }
  return lines.join('\n');
}

function defaultOf(s: Setting): string {
  if (s.default !== undefined) return String(s.default);
  return s.defaultText ?? 'none';
}
