import type cliProgress from 'cli-progress';
import type { Io } from './io.ts';
import { missing, requireOptional } from './optional.ts';

/** How long a loop runs before it earns a progress bar, in milliseconds. */
const MOMENT_MS = 400;

/** Ticks of a loop of `total` steps. */
export interface Progress {
  tick(): void;
  stop(): void;
}

/** cli-progress, loaded on the first bar; null when it is not installed (said once per process). */
let library: typeof cliProgress | null | undefined;

function load(io: Io): typeof cliProgress | null {
  if (library === undefined) {
    library = requireOptional<typeof cliProgress>('cli-progress');
    if (library === null)
      io.err(`lagrad: ${missing('progress bars', ['cli-progress']).message} (the run goes on without one)\n`);
  }
  return library;
}

/**
 * A progress bar on standard error for a loop of `total` steps (cli-progress, an optional peer
 * dependency): drawn only when standard error is a terminal and only once the loop has run for more
 * than a moment, so quick runs, pipes and tests print nothing. Updates redraw synchronously, as the
 * loop never yields.
 */
export function progress(io: Io, total: number, label: string): Progress {
  const start = performance.now();
  let done = 0;
  let bar: cliProgress.SingleBar | null = null;
  let tried = false;
  return {
    tick() {
      done++;
      if (bar) {
        bar.update(done);
      } else if (!tried && io.interactive && done < total && performance.now() - start > MOMENT_MS) {
        tried = true;
        const lib = load(io);
        if (!lib) return;
        bar = new lib.SingleBar(
          {
            format: `${label} [{bar}] {value}/{total}  eta {eta_formatted}`,
            clearOnComplete: true,
            hideCursor: true,
            stream: process.stderr,
          },
          lib.Presets.shades_classic,
        );
        bar.start(total, done);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Steps of the bar drawn for a count (see `countProgress`). */
const COUNT_STEPS = 1000;

/**
 * A `(done, total)` callback for a long computation that reports how far it got (the checkpoint
 * schedule's evaluations): the bar of `progress`, drawn on a terminal after a moment, stopped once
 * done reaches total.
 */
export function countProgress(io: Io, label: string): (done: number, total: number) => void {
  let bar: Progress | null = null;
  let drawn = 0;
  return (done, total) => {
    bar ??= progress(io, COUNT_STEPS, label);
    const target = total > 0 ? Math.min(COUNT_STEPS, Math.floor((COUNT_STEPS * done) / total)) : COUNT_STEPS;
    for (; drawn < target; drawn++) bar.tick();
    if (done >= total) bar.stop();
  };
}
