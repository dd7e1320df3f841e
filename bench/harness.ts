// A careful harness of our own: warm-up runs that are not timed, then several timed runs reported
// as median and min–max. Systems compared with each other are timed side by side — round after
// round, one run of each per round — so a burst of load on the machine hits them all alike and
// their ratios stay meaningful. Garbage is collected before every timed run (when node runs with
// --expose-gc), so one system's garbage is not billed to the next, and a short run is preceded by
// an untimed one, so it finds its arrays in the caches as a run in a loop would.

export interface Timing {
  /** Milliseconds per run (per call, for batched calls). */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Timed runs. */
  readonly runs: number;
}

export interface MeasureOptions {
  /** Untimed runs first (JIT warm-up, first touch of buffers); more while they took under WARMUP_MS. */
  readonly warmup: number;
  /** Timed runs wanted. */
  readonly runs: number;
  /** A system stops being timed (after at least one run) once this much time was spent timing it. */
  readonly budgetMs: number;
  /**
   * Collect garbage before every timed run (default true). Off where a forced collection slows
   * what follows it: TF.js runs 3–30× slower for a while after one (measured on the MLP workloads).
   */
  readonly collect?: boolean;
}

const collect = (globalThis as { gc?: () => void }).gc ?? (() => {});
/** Warm-up goes on until this much time was spent (and at least `warmup` runs), so small runs reach optimized code. */
const WARMUP_MS = 250;
/** Runs shorter than this get an untimed run just before each timed one (warm caches). */
const REWARM_MS = 200;
/** A batch of fast calls lasts at least this long, well above the timer's resolution. */
const BATCH_MS = 20;

/** How many calls of fn take about BATCH_MS (1 for anything slower). */
export function batchSize(fn: () => void): number {
  let batch = 1;
  for (let doubling = 0; doubling < 30; doubling++) {
    const start = performance.now();
    for (let k = 0; k < batch; k++) fn();
    if (performance.now() - start >= BATCH_MS) break;
    batch *= 2;
  }
  return batch;
}

/**
 * Times several functions side by side: each is warmed up, then every round runs each once (a
 * batch of `batches[k]` calls when given, reported per call) until `runs` rounds or its budget.
 */
export function sideBySide(
  fns: readonly (() => void)[],
  options: MeasureOptions,
  batches?: readonly number[],
): Timing[] {
  const repeat = fns.map((fn, k) => {
    const count = batches?.[k] ?? 1;
    return count === 1
      ? fn
      : () => {
          for (let c = 0; c < count; c++) fn();
        };
  });
  /** Milliseconds of each function's latest run. */
  const last = repeat.map((fn) => {
    const warm = performance.now();
    let start = warm;
    for (let k = 0; k < options.warmup || (k < 1000 && performance.now() - warm < WARMUP_MS); k++) {
      start = performance.now();
      fn();
    }
    return performance.now() - start;
  });
  const samples: number[][] = fns.map(() => []);
  const spent = fns.map(() => 0);
  for (let round = 0; round < options.runs; round++) {
    for (let k = 0; k < repeat.length; k++) {
      if (round > 0 && spent[k] >= options.budgetMs) continue;
      if (options.collect !== false) collect();
      // The others' runs since this one's last evicted its arrays from the caches; a run in a loop
      // (the way gradients are used) finds them there. One untimed run puts them back, for runs
      // short enough that this matters.
      if (last[k] < REWARM_MS) repeat[k]();
      const start = performance.now();
      repeat[k]();
      const ms = performance.now() - start;
      last[k] = ms;
      samples[k].push(ms / (batches?.[k] ?? 1));
      spent[k] += ms;
    }
  }
  return samples.map(summarize);
}

/** Times one function: sideBySide with itself alone. */
export function measure(fn: () => void, options: MeasureOptions): Timing {
  return sideBySide([fn], options)[0];
}

export function summarize(samples: readonly number[]): Timing {
  const sorted = [...samples].sort((x, y) => x - y);
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], runs: n };
}
