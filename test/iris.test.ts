import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { irisData } from '../examples/lib/iris-data.ts';

// examples/iris.ts as a user runs it (--quick: a tenth of the epochs), and the data it trains on.

describe('the iris data', () => {
  it('has 150 samples of 4 standardized features and one-hot labels, 50 per class', () => {
    const { X, Y, labels, classes, samples, features } = irisData();
    expect([samples, features, classes.length]).toEqual([150, 4, 3]);
    for (let j = 0; j < features; j++) {
      let mean = 0;
      let square = 0;
      for (let i = 0; i < samples; i++) {
        mean += X[i * features + j] / samples;
        square += X[i * features + j] ** 2 / samples;
      }
      expect(mean).toBeCloseTo(0, 12);
      expect(square).toBeCloseTo(1, 12);
    }
    for (let i = 0; i < samples; i++)
      expect(Array.from(Y.subarray(3 * i, 3 * i + 3))).toEqual([0, 1, 2].map((c) => (c === labels[i] ? 1 : 0)));
    expect([0, 1, 2].map((c) => labels.filter((l) => l === c).length)).toEqual([50, 50, 50]);
  });
});

describe('examples/iris.ts --quick', () => {
  it(
    'trains both models to a sane accuracy, draws the loss curves, and verify passes on the network',
    { timeout: 120_000 },
    () => {
      const svg = join(mkdtempSync(join(tmpdir(), 'lagrad-iris-')), 'loss.svg');
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/iris.ts', '--quick', svg], {
        encoding: 'utf8',
        cwd: fileURLToPath(new URL('..', import.meta.url)),
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const accuracies = [...run.stdout.matchAll(/trained: loss ([\d.]+), training accuracy ([\d.]+)%/g)].map((m) => ({
        loss: Number(m[1]),
        accuracy: Number(m[2]),
      }));
      expect(accuracies).toHaveLength(2);
      const [regression, mlp] = accuracies;
      expect(regression.accuracy).toBeGreaterThanOrEqual(90);
      expect(mlp.accuracy).toBeGreaterThanOrEqual(95);
      // below the loss at the start, log 3 for uniform predictions
      expect(mlp.loss).toBeLessThan(0.2);
      expect(run.stdout).toContain('verify (trained MLP): ok');
      expect(run.stdout).toMatch(/grad \(wrt parameters\)\s+[\d.]+ µs\s+6 evaluations \+ 6 VJPs\s+[\d.]+ × evaluate/);
      const picture = readFileSync(svg, 'utf8');
      expect(picture).toMatch(/^<svg/);
      expect(picture).toContain('MLP 4-16-3');
    },
  );
});
