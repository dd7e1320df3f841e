import type { Io } from './io.ts';
import { progress, type Progress } from './progress.ts';

/**
 * A solve's `progress` option (SolveOptions) drawn as a bar on standard error — only on a
 * terminal and only once the solve has run for a moment (progress.ts) — and the bar's end.
 */
export function solveProgress(io: Io, label: string): { readonly report: (done: number, total: number) => void; stop(): void } {
  let bar: Progress | null = null;
  let shown = 0;
  return {
    report(done, total) {
      bar ??= progress(io, total, label);
      for (; shown < done; shown++) bar.tick();
    },
    stop() {
      bar?.stop();
    },
  };
}
