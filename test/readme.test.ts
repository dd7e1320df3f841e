import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { lagrad } from './helpers/cli.ts';

// What the README shows is run (issue 9, family 9): every command of its ```sh blocks that starts
// with `npm run -s lagrad --` or `lagrad` (optionally after `$ ` or `printf '…' |` for standard
// input), and every ```ts and ```js block. Where the README shows an output it must be the real one:
// - in a ```sh block, the `# ` lines right after a command are its output (standard output, then
//   standard error), `…` standing for any text, and `# exit N` its exit status (else 0);
// - in a ``` block, a `$ ` line is a command and the lines up to the next are its output;
// - in code, `expression;   // value` compares the value: a number (`0.1411…`: its leading
//   digits), true or false, or an object or array of them, `{ x, y: 1.5… }` naming keys in order.

const root = fileURLToPath(new URL('..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly line: number;
  readonly lines: readonly string[];
}

const blocks: Block[] = [];
{
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    blocks.push({ lang: open[1], line: start + 1, lines: lines.slice(start, end) });
    i = end;
  }
}

// ── commands ──────────────────────────────────────────────────────────────────────────────────

interface Command {
  readonly line: number;
  readonly argv: string[];
  readonly stdin: string;
  readonly shown: string | null;
  readonly status: number;
}

const COMMAND = /^(?:\$ )?(?:printf ('[^']*') \| )?(?:npm run -s lagrad --|lagrad)(?= |$)(.*)$/;

/** Shell words: single and double quotes, no expansion. */
function words(text: string): string[] {
  const out: string[] = [];
  let word: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === ' ') {
      if (word !== null) out.push(word);
      word = null;
    } else if (c === '#' && word === null) {
      break; // a comment
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

function commands(block: Block): Command[] {
  const found: Command[] = [];
  const { lines } = block;
  for (let i = 0; i < lines.length; i++) {
    const m = COMMAND.exec(lines[i]);
    if (!m || (block.lang === '' && !lines[i].startsWith('$ '))) continue;
    const stdin = m[1] ? m[1].slice(1, -1).replace(/\\n/g, '\n') : '';
    const output: string[] = [];
    let status = 0;
    let k = i + 1;
    if (block.lang === 'sh') {
      for (; k < lines.length && lines[k].startsWith('# '); k++) {
        const exit = /^# exit (\d+)$/.exec(lines[k]);
        if (exit) status = Number(exit[1]);
        else output.push(lines[k].slice(2));
      }
    } else {
      for (; k < lines.length && !lines[k].startsWith('$ '); k++) output.push(lines[k]);
      while (output.length > 0 && output[output.length - 1] === '') output.pop();
    }
    found.push({
      line: block.line + i,
      argv: words(m[2]),
      stdin,
      shown: output.length ? output.join('\n') : null,
      status,
    });
    i = k - 1;
  }
  return found;
}

/** Files read from the checkout; files written are kept in memory. */
const disk = new Proxy({} as Record<string, string>, {
  has: (_, path) => typeof path === 'string' && existsSync(join(root, path)),
  get: (_, path) => (typeof path === 'string' ? readFileSync(join(root, path), 'utf8') : undefined),
});

/** The shown text as a pattern: literal, `…` for any text. */
function pattern(shown: string): RegExp {
  return new RegExp(
    `^${shown
      .split('…')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*?')}$`,
  );
}

const allCommands = blocks.filter((b) => b.lang === 'sh' || b.lang === '').flatMap(commands);

describe('the README’s commands', () => {
  it('has commands to run, with shown outputs among them', () => {
    expect(allCommands.length).toBeGreaterThan(10);
    expect(allCommands.filter((c) => c.shown !== null).length).toBeGreaterThan(5);
  });
  for (const c of allCommands) {
    it(`line ${c.line}: lagrad ${c.argv.join(' ')}`, async () => {
      const r = await lagrad(c.argv, disk, c.stdin);
      const printed = (r.out + r.err).replace(/\n+$/, '');
      expect(r.status, printed).toBe(c.status);
      if (c.shown !== null) expect(printed).toMatch(pattern(c.shown));
    }, 60_000);
  }
});

// ── code ──────────────────────────────────────────────────────────────────────────────────────

/** A shown value, parsed: what `// …` after an expression says it is; null when it is prose. */
type Shown =
  | { kind: 'number'; text: string }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'object'; entries: [string, Shown | null][] }
  | { kind: 'array'; items: Shown[] };

function parseShown(text: string): Shown | null {
  let rest = text.trim();
  const value = (): Shown => {
    rest = rest.trimStart();
    const number = /^-?\d+(\.\d+)?(e[+-]?\d+)?…?/.exec(rest);
    if (number) {
      rest = rest.slice(number[0].length);
      return { kind: 'number', text: number[0] };
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (rest.startsWith(word) && !/^\w/.test(rest.slice(word.length))) {
        rest = rest.slice(word.length);
        return { kind: 'literal', value: v };
      }
    }
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      const entries: [string, Shown | null][] = [];
      for (;;) {
        rest = rest.trimStart();
        if (rest.startsWith('}')) break;
        const key = /^[A-Za-z_]\w*/.exec(rest);
        if (!key) throw new Error('not a value');
        rest = rest.slice(key[0].length).trimStart();
        let v: Shown | null = null;
        if (rest.startsWith(':')) {
          rest = rest.slice(1);
          v = value();
        }
        entries.push([key[0], v]);
        rest = rest.trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (!rest.startsWith('}')) throw new Error('not a value');
      }
      rest = rest.slice(1);
      return { kind: 'object', entries };
    }
    if (rest.startsWith('[')) {
      rest = rest.slice(1);
      const items: Shown[] = [];
      for (;;) {
        rest = rest.trimStart();
        if (rest.startsWith(']')) break;
        items.push(value());
        rest = rest.trimStart();
        if (rest.startsWith(',')) rest = rest.slice(1);
      }
      rest = rest.slice(1);
      return { kind: 'array', items };
    }
    throw new Error('not a value');
  };
  try {
    const shown = value();
    // What follows a value is prose (`: why`, `(…)`), never more of it.
    return /^($|[\s:(;,—])/.test(rest) ? shown : null;
  } catch {
    return null;
  }
}

/** The check of a value against what is shown, as code run beside the snippet. */
const CHECKER = `
function __check(line, value, shown) {
  const fail = (why) => { throw new Error('README line ' + line + ': ' + why); };
  const walk = (v, s, at) => {
    if (s === null) return;
    if (s.kind === 'number') {
      if (typeof v !== 'number') fail(at + ' is ' + String(v) + ', shown ' + s.text);
      const prefix = s.text.replace('…', '');
      const ok = s.text.endsWith('…') ? String(v).startsWith(prefix) : String(v) === prefix || Number(prefix) === v;
      if (!ok) fail(at + ' is ' + v + ', shown ' + s.text);
    } else if (s.kind === 'literal') {
      if (v !== s.value) fail(at + ' is ' + String(v) + ', shown ' + String(s.value));
    } else if (s.kind === 'object') {
      if (typeof v !== 'object' || v === null) fail(at + ' is not an object');
      const keys = Object.keys(v);
      let last = -1;
      for (const [key, inner] of s.entries) {
        if (!(key in v)) fail(at + ' has no ' + key);
        const k = keys.indexOf(key);
        if (k >= 0 && k < last) fail(at + ': ' + key + ' comes before the keys shown before it');
        if (k >= 0) last = k;
        walk(v[key], inner, at + '.' + key);
      }
    } else {
      if (!Array.isArray(v) && !ArrayBuffer.isView(v)) fail(at + ' is not an array');
      if (v.length !== s.items.length) fail(at + ' has ' + v.length + ' items, shown ' + s.items.length);
      s.items.forEach((item, k) => walk(v[k], item, at + '[' + k + ']'));
    }
  };
  walk(value, shown, 'the value');
}
`;

const ENTRIES: Record<string, string> = {
  lagrad: 'src/index.ts',
  'lagrad/core': 'src/core.ts',
  'lagrad/ops': 'src/frontend/ops.ts',
};
const DECLARATION = /^\s*(const|let|var|import|export|for|if|while|function|class|return|\/\/)\b/;

/** The snippet as a module: imports of the package pointed at the checkout, shown values checked. */
function runnable(block: Block): { code: string; checks: number } {
  let checks = 0;
  const lines = block.lines.map((line, k) => {
    const imported = line.replace(
      /from '(lagrad(?:\/\w+)?)'/,
      (_, name: string) => `from ${JSON.stringify(join(root, ENTRIES[name]))}`,
    );
    const m = /^(\s*)(.*?);(\s*)\/\/\s?(.*)$/.exec(imported);
    if (!m || DECLARATION.test(m[2]) || /^[\w.]+\s*=[^=]/.test(m[2])) return imported;
    const shown = parseShown(m[4]);
    if (shown === null) return imported;
    checks++;
    return `${m[1]}__check(${block.line + k}, (${m[2]}), ${JSON.stringify(shown)});${m[3]}// ${m[4]}`;
  });
  return { code: `${CHECKER}\n${lines.join('\n')}\n`, checks };
}

function node(file: string): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (status) => resolve({ status, out, err }));
  });
}

const code = blocks.filter((b) => b.lang === 'ts' || b.lang === 'js');

describe('the README’s code', () => {
  it('shows values that are checked', () => {
    expect(code.reduce((n, b) => n + runnable(b).checks, 0)).toBeGreaterThan(8);
  });
  // Inside the checkout, so a snippet's own imports (ml-matrix) resolve as a user's would.
  const dir = mkdtempSync(join(root, 'node_modules', '.lagrad-readme-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const block of code) {
    it(`the ${block.lang} block at line ${block.line} runs, and shows what it prints`, async () => {
      const file = join(dir, `line-${block.line}.mts`);
      writeFileSync(file, runnable(block).code);
      const r = await node(file);
      expect(r.err).toBe('');
      expect(r.status).toBe(0);
    }, 60_000);
  }
});

describe('the README’s parser for shown values', () => {
  it('reads numbers, objects, arrays and literals, and leaves prose alone', () => {
    expect(parseShown('0.1411…')).toEqual({ kind: 'number', text: '0.1411…' });
    expect(parseShown('{ z: 1.98999…, x: -3.95996… }  (inputs in order)')).toEqual({
      kind: 'object',
      entries: [
        ['z', { kind: 'number', text: '1.98999…' }],
        ['x', { kind: 'number', text: '-3.95996…' }],
      ],
    });
    expect(parseShown('false: λ_a is cos 3')).toEqual({ kind: 'literal', value: false });
    expect(parseShown('λ of every named variable')).toBeNull();
    expect(parseShown('{ x: Π cos(v_k) }')).toBeNull();
    expect(parseShown('[[∂u/∂x, ∂u/∂y]]')).toBeNull();
  });
});
