import { describe, expect, it } from 'vitest';
import { lagrad } from './helpers/cli.ts';

// The command line on vector and matrix programs: values from --data, block gradients as a table
// that stays readable and as nested arrays under --json, and every kind of bad data as one line
// naming the file, the input and the place, exit status 1.

const program = `input X[3, 2]
input W[2, 64]
input b[64] = 0
input Y[3, 64]
Z = tanh(X @ W + b)
loss = softmax_cross_entropy(Z, Y)
output loss
`;
const matrix = (rows: number, cols: number, f: (r: number, c: number) => number) =>
  Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => f(r, c)));
const data = {
  X: matrix(3, 2, (r, c) => (r - c) / 3),
  W: matrix(2, 64, (r, c) => Math.sin(r + c)),
  Y: matrix(3, 64, (r, c) => (c === r ? 1 : 0)),
};
const files = { 'model.lag': program, 'data.json': JSON.stringify(data) };

describe('lagrad on blocks', () => {
  it('grad prints a readable table for a 2 × 64 gradient: shape, norm, largest entry, a few entries', async () => {
    const r = await lagrad(['grad', 'model.lag', '--data', 'data.json'], files);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    const line = r.out.split('\n').find((l) => l.trimStart().startsWith('W '))!;
    expect(line).toMatch(
      /^ {2}W +\[2, 64\] +‖·‖ [\d.e-]+ +max -?[\d.e-]+ at \[\d, \d+\] +\[(-?[\d.e-]+, ){4}…, -?[\d.e-]+\]$/,
    );
    expect(line.length).toBeLessThan(120);
  });

  it('grad --json prints every entry, matrices as lists of rows', async () => {
    const r = await lagrad(['grad', 'model.lag', '--data', 'data.json', '--json', '--multipliers'], files);
    const out = JSON.parse(r.out);
    expect(out.gradient.W).toHaveLength(2);
    expect(out.gradient.W[1]).toHaveLength(64);
    expect(out.gradient.b).toHaveLength(64);
    expect(out.multipliers.Z).toHaveLength(3);
    expect(typeof out.multipliers.loss).toBe('number');
    expect(out.stats.peakBytes).toBe(8 * (6 + 128 + 64 + 192 + 192 + 192 + 192 + 1));
  });

  it('verify certifies a block program from --data', async () => {
    const small = {
      'm.lag': 'input X[3, 2]\ninput W[2, 4]\ninput Y[3, 4]\nloss = softmax_cross_entropy(X @ W, Y)\noutput loss\n',
      'd.json': JSON.stringify({
        X: data.X,
        W: matrix(2, 4, (r, c) => Math.cos(r * c)),
        Y: matrix(3, 4, (r, c) => (c === r ? 1 : 0)),
      }),
    };
    const r = await lagrad(['verify', 'm.lag', '--data', 'd.json'], small);
    expect(r.status).toBe(0);
    expect(r.out).toContain('verified:');
    expect(r.out).toMatch(/W +input +\[2, 4\] ‖·‖/);
  });

  it('eval of an expression takes its inputs’ shapes from --data and prints a block output', async () => {
    const r = await lagrad(['eval', 'X @ W', '--data', 'xw.json', '--json'], {
      'xw.json': JSON.stringify({ X: [[1, 2]], W: [[1], [10]] }),
    });
    expect(JSON.parse(r.out)).toEqual({ value: [[21]] });
    const s = await lagrad(['grad', 'sum(X @ W) + c', '--data', 'xw.json', '--at', 'c=2', '--json'], {
      'xw.json': JSON.stringify({ X: [[1, 2]], W: [[1], [10]] }),
    });
    expect(JSON.parse(s.out).gradient).toEqual({ X: [[1, 10]], W: [[1], [2]], c: 1 });
  });

  it('checkpoints a block program: the gradient of reverse, with its memory in bytes', async () => {
    const files = { 'model.lag': program, 'd.json': JSON.stringify(data) };
    const plain = await lagrad(['grad', 'model.lag', '--data', 'd.json', '--json'], files);
    const checkpointed = await lagrad(
      [
        'grad',
        'model.lag',
        '--data',
        'd.json',
        '--schedule',
        'checkpoint',
        '--strategy',
        'revolve',
        '--snapshots',
        '2',
        '--json',
      ],
      files,
    );
    expect(checkpointed.status).toBe(0);
    const result = JSON.parse(checkpointed.out);
    expect(result.gradient).toEqual(JSON.parse(plain.out).gradient);
    expect(result.stats.peakBytes).toBeGreaterThan(0);
  });

  const bad: [string, Record<string, string>, string[], RegExp][] = [
    [
      'a missing data file',
      {},
      ['grad', 'model.lag', '--data', 'none.json'],
      /^lagrad: none\.json: no such file \(--data\)$/,
    ],
    [
      'malformed JSON, with its line and column',
      { 'd.json': '{"X": [[1, 2],\n  [3 4]]}' },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json:2:6: malformed JSON/,
    ],
    [
      'NaN in the data',
      { 'd.json': '{"X": [[1, NaN]]}' },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json:1:12: NaN is not a number JSON can hold; every value must be finite$/,
    ],
    [
      'ragged rows',
      { 'd.json': JSON.stringify({ ...data, X: [[1, 2], [3], [5, 6]] }) },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'X': ragged rows: row 1 has 1 entry, row 0 has 2$/,
    ],
    [
      'a null entry',
      {
        'd.json': JSON.stringify({
          ...data,
          X: [
            [1, 2],
            [3, null],
            [5, 6],
          ],
        }),
      },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'X': entry \[1, 1\] is null, not a number$/,
    ],
    [
      'the wrong shape for an input',
      { 'd.json': JSON.stringify({ ...data, X: matrix(2, 3, () => 1) }) },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'X': the program declares \[3, 2\], the data holds \[2, 3\]$/,
    ],
    [
      'a name the program lacks',
      { 'd.json': JSON.stringify({ ...data, Q: 1 }) },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'Q': the program has no input of this name; its inputs are X, W, b, Y$/,
    ],
    [
      'a value that is not a number',
      { 'd.json': JSON.stringify({ ...data, X: 'abc' }) },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'X': "abc" is not a number, a list of numbers or a list of rows$/,
    ],
    [
      'a list for a scalar input',
      { 's.lag': 'input x\ny = x * 2\noutput y', 'd.json': '{"x": [1, 2]}' },
      ['grad', 's.lag', '--data', 'd.json'],
      /^lagrad: d\.json: input 'x': the program declares a scalar, the data holds \[2\] \(declare its shape: input x\[2\]\)$/,
    ],
    [
      'a block input without values',
      { 'd.json': JSON.stringify({ X: data.X, W: data.W }) },
      ['grad', 'model.lag', '--data', 'd.json'],
      /^lagrad: input 'Y': has no value and no default; give one \(a \[3, 64\] block\)$/,
    ],
    [
      'a matrix output for grad',
      { 'm.lag': 'input A[2, 2]\nB = A * A\noutput B', 'd.json': '{"A": [[1, 2], [3, 4]]}' },
      ['grad', 'm.lag', '--data', 'd.json'],
      /^lagrad: output 'B': is a \[2, 2\] block, but the objective must be a scalar: output a scalar such as sum\(B\), or give weights$/,
    ],
    [
      'a shape mismatch in the program',
      { 'm.lag': 'input X[150, 4]\ninput W[3, 4]\n\nb = 1\nlogits = X @ W + b\noutput logits' },
      ['grad', 'm.lag'],
      /^lagrad: m\.lag:5:12: '@': shapes \[150, 4\] and \[3, 4\] do not match$/,
    ],
    [
      'a malformed shape',
      { 'm.lag': 'input X[3, x]\noutput X' },
      ['grad', 'm.lag'],
      /^lagrad: m\.lag:1:8: shape \[3, x\]: dimension x is not a positive whole number$/,
    ],
    [
      'a block program under dual',
      { 'd.json': JSON.stringify(data) },
      ['grad', 'model.lag', '--data', 'd.json', '--schedule', 'dual'],
      /^lagrad: schedule 'dual': does not run on vector or matrix variables yet/,
    ],
  ];
  for (const [what, extra, argv, message] of bad) {
    it(`refuses ${what} in one line, exit 1`, async () => {
      const r = await lagrad(argv, { 'model.lag': program, ...extra });
      expect(r.status).toBe(1);
      expect(r.out).toBe('');
      expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.err.trim()).toMatch(message);
    });
  }
});
