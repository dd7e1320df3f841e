import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { json } from '../src/cli/format.ts';
import { commands } from '../src/cli/main.ts';
import { isMissing, missing, requireOptional } from '../src/cli/optional.ts';
import { optionsOf } from '../src/cli/usage.ts';
import { lagrad } from './helpers/cli.ts';

// The command line's conventions (issue 11): --version, help, every option documented with its
// default, exit statuses, JSON that is the same bytes on every run, errors as JSON under --json.

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const lecture = { 'lecture.lag': readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8') };

describe('help and version', () => {
  it('lagrad --version prints the package version', async () => {
    expect(await lagrad(['--version'])).toMatchObject({ status: 0, out: `${manifest.version}\n`, err: '' });
  });

  it('no arguments: the help on standard error, exit 2', async () => {
    const r = await lagrad([]);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^lagrad — gradients/);
    for (const c of commands) expect(r.err).toContain(`  ${c.name}`);
  });

  it('lagrad --help and lagrad help: the same text on standard output, exit 0', async () => {
    const a = await lagrad(['--help']);
    expect(a.status).toBe(0);
    expect(await lagrad(['help'])).toEqual(a);
    expect(a.out).toMatch(/Exit status: 0 success; 1 .*\n2 a usage error/);
  });

  for (const command of commands) {
    it(`lagrad help ${command.name} = lagrad ${command.name} --help = -h; every option with a line and its default`, async () => {
      const viaHelp = await lagrad(['help', command.name]);
      expect(viaHelp.status).toBe(0);
      expect(await lagrad([command.name, '--help'])).toEqual(viaHelp);
      expect(await lagrad([command.name, 'x', '-h'])).toEqual(viaHelp);
      const lines = viaHelp.out.split('\n');
      for (const [name, spec] of Object.entries(optionsOf(command)).filter(([, s]) => !s.hidden)) {
        const line = lines.find((l) => l.startsWith(`  --${name} `) || l === `  --${name}`);
        expect(line, `--${name}`).toBeDefined();
        // flag (and placeholder), then a description of at least a few words
        expect(line!.replace(/^ {2}--\S+( [A-Z=,.\d-]+)? +/, '').split(' ').length, `--${name}`).toBeGreaterThanOrEqual(
          2,
        );
        if (spec.type === 'string') expect(line, `--${name}`).toMatch(/\(default .+\)$/);
      }
      expect(viaHelp.out).toContain('a flag without a value is off unless given');
    });
  }
});

describe('exit statuses and errors under --json', () => {
  it('an error in the program: exit 1, and under --json one JSON object on standard error', async () => {
    const plain = await lagrad(['grad', 'log(x)', '--at', 'x=-1']);
    expect([plain.status, plain.err]).toEqual([1, 'lagrad: expression:1:1: log(-1) = NaN: not a finite number\n']);
    const r = await lagrad(['grad', 'log(x)', '--at', 'x=-1', '--json']);
    expect(r.status).toBe(1);
    expect(r.out).toBe('');
    expect(r.err.endsWith('\n')).toBe(true);
    expect(JSON.parse(r.err)).toEqual({
      error: { where: 'expression:1:1', what: 'log(-1) = NaN: not a finite number' },
    });
  });

  it('a usage error under --json: exit 2, JSON too, even when the option is what is wrong', async () => {
    for (const argv of [
      ['grad', 'x', '--json', '--frob'],
      ['grad', '--json'],
      ['grad', 'x', 'y', '--json'],
      ['grad', 'x', '--json', '--schedule', 'nope'],
    ]) {
      const r = await lagrad(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      const { error } = JSON.parse(r.err);
      expect(Object.keys(error)).toEqual(['where', 'what']);
    }
  });

  it('--json after -- is an argument, not the flag', async () => {
    const r = await lagrad(['eval', '--at', 'x=2', '--', '-x^2']);
    expect(r).toMatchObject({ status: 0, out: '-4\n' });
  });

  it('a failed verify under --json: the report on standard output, the failure as JSON on standard error', async () => {
    // Finite differences cannot resolve a wavelength of 6e-8 (a check that fails for a true reason).
    const r = await lagrad(['verify', 'sin(1e8 * x)', '--at', 'x=1', '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.out).ok).toBe(false);
    expect(JSON.parse(r.err).error.where).toBe('verify');
  });
});

describe('nothing given twice is silently dropped', () => {
  it('a flag of one value given twice is a usage error naming it, for every command', async () => {
    for (const c of commands) {
      const specs = optionsOf(c);
      for (const [name, spec] of Object.entries(specs)) {
        if (spec.multiple || name === 'help') continue;
        const flag = spec.type === 'string' ? [`--${name}=1`, `--${name}`, '2'] : [`--${name}`, `--${name}`];
        const r = await lagrad([c.name, ...flag]);
        expect(r.status, `${c.name} ${flag.join(' ')}`).toBe(2);
        const expected =
          name === 'json'
            ? '{"error":{"where":"--json","what":"is given more than once; give it once"}}\n'
            : `lagrad: --${name}: is given more than once; give it once\n`;
        expect(r.err, `${c.name} ${flag.join(' ')}`).toBe(expected);
      }
    }
  });

  it('an input given twice in --at, in one group or across groups, is a usage error naming both values', async () => {
    for (const at of [
      ['--at', 'x=1,y=2,x=3'],
      ['--at', 'x=1', '--at', 'y=2,x=3'],
      ['--at', '__proto__=1', '--at', '__proto__=3'],
    ]) {
      const r = await lagrad(['grad', 'x * y', ...at]);
      expect(r.status, at.join(' ')).toBe(2);
      expect(r.err).toMatch(/^lagrad: --at: (x|__proto__) is given twice \(1 and 3\); give each input once\n$/);
    }
    // Distinct inputs across groups still add up.
    expect((await lagrad(['eval', 'x * y', '--at', 'x=2', '--at', 'y=3'])).out).toBe('6\n');
  });
});

describe('--json is the same bytes on every run', () => {
  for (const argv of [
    ['grad', 'lecture.lag', '--json', '--multipliers'],
    ['grad', 'lecture.lag', '--json', '--schedule', 'forward'],
    ['verify', 'lecture.lag', '--json'],
    ['eval', 'lecture.lag', '--json', '--values'],
    ['tradeoff', 'lecture.lag', '--json', '--points', '4'],
  ]) {
    it(argv.join(' '), async () => {
      const a = await lagrad(argv, lecture);
      const b = await lagrad(argv, lecture);
      expect(a.status).toBe(0);
      expect(b.out).toBe(a.out);
      expect(a.out).not.toContain('timeMs');
    });
  }

  it('timings only under --timing', async () => {
    const r = await lagrad(['grad', 'lecture.lag', '--json', '--timing'], lecture);
    expect(typeof JSON.parse(r.out).stats.timeMs).toBe('number');
  });

  it('a number that is not finite is null in JSON, never a string', () => {
    expect(json({ a: Infinity, b: -Infinity, c: NaN, d: [1, NaN], e: 'Infinity', f: 0.1 })).toBe(
      '{"a":null,"b":null,"c":null,"d":[1,null],"e":"Infinity","f":0.1}',
    );
  });
});

describe('--at reads names without a prototype', () => {
  it('__proto__ is a name like any other: not an input here, an input there', async () => {
    const r = await lagrad(['grad', 'x * 2', '--at', 'x=1,__proto__=5']);
    expect([r.status, r.err]).toEqual([1, "lagrad: input '__proto__': no input has this name\n"]);
    const p = await lagrad(['grad', 'p.lag', '--at', '__proto__=5', '--json'], {
      'p.lag': 'input __proto__\ny = 3 * __proto__^2\noutput y\n',
    });
    expect(p.status).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({ value: 75, gradient: { ['__proto__']: 30 } });
  });
});

describe('optional packages (plots, progress bars)', () => {
  it('a missing one is null to the progress bar and one line naming what to install', () => {
    expect(requireOptional('lagrad-no-such-package')).toBeNull();
    expect(requireOptional<{ SingleBar: unknown }>('cli-progress')?.SingleBar).toBeDefined(); // a dev dependency here
    expect(missing('plotting', ['vega', 'vega-lite']).message).toBe(
      'plotting: needs the optional packages vega and vega-lite: npm install vega vega-lite',
    );
    const notFound = Object.assign(new Error("Cannot find package 'vega' imported from /x/lagrad.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    expect(isMissing(notFound, 'vega')).toBe(true);
    expect(isMissing(notFound, 'vega-lite')).toBe(false);
    expect(isMissing(new Error("Cannot find package 'vega'"), 'vega')).toBe(false); // no code: some other failure
  });
});
