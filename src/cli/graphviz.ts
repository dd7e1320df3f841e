import { LagradError } from '../error.ts';

// DOT to SVG by Graphviz compiled to WebAssembly (@viz-js/viz). It is an optional peer dependency:
// loaded on first use, so only `lagrad graph --format svg` pays for it, and a library install
// without it works — that command alone then says how to get it.

/** What the renderer needs of @viz-js/viz. */
export interface GraphvizModule {
  instance(): Promise<{ renderString(dot: string, options: { format: string }): string }>;
}

const loadViz = (): Promise<GraphvizModule> => import('@viz-js/viz');

/** DOT text rendered to SVG with Graphviz's dot layout. `load` is a seam for tests. */
export async function dotToSvg(dot: string, load: () => Promise<GraphvizModule> = loadViz): Promise<string> {
  let viz: Awaited<ReturnType<GraphvizModule['instance']>>;
  try {
    viz = await (await load()).instance();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new LagradError(
        '--format svg',
        'needs the optional package @viz-js/viz (npm install @viz-js/viz); --format dot prints the DOT text for any Graphviz',
      );
    }
    throw e;
  }
  try {
    return viz.renderString(dot, { format: 'svg' });
  } catch (e) {
    throw new LagradError('graphviz', (e as Error).message.split('\n')[0]);
  }
}
