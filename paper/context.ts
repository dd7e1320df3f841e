import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Io } from '../src/cli/io.ts';
import { runCli } from '../src/cli/main.ts';
import { dotToSvg } from '../src/cli/graphviz.ts';

// What every experiment of the paper is handed: the size mode, where figures go, and the CLI run
// in-process — so the command a section prints is the command whose output it reports.

export interface Context {
  /** Small sizes for CI (`npm run paper -- --quick`). */
  readonly quick: boolean;
  /** Writes figures/NAME.svg and returns its path relative to paper.md. */
  figure(name: string, svg: string): string;
  /** A Graphviz DOT text rendered to figures/NAME.svg (@viz-js/viz); returns its path relative to paper.md. */
  graph(name: string, dot: string): Promise<string>;
  /** Runs `lagrad ARGV…` in-process and returns its standard output; `files` are read by name before the disk. Throws on a non-zero exit. */
  lagrad(argv: readonly string[], files?: Readonly<Record<string, string>>): Promise<string>;
}

/** One claim of the paper: runs its experiment and returns its numbers (results.json holds them under `id`). */
export interface Experiment {
  readonly id: string;
  readonly title: string;
  run(context: Context): Promise<Record<string, unknown>>;
}

export function createContext(outDir: string, quick: boolean): Context {
  const figures = join(outDir, 'figures');
  mkdirSync(figures, { recursive: true });
  const figure = (name: string, svg: string) => {
    writeFileSync(join(figures, `${name}.svg`), svg);
    return `figures/${name}.svg`;
  };
  return {
    quick,
    figure,
    graph: async (name, dot) => figure(name, await dotToSvg(dot)),
    async lagrad(argv, files = {}) {
      let out = '';
      let err = '';
      const io: Io = {
        out: (text) => (out += text),
        err: (text) => (err += text),
        readStdin: () => '',
        readFile: (path) => files[path] ?? readFileSync(path, 'utf8'),
        writeFile: () => {
          throw new Error('the paper draws its own figures: no --svg or --out here');
        },
        interactive: false,
      };
      const status = await runCli(argv, io);
      if (status !== 0) throw new Error(`lagrad ${argv.join(' ')}: exit ${status}: ${oneLine(err)}`);
      return out;
    },
  };
}

/** The CLI's error as one line `where: what` (under --json it is a JSON object). */
function oneLine(err: string): string {
  try {
    const { where, what } = JSON.parse(err).error;
    return `${where}: ${what}`;
  } catch {
    return err.trim().replace(/^lagrad: /, '');
  }
}
