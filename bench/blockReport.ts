import { BLOCK_WORKLOADS, MATMUL_PRODUCT, mlpShape, networkName, type BlockRow, type MatmulRow } from './mlp.ts';

// The block workloads' part of the report: their tables, their targets (issue 12), and their
// panel of the figure.

export interface BlockTarget {
  readonly name: string;
  readonly measured: number | null;
  readonly limit: string;
  readonly met: boolean | null;
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toPrecision(2));

/**
 * Targets (issue 12), judged at the stated sizes only (the smoke run's shrunken network and product
 * are not measured): lagrad's gradient within 1.3× of the hand-written pass and no slower than
 * TF.js on each network; its matrix product near the plain loop's speed.
 */
export function blockTargets(rows: readonly BlockRow[], matmul: readonly MatmulRow[]): BlockTarget[] {
  const median = (network: string, system: string) =>
    rows.find((r) => r.network === network && r.system === system && r.mode === 'gradient')?.timing?.median;
  const ratio = (a?: number, b?: number) => (a !== undefined && b !== undefined ? a / b : null);
  const check = (name: string, measured: number | null, limit: string, ok: (x: number) => boolean): BlockTarget => ({
    name,
    measured,
    limit,
    met: measured === null ? null : ok(measured),
  });
  const targets: BlockTarget[] = [];
  for (const workload of BLOCK_WORKLOADS) {
    const network = networkName(mlpShape(workload, false));
    targets.push(
      check(
        `lagrad grad / hand-written grad, MLP ${network}`,
        ratio(median(network, 'lagrad'), median(network, 'hand-written')),
        '≤ 1.3',
        (x) => x <= 1.3,
      ),
    );
    targets.push(
      check(
        `lagrad grad / TF.js CPU grad, MLP ${network}`,
        ratio(median(network, 'lagrad'), median(network, 'tfjs')),
        '≤ 1',
        (x) => x <= 1,
      ),
    );
  }
  const gflops = (system: string) =>
    matmul.find((r) => r.product === MATMUL_PRODUCT && r.system === system)?.gflops ?? undefined;
  targets.push(
    check(
      `lagrad matmul GFLOP/s / plain i-k-j loop's, ${MATMUL_PRODUCT}`,
      ratio(gflops('lagrad'), gflops('hand-written')),
      '≥ 0.9',
      (x) => x >= 0.9,
    ),
  );
  return targets;
}

/** A table with a header row, the first three columns left-aligned, the others right-aligned. */
function table(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...body.map((row) => row[k].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, k) => (k < 3 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** The MLP table, the matrix product's and the targets', as printed. */
export function blockReport(
  rows: readonly BlockRow[],
  matmul: readonly MatmulRow[],
  runs: number,
  targets: readonly BlockTarget[],
): string {
  const parts: string[] = [];
  if (rows.length > 0) {
    const value = (r: BlockRow) =>
      rows.find((t) => t.workload === r.workload && t.system === r.system && t.mode === 'value')?.timing;
    parts.push(
      `MLP gradients (tanh, softmax cross-entropy, full batch, with respect to W1, b1, W2, b2): ms per call, median [min–max] of up to ${runs} runs; TF.js in float32`,
    );
    parts.push(
      table(
        ['network', 'system', 'solve', 'ms', '÷ value', '÷ hand-written', 'rel. error'],
        rows.map((r) => {
          const t = r.timing;
          const v = r.mode === 'gradient' ? value(r) : undefined;
          return [
            r.network,
            r.system,
            r.mode,
            t ? `${ms(t.median)} [${ms(t.min)}–${ms(t.max)}]` : 'CHECK FAILED',
            t && v ? (t.median / v.median).toFixed(2) : '',
            r.perHandWritten !== null ? r.perHandWritten.toFixed(2) : '',
            r.system === 'lagrad' ? 'reference' : r.error.toExponential(0),
          ];
        }),
      ),
    );
  }
  if (matmul.length > 0) {
    parts.push('');
    parts.push(
      `Matrix product ${matmul[0].product} (lagrad: the kernel of @; hand-written: the plain i-k-j loop; TF.js: matMul in float32)`,
    );
    parts.push(
      table(
        ['system', '', '', 'ms', 'GFLOP/s', 'rel. error'],
        matmul.map((r) => [
          r.system,
          '',
          '',
          r.timing ? `${ms(r.timing.median)} [${ms(r.timing.min)}–${ms(r.timing.max)}]` : 'CHECK FAILED',
          r.gflops !== null ? r.gflops.toFixed(2) : '',
          r.system === 'lagrad' ? 'reference' : r.error.toExponential(0),
        ]),
      ),
    );
  }
  if (targets.length > 0) {
    parts.push('');
    parts.push('Targets (block workloads, same run)');
    parts.push(
      table(
        ['target', 'limit', '', 'measured', 'met'],
        targets.map((g) => [
          g.name,
          g.limit,
          '',
          g.measured === null ? 'not measured' : g.measured.toFixed(2),
          g.met === null ? '' : g.met ? 'yes' : 'NO',
        ]),
      ),
    );
  }
  return parts.join('\n');
}

/** The figure's panel: ms per call by system (median, and a rule from min to max), the gradient beside the loss alone, one row per network (log scale). */
export function blockPanel(rows: readonly BlockRow[]): object {
  return {
    title: 'MLP gradient and loss: ms per call, median and min–max (log)',
    data: {
      values: rows
        .filter((r) => r.timing)
        .map((r) => ({
          network: r.network,
          system: r.system,
          solve: r.mode,
          ms: r.timing!.median,
          min: r.timing!.min,
          max: r.timing!.max,
        })),
    },
    facet: { row: { field: 'network', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left' } } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 480,
      encoding: {
        y: { field: 'system', type: 'nominal', title: null, sort: ['lagrad', 'hand-written', 'tfjs'] },
        yOffset: { field: 'solve', type: 'nominal', sort: ['gradient', 'value'] },
        color: {
          field: 'system',
          type: 'nominal',
          title: 'system',
          scale: { domain: ['lagrad', 'hand-written', 'tfjs'], range: ['#1f77b4', '#333333', '#2ca02c'] },
        },
      },
      layer: [
        {
          mark: { type: 'rule' },
          encoding: {
            x: { field: 'min', type: 'quantitative', scale: { type: 'log' }, title: 'ms per call (log)' },
            x2: { field: 'max' },
          },
        },
        {
          mark: { type: 'point', filled: true, size: 70 },
          encoding: {
            x: { field: 'ms', type: 'quantitative' },
            shape: {
              field: 'solve',
              type: 'nominal',
              title: 'solve',
              scale: { domain: ['gradient', 'value'], range: ['circle', 'triangle-right'] },
            },
          },
        },
      ],
    },
  };
}
