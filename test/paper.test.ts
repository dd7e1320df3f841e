import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPaper, experiments, PAPER_DIR } from '../paper/run.ts';
import { format, lookup, references, render } from '../paper/render.ts';

// The paper (npm run paper): every {{reference}} of its template resolves in the committed
// results.json, and the quick mode runs end to end into a temporary folder (the committed paper,
// results and figures are left alone).

const template = readFileSync(join(PAPER_DIR, 'paper.template.md'), 'utf8');

describe('paper template', () => {
  it('refers to every claim and types no result by hand: each reference resolves in the committed results.json', () => {
    const committed = JSON.parse(readFileSync(join(PAPER_DIR, 'results.json'), 'utf8'));
    const paths = references(template);
    expect(paths.length).toBeGreaterThan(50);
    for (const e of experiments)
      expect(
        paths.some((p) => p.startsWith(`${e.id}.`)),
        e.id,
      ).toBe(true);
    const missing = paths.filter((p) => lookup(committed, p) === undefined);
    expect(missing).toEqual([]);
    expect(() => render(template, committed)).not.toThrow();
    expect(committed.meta.mode).toBe('full');
  });

  it('the committed paper.md is the template rendered from the committed results', () => {
    const committed = JSON.parse(readFileSync(join(PAPER_DIR, 'results.json'), 'utf8'));
    expect(readFileSync(join(PAPER_DIR, 'paper.md'), 'utf8')).toBe(render(template, committed));
  });

  it('renders formats and refuses what does not resolve', () => {
    const results = { a: { b: [1.23456, 'x'] }, n: 1234567 };
    expect(render('{{a.b.0|f2}} {{a.b.1}} {{n|int}} {{a.b.0|p3}} {{a.b.0|e1}} {{a.b.0|x}}', results)).toBe(
      '1.23 x 1 234 567 1.23 1.2e+0 1.23×',
    );
    expect(() => render('{{a.c}}', results)).toThrow(/a\.c/);
    expect(() => render('{{a}}', results)).toThrow(/object/);
    expect(() => format('x', 'f2', 'p')).toThrow(/formats a number/);
    expect(() => format(1, 'q', 'p')).toThrow(/unknown format/);
    expect(format(1e7, 'pow', 'p')).toBe('10⁷');
  });
});

describe('npm run paper -- --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'lagrad-paper-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every experiment, writes results, figures and the paper into the folder it is given', async () => {
    const lines: string[] = [];
    const results = await buildPaper({ quick: true, outDir: out, log: (line) => lines.push(line) });
    for (const e of experiments) {
      const r = results[e.id] as { supported: unknown; verdict: unknown };
      expect(typeof r.supported, e.id).toBe('boolean');
      expect(typeof r.verdict, e.id).toBe('string');
    }
    expect(lines.at(-1)).toMatch(/^paper: [\d.]+ s \(quick mode\)/);
    const paper = readFileSync(join(out, 'paper.md'), 'utf8');
    expect(paper).not.toMatch(/\{\{/);
    // Every figure the paper shows was written, as SVG.
    const figures = [...paper.matchAll(/\]\((figures\/[^)]+\.svg)\)/g)].map((m) => m[1]);
    expect(figures.length).toBeGreaterThanOrEqual(10);
    for (const f of figures) expect(readFileSync(join(out, f), 'utf8'), f).toMatch(/<svg[\s>]/);
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).meta.mode).toBe('quick');
  }, 300_000);
});
