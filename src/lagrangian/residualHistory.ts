/**
 * The residuals of one loop, in bounded memory whatever its iteration limit: the first HEAD exactly,
 * the last TAIL exactly, and between them a sample at a stride that doubles whenever the sample
 * fills (so it stays spread evenly over the middle). At most HEAD + TAIL + SAMPLE numbers are kept
 * (every one up to 3000 iterations, about 24 kB of residuals); a loop of 10⁶ iterations no longer
 * holds 10⁶ of them.
 *
 * The observed rate needs the residual at one earlier iteration; `near(k)` gives the kept residual
 * closest to iteration k with its exact iteration number, so the rate stays a ratio of two true
 * residuals over the exact number of iterations between them.
 */
export class ResidualHistory {
  /** Exact below this many iterations (and always for the first HEAD and the last TAIL). */
  static readonly HEAD = 1000;
  static readonly TAIL = 1000;
  static readonly SAMPLE = 1000;

  private readonly head: number[] = [];
  private readonly tail = new Float64Array(ResidualHistory.TAIL);
  /** Iterations (0-based) and residuals of the sample between head and tail, in order. */
  private readonly sampleAt: number[] = [];
  private readonly sampleValue: number[] = [];
  private stride = 1;
  private count = 0;

  /** How many residuals were pushed: the loop's iterations. */
  get length(): number {
    return this.count;
  }

  push(residual: number): void {
    const { HEAD, TAIL, SAMPLE } = ResidualHistory;
    const k = this.count++;
    if (k < HEAD) {
      this.head.push(residual);
      return;
    }
    // The tail slot of iteration k held iteration k − TAIL, which now leaves the tail.
    const slot = (k - HEAD) % TAIL;
    const leaving = k - TAIL;
    if (leaving >= HEAD && (leaving - HEAD) % this.stride === 0) {
      this.sampleAt.push(leaving);
      this.sampleValue.push(this.tail[slot]);
      if (this.sampleAt.length > SAMPLE) this.thin();
    }
    this.tail[slot] = residual;
  }

  /** The residual of iteration k (0-based) when it is kept exactly, else undefined. */
  at(k: number): number | undefined {
    if (k < 0 || k >= this.count) return undefined;
    if (k < this.head.length) return this.head[k];
    if (k >= Math.max(ResidualHistory.HEAD, this.count - ResidualHistory.TAIL))
      return this.tail[(k - ResidualHistory.HEAD) % ResidualHistory.TAIL];
    const q = lowerBound(this.sampleAt, k);
    return q < this.sampleAt.length && this.sampleAt[q] === k ? this.sampleValue[q] : undefined;
  }

  /** The kept iteration closest to k (0-based, at most k when one is kept at or before it). */
  near(k: number): number {
    if (this.at(k) !== undefined) return k;
    const q = lowerBound(this.sampleAt, k);
    if (q > 0) return this.sampleAt[q - 1];
    return Math.min(k, this.head.length - 1);
  }

  /** Every kept residual in order, with its 1-based iteration number. */
  kept(): { residuals: number[]; iterations: number[] } {
    const residuals: number[] = [...this.head];
    const iterations = this.head.map((_, k) => k + 1);
    for (let q = 0; q < this.sampleAt.length; q++) {
      if (this.sampleAt[q] >= this.count - ResidualHistory.TAIL) break;
      residuals.push(this.sampleValue[q]);
      iterations.push(this.sampleAt[q] + 1);
    }
    for (let k = Math.max(ResidualHistory.HEAD, this.count - ResidualHistory.TAIL); k < this.count; k++) {
      residuals.push(this.tail[(k - ResidualHistory.HEAD) % ResidualHistory.TAIL]);
      iterations.push(k + 1);
    }
    return { residuals, iterations };
  }

  /** Keeps every other sampled iteration (those on the doubled stride). */
  private thin(): void {
    this.stride *= 2;
    let w = 0;
    for (let q = 0; q < this.sampleAt.length; q++) {
      if ((this.sampleAt[q] - ResidualHistory.HEAD) % this.stride !== 0) continue;
      this.sampleAt[w] = this.sampleAt[q];
      this.sampleValue[w++] = this.sampleValue[q];
    }
    this.sampleAt.length = w;
    this.sampleValue.length = w;
  }
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
