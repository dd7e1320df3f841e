import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/** One point of the plot: a system's time per variable at one N. */
export interface PlotPoint {
  readonly size: number;
  readonly system: string;
  readonly mode: string;
  readonly nsPerVariable: number;
}

/**
 * Time per variable against N, both axes logarithmic: flat lines are linear scaling, vertical gaps
 * are the constant factors between systems. Rendered to SVG in Node by Vega (no browser, no canvas).
 */
export async function plotSvg(points: readonly PlotPoint[], title: string): Promise<string> {
  const spec: vegaLite.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 380,
    background: 'white',
    data: { values: points.map((p) => ({ ...p, series: `${p.system} ${p.mode}` })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'size', type: 'quantitative', title: 'N (variables)', scale: { type: 'log' }, axis: { format: '.0e' } },
      y: { field: 'nsPerVariable', type: 'quantitative', title: 'time per variable (ns)', scale: { type: 'log' } },
      color: { field: 'system', type: 'nominal', title: 'system' },
      strokeDash: { field: 'mode', type: 'nominal', title: 'solve' },
      detail: { field: 'series' },
    },
  };
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
