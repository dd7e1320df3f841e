import { isMissing, missing } from './optional.ts';

/** One point of a tradeoff curve: a strategy fitted to a budget, with its counted costs. */
export interface CurvePoint {
  readonly budget: number;
  readonly strategy: string;
  readonly evaluations: number;
  /** evaluations ÷ the evaluations of one forward sweep: 1 = no recomputation. */
  readonly recomputation: number;
  readonly peakValues: number;
  readonly peakBytes?: number;
}

/**
 * The curve as an SVG plot — peak values held against recomputation, both on log scales, one line per
 * strategy — drawn by vega-lite (`renderSvg`).
 */
export async function curveSvg(
  points: readonly CurvePoint[],
  title: string,
  unit: 'values' | 'bytes' = 'values',
): Promise<string> {
  const peak = unit === 'bytes' ? 'peakBytes' : 'peakValues';
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: 560,
    height: 340,
    data: { values: points.map((p) => ({ ...p })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: peak,
        type: 'quantitative',
        scale: { type: 'log' },
        title: `peak ${unit} held (snapshots + working)`,
      },
      y: {
        field: 'recomputation',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'evaluations ÷ one forward sweep (log)',
      },
      color: { field: 'strategy', type: 'nominal', title: 'strategy' },
      order: { field: peak, type: 'quantitative' },
    },
  };
  return renderSvg(spec);
}

/**
 * A vega-lite spec rendered to SVG headless by vega (no canvas or browser needed). The libraries
 * are optional peer dependencies and load on first use, so only commands that draw pay for them.
 */
export async function renderSvg(spec: object): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]).catch((e: unknown) => {
    throw isMissing(e, 'vega') || isMissing(e, 'vega-lite') ? missing('plotting', ['vega', 'vega-lite']) : e;
  });
  const compiled = vegaLite.compile(spec as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
