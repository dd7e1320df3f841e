import { existsSync, readFileSync } from 'node:fs';
import { plotSvg } from '../../bench/plot.ts';
import { markdownTable, num, power } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 8: speed. Not re-measured here (the full benchmark takes many minutes and wants a quiet
// machine): the numbers of the last `npm run bench` (and `npm run bench:blocks`), read from
// bench/results.json (and bench/blocks.json), its tables and its figure redrawn — lagrad against a
// hand-written Float64Array tape, micrograd-style objects and TF.js, with the targets it checks.

interface Row {
  workload: string;
  size: number;
  system: string;
  mode: string;
  nsPerVariable: number | null;
  perTape?: number | null;
  timing?: { median: number };
}

interface Target {
  name: string;
  measured: number;
  limit: string;
  met: boolean;
}

export const speedClaim: Experiment = {
  id: 'claim8',
  title: '8. Speed',
  async run(ctx) {
    const bench = JSON.parse(readFileSync('bench/results.json', 'utf8'));
    const blocks = existsSync('bench/blocks.json') ? JSON.parse(readFileSync('bench/blocks.json', 'utf8')) : null;
    const rows = (bench.dags as Row[]).filter((r) => r.nsPerVariable !== null);
    const workloads = [...new Set(rows.map((r) => r.workload))];
    const ns = (workload: string, size: number, system: string, mode: string) =>
      rows.find((r) => r.workload === workload && r.size === size && r.system === system && r.mode === mode)
        ?.nsPerVariable ?? null;
    const cell = (x: number | null, digits = 1) =>
      x === null ? '—' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits);
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
    const table = markdownTable(
      [
        'workload',
        'N',
        'evaluate',
        'grad (workspace)',
        'grad ÷ evaluate',
        'tape gradient',
        'grad ÷ tape',
        'grad (default call)',
        'micrograd grad',
        'TF.js grad',
        'TF.js ÷ grad',
      ],
      workloads.flatMap((w) =>
        [...new Set(rows.filter((r) => r.workload === w).map((r) => r.size))]
          .sort((a, b) => a - b)
          .map((n) => {
            const grad = ns(w, n, 'lagrad', 'gradient');
            const tfjs = ns(w, n, 'tfjs', 'gradient');
            return [
              w,
              power(n),
              cell(ns(w, n, 'lagrad', 'value')),
              cell(grad),
              cell(ratio(grad, ns(w, n, 'lagrad', 'value')), 2),
              cell(ns(w, n, 'tape', 'gradient')),
              cell(ratio(grad, ns(w, n, 'tape', 'gradient')), 2),
              cell(ns(w, n, 'lagrad default call', 'gradient')),
              cell(ns(w, n, 'micrograd', 'gradient'), 0),
              cell(tfjs, 0),
              cell(ratio(tfjs, grad), 0),
            ];
          }),
      ),
    );
    const lecture = (bench.lecture as Row[]).filter(
      (r) => r.workload === 'lecture' && (r.mode === 'value' || r.mode === 'gradient'),
    );
    const lectureTable = markdownTable(
      ['lecture function, µs per call', 'value', 'gradient'],
      [...new Set(lecture.map((r) => r.system))].map((system) => {
        const ms = (mode: string) => lecture.find((r) => r.system === system && r.mode === mode)?.timing?.median;
        const show = (x: number | undefined) => (x === undefined ? '—' : num(x * 1000, 2));
        return [system, show(ms('value')), show(ms('gradient'))];
      }),
    );
    const targets: Target[] = [...(bench.targets as Target[]), ...((blocks?.targets as Target[] | undefined) ?? [])];
    const targetTable = markdownTable(
      ['target (ratios of medians from one run)', 'limit', 'measured', 'met'],
      targets.map((t) => [t.name, t.limit, num(t.measured, 3), t.met ? 'yes' : '**no**']),
    );
    const points = rows.map((r) => ({
      workload: r.workload,
      size: r.size,
      system: r.system,
      mode: r.mode,
      nsPerVariable: r.nsPerVariable!,
      perTape: r.perTape ?? null,
    }));
    const figure = ctx.figure('speed', await plotSvg(points, workloads));
    const tapeRatios = workloads.flatMap((w) =>
      rows
        .filter((r) => r.workload === w && r.system === 'lagrad' && r.mode === 'gradient' && r.perTape != null)
        .map((r) => r.perTape!),
    );
    const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
    const met = targets.filter((t) => t.met);
    const missed = targets.filter((t) => !t.met);
    return {
      criterion: 'every target of the recorded benchmark runs is met',
      supported: missed.length === 0,
      verdict: `${met.length} of ${targets.length} benchmark targets met in the recorded runs${missed.length > 0 ? ` (missed: ${missed.map((t) => `${t.name}, ${num(t.measured, 3)} against ${t.limit}`).join('; ')})` : ''}; lagrad's gradient (reused workspace) costs ${Math.min(...tapeRatios).toFixed(2)}–${Math.max(...tapeRatios).toFixed(2)}× the hand-written tape's on ${workloads.join(', ')} from N = ${power(sizes[0])} to ${power(sizes[sizes.length - 1])}`,
      date: bench.date,
      blocksDate: blocks?.date ?? 'not recorded',
      machine: `${bench.machine.cpu}, ${bench.machine.cores} cores, ${bench.machine.memoryGiB} GiB, Node ${bench.machine.node}`,
      runs: bench.settings.runs,
      workloads: workloads.join(', '),
      targetsMet: met.length,
      targets: targets.length,
      tapeRatioMin: Math.min(...tapeRatios),
      tapeRatioMax: Math.max(...tapeRatios),
      memoryBytesPerVariable: bench.memory?.reverseBytesPerVariable ?? null,
      table,
      lectureTable,
      targetTable,
      figure,
    };
  },
};
