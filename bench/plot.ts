import type * as vegaLite from 'vega-lite';
import { renderSvg } from '../src/cli/plot.ts';

/** One point of the plot: a system's time per variable at one N. */
export interface PlotPoint {
  readonly size: number;
  readonly system: string;
  readonly mode: string;
  readonly nsPerVariable: number;
}

/**
 * Time per variable against N, both axes logarithmic: flat lines are linear scaling, vertical gaps
 * are the constant factors between systems. Rendered to SVG in Node by Vega (`renderSvg`).
 */
export async function plotSvg(points: readonly PlotPoint[], title: string): Promise<string> {
  const sizes = [...new Set(points.map((p) => p.size))].sort((a, b) => a - b);
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 380,
    background: 'white',
    data: { values: points.map((p) => ({ ...p, series: `${p.system} ${p.mode}` })) },
    encoding: {
      x: { field: 'size', type: 'quantitative', title: 'N (variables)', scale: { type: 'log' }, axis: { values: sizes, format: '~s' } },
      y: { field: 'nsPerVariable', type: 'quantitative', title: 'time per variable (ns)', scale: { type: 'log' }, axis: { format: '~s' } },
      color: {
        field: 'system',
        type: 'nominal',
        title: 'system',
        scale: { domain: ['lagrad', 'tape', 'micrograd', 'tfjs'], range: ['#1f77b4', '#333333', '#ff7f0e', '#2ca02c'] },
      },
      detail: { field: 'series' },
    },
    // Lines carry the solve as a dash pattern (and its legend); points mark the measured sizes.
    layer: [
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          strokeDash: {
            field: 'mode',
            type: 'nominal',
            title: 'solve',
            scale: { domain: ['gradient', 'value', 'forward mode'], range: [[1, 0], [6, 4], [2, 3]] },
            legend: { symbolStrokeColor: '#333333', symbolStrokeWidth: 2 },
          },
        },
      },
      { mark: { type: 'point', filled: true, size: 30 } },
    ],
  };
  return renderSvg(spec);
}
