import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli/main.ts';
import { lagrad } from './helpers/cli.ts';
import { readFileSync } from 'node:fs';

// What `--help` shows is run (issue 9, family 9): for every command, every option its help lists
// is given on the command line — with its documented default where the default is a value, which
// must then change nothing — and runs; a flag without a value runs when given.

const files = Object.fromEntries(
  ['examples/lecture.lag', 'examples/fixed-point.lag'].map((path) => [
    path,
    readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'),
  ]),
);

/** Settings that only a cyclic program exercises: run them on the fixed point. */
const CYCLIC = new Set(['--primal', '--tolerance', '--max-iterations', '--restart', '--preconditioner']);

interface Listed {
  readonly flag: string;
  /** The value placeholder (`N`, `NAME`), or undefined for a flag without a value. */
  readonly value: string | undefined;
  /** The documented default, as written. */
  readonly default: string | undefined;
}

/** The options a help text lists, and which schedules read each (from its schedules section). */
function listed(help: string): { options: Listed[]; readers: Map<string, string[]> } {
  const options: Listed[] = [];
  const readers = new Map<string, string[]>();
  let schedule: string | null = null;
  let inSchedules = false;
  for (const line of help.split('\n')) {
    if (/^schedules, and the settings each reads/.test(line)) inSchedules = true;
    if (inSchedules) {
      const named = /^ {2}(\w+) {2,}\S/.exec(line);
      if (named) schedule = named[1];
      else if (schedule && /^ +--/.test(line))
        for (const flag of line.trim().split(/\s+/)) readers.set(flag, [...(readers.get(flag) ?? []), schedule]);
      continue;
    }
    const m = /^ {2}(--[\w-]+)(?: (\S+))? {2,}(.*)$/.exec(line);
    if (m) options.push({ flag: m[1], value: m[2], default: /\(default (.*)\)$/.exec(m[3])?.[1] });
  }
  return { options, readers };
}

/** A default that can be given back as the flag's value (`1e-12`, `auto`), not a description. */
const literal = (text: string | undefined) => text !== undefined && /^[\w.+-]+$/.test(text) && text !== 'none';

describe('every option of every command’s --help runs, with its documented default', () => {
  for (const command of commands) {
    it(`lagrad ${command.name}`, async () => {
      const help = (await lagrad([command.name, '--help'])).out;
      const { options, readers } = listed(help);
      expect(options.length, help).toBeGreaterThan(1);
      // A positional source (`lagrad grad <source>`), not an option's value (`--program <source>`).
      const takesSource = /lagrad \w+ <source>/.test(help);
      const json = options.some((o) => o.flag === '--json') ? ['--json'] : [];
      let defaultsChecked = 0;
      for (const option of options) {
        if (option.flag === '--help') continue;
        const source = takesSource
          ? [CYCLIC.has(option.flag) ? 'examples/fixed-point.lag' : 'examples/lecture.lag']
          : [];
        // A schedule's setting is given with a schedule that reads it (or per schedule, when its default is).
        const perSchedule = [...(option.default ?? '').matchAll(/([\w-]+) \((\w+)\)/g)].map((m) => ({
          value: m[1],
          schedule: m[2],
        }));
        const reader = readers.get(option.flag)?.find((s) => s !== 'auto');
        const runs = perSchedule.length > 0 ? perSchedule : [{ value: option.default, schedule: reader }];
        for (const { value, schedule } of runs) {
          // --json itself is given once (a flag given twice is an error).
          const base = [
            command.name,
            ...source,
            ...(schedule && command.name !== 'verify' ? ['--schedule', schedule] : []),
            ...(option.flag === '--json' ? [] : json),
          ];
          if (option.value === undefined) {
            const r = await lagrad([...base, option.flag], files);
            expect(r.status, `${base.join(' ')} ${option.flag}: ${r.err}`).toBe(0);
            continue;
          }
          if (!literal(value)) continue;
          const without = await lagrad(base, files);
          const given = await lagrad([...base, option.flag, value!], files);
          expect(without.status, `${base.join(' ')}: ${without.err}`).toBe(0);
          expect(given.status, `${base.join(' ')} ${option.flag} ${value}: ${given.err}`).toBe(0);
          expect(given.out, `${option.flag} ${value} is its default`).toBe(without.out);
          defaultsChecked++;
        }
      }
      // Every command with options of a value has defaults that were given back and checked.
      if (options.some((o) => literal(o.default))) expect(defaultsChecked).toBeGreaterThan(0);
    }, 120_000);
  }
});
