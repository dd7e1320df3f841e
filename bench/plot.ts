import type * as vegaLite from 'vega-lite';
import { renderSvg } from '../src/cli/plot.ts';

/** One point of the plot: a system's time per variable at one N on one workload. */
export interface PlotPoint {
  readonly workload: string;
  readonly size: number;
  readonly system: string;
  readonly mode: string;
  readonly nsPerVariable: number;
  /** The median ÷ the tape's for the same solve, same run (null when the tape was not timed). */
  readonly perTape: number | null;
}

const SYSTEMS = {
  domain: ['lagrad', 'lagrad default call', 'lagrad compiled', 'tape', 'micrograd', 'tfjs'],
  range: ['#1f77b4', '#9ecae1', '#d62728', '#333333', '#ff7f0e', '#2ca02c'],
};
const SOLVES = {
  domain: ['gradient', 'value', 'forward mode'],
  range: [
    [1, 0],
    [6, 4],
    [2, 3],
  ],
};

/**
 * Two rows of panels, one column per workload. Top: time per variable against N, both axes
 * logarithmic (flat lines are linear scaling, vertical gaps constant factors). Bottom: lagrad's
 * time ÷ the tape's for the same solve (1 = at the tape). Rendered to SVG by Vega (`renderSvg`).
 */
export async function plotSvg(points: readonly PlotPoint[], workloads: readonly string[]): Promise<string> {
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const x = {
    field: 'size',
    type: 'quantitative',
    title: 'N (variables)',
    scale: { type: 'log' },
    axis: { values: sizes, format: '~s' },
  } as const;
  const color = { field: 'system', type: 'nominal', title: 'system', scale: SYSTEMS } as const;
  const dash = {
    field: 'mode',
    type: 'nominal',
    title: 'solve',
    scale: SOLVES,
    legend: { symbolStrokeColor: '#333333', symbolStrokeWidth: 2 },
  } as const;
  const column = {
    field: 'workload',
    type: 'nominal',
    title: null,
    sort: workloads,
    header: { labelFontSize: 13, labelFontWeight: 'bold' },
  } as const;
  const lines = (y: object) => ({
    encoding: { x, y, color, detail: { field: 'series' } },
    // Lines carry the solve as a dash pattern (and its legend); points mark the measured sizes.
    layer: [
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { strokeDash: dash } },
      { mark: { type: 'point', filled: true, size: 30 } },
    ],
  });
  const values = points.map((p) => ({ ...p, series: `${p.system} ${p.mode}` }));
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Scalar DAGs: time per variable, and lagrad ÷ the hand-written tape (same run)',
    background: 'white',
    vconcat: [
      {
        data: { values },
        facet: { column },
        spec: {
          width: 240,
          height: 260,
          ...lines({
            field: 'nsPerVariable',
            type: 'quantitative',
            title: 'time per variable (ns)',
            scale: { type: 'log' },
            axis: { format: '~s' },
          }),
        },
      },
      {
        data: { values: values.filter((p) => p.system.startsWith('lagrad') && p.perTape !== null) },
        facet: { column: { ...column, header: null } },
        spec: {
          width: 240,
          height: 160,
          layer: [
            lines({ field: 'perTape', type: 'quantitative', title: 'lagrad ÷ tape', scale: { zero: false } }),
            { mark: { type: 'rule', color: '#333333', strokeDash: [2, 2] }, encoding: { y: { datum: 1 } } },
          ],
        },
      },
    ],
    resolve: { scale: { color: 'shared', strokeDash: 'shared' } },
  } as vegaLite.TopLevelSpec;
  return renderSvg(spec);
}
