import { readFileSync } from 'node:fs';
import { plotSvg } from '../../bench/plot.ts';
import { markdownTable, num, power } from '../format.ts';
import type { Experiment } from '../context.ts';

// Claim 8: speed. Not re-measured here (the full benchmark takes minutes and wants a quiet
// machine): the numbers of the last `npm run bench`, read from bench/results.json, its table and
// its figure redrawn — lagrad against a hand-written Float64Array tape, micrograd-style objects and
// TF.js on random scalar DAGs, with the targets the benchmark checks.

interface Row {
  workload: string;
  size: number;
  system: string;
  mode: string;
  nsPerVariable: number | null;
  checked: boolean;
  timing?: { median: number };
}


export const speedClaim: Experiment = {
  id: 'claim8',
  title: '8. Speed',
  async run(ctx) {
    const bench = JSON.parse(readFileSync('bench/results.json', 'utf8'));
    const rows = (bench.dags as Row[]).filter((r) => r.workload === 'random DAG' && r.nsPerVariable !== null);
    const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
    const ns = (size: number, system: string, mode: string) => rows.find((r) => r.size === size && r.system === system && r.mode === mode)?.nsPerVariable ?? null;
    const cell = (x: number | null, digits = 1) => (x === null ? '—' : x >= 1000 ? Math.round(x).toLocaleString('en-US') : x.toFixed(digits));
    const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
    const table = markdownTable(
      ['N', 'lagrad evaluate', 'lagrad grad', 'grad ÷ evaluate', 'tape grad', 'lagrad ÷ tape', 'micrograd grad', 'TF.js grad', 'TF.js ÷ lagrad'],
      sizes.map((n) => {
        const grad = ns(n, 'lagrad', 'gradient');
        return [power(n), cell(ns(n, 'lagrad', 'value')), cell(grad), cell(ratio(grad, ns(n, 'lagrad', 'value')), 2), cell(ns(n, 'tape', 'gradient')), cell(ratio(grad, ns(n, 'tape', 'gradient')), 2), cell(ns(n, 'micrograd', 'gradient'), 0), cell(ns(n, 'tfjs', 'gradient'), 0), cell(ratio(ns(n, 'tfjs', 'gradient'), grad), 0)];
      }),
    );
    const lecture = (bench.lecture as Row[]).filter((r) => r.mode !== 'forward mode');
    const lectureTable = markdownTable(
      ['lecture function, µs per call', 'value', 'gradient'],
      [...new Set(lecture.map((r) => r.system))].map((system) => {
        const us = (mode: string) => lecture.find((r) => r.system === system && r.mode === mode)?.timing?.median;
        const show = (ms: number | undefined) => (ms === undefined ? '—' : num(ms * 1000, 2));
        return [system, show(us('value')), show(us('gradient'))];
      }),
    );
    const targets = bench.targets as { name: string; measured: number; limit: string; met: boolean }[];
    const targetTable = markdownTable(['target (same run)', 'limit', 'measured', 'met'], targets.map((t) => [t.name, t.limit, num(t.measured, 3), t.met ? 'yes' : '**no**']));
    const points = rows.map((r) => ({ size: r.size, system: r.system, mode: r.mode, nsPerVariable: r.nsPerVariable! }));
    const figure = ctx.figure('speed', await plotSvg(points, 'Random scalar DAGs: time per variable (log–log), from bench/results.json'));
    const at = (n: number) => ratio(ns(n, 'lagrad', 'gradient'), ns(n, 'tape', 'gradient'));
    const biggest = sizes[sizes.length - 1];
    const tapeRatios = sizes.map(at).filter((x): x is number => x !== null);
    const met = targets.filter((t) => t.met).length;
    return {
      criterion: "every target of the recorded benchmark run is met",
      supported: met === targets.length,
      verdict: `${met} of ${targets.length} benchmark targets met in the recorded run; lagrad's gradient costs ${Math.min(...tapeRatios).toFixed(2)}–${Math.max(...tapeRatios).toFixed(2)}× the hand-written tape's from N = ${power(sizes[0])} to ${power(biggest)}`,
      date: bench.date,
      machine: `${bench.machine.cpu}, ${bench.machine.cores} cores, ${bench.machine.memoryGiB} GiB, Node ${bench.machine.node}`,
      runs: bench.settings.runs,
      targetsMet: met,
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
