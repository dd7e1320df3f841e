// Binomial checkpointing in closed form: A. Griewank, "Achieving logarithmic growth of temporal and
// spatial complexity in reverse automatic differentiation", Optimization Methods and Software 1
// (1992); A. Griewank and A. Walther, "Algorithm 799: revolve", ACM TOMS 26(1) (2000) 19–45.
// The plan that follows these counts is revolve.ts.

/**
 * β(c, r) = C(c + r, c): the longest chain that c slots reverse with every step advanced at most r
 * times. Exact when β(c, r) ≤ limit (≤ 2⁵³ − 1); Infinity when it exceeds limit. β(c, r) = 0 for r < 0.
 */
export function beta(c: number, r: number, limit = Number.MAX_SAFE_INTEGER): number {
  if (r < 0 || c < 0) return 0;
  const n = c + r;
  const k = Math.min(c, r);
  let b = 1;
  // b runs through C(n − k + i, i), which grows with i: once past limit it stays past.
  for (let i = 1; i <= k; i++) {
    b = mulDivExact(b, n - k + i, i);
    if (b > limit) return Infinity;
  }
  return b;
}

/**
 * The repetition number r(l, c): the unique integer with β(c, r−1) < l ≤ β(c, r). Under an optimal
 * plan no step is advanced more than r times. Needs c ≥ 1 when l ≥ 2.
 */
export function repetitionNumber(l: number, c: number): number {
  if (l <= 1) return 0;
  if (c < 1) throw new RangeError(`revolve: a chain of ${l} steps needs at least one snapshot slot`);
  if (c > FEW_SLOTS) {
    // Walk up the row β(c, 0), β(c, 1), … (one product per r): with many slots r stays small.
    let b = 1;
    let r = 0;
    while (b < l) {
      r++;
      b = mulDivExact(b, c + r, r);
    }
    return r;
  }
  // Few slots, many repetitions (c = 1 gives r = l − 1): β(c, r) ≈ (r + (c+1)/2)^c / c!, so start from
  // its inverse and correct exactly, each correction costing c products.
  let cFactorial = 1;
  for (let i = 2; i <= c; i++) cFactorial *= i;
  let r = Math.max(1, Math.round(Math.pow(l * cFactorial, 1 / c) - (c + 1) / 2));
  while (beta(c, r, l) < l) r++;
  while (beta(c, r - 1, l) >= l) r--;
  return r;
}

/** Below this many slots r is found from an estimate, above it by walking the binomials. */
const FEW_SLOTS = 8;

/**
 * The minimal number of advances to reverse l steps with c slots (the slot of x₀ included; the l
 * re-evaluations inside reverse steps excluded): t(l, c) = r·l − β(c+1, r−1), r = r(l, c).
 * Extra slots beyond l − 1 are useless: t(l, c) = l − 1 for c ≥ l − 1.
 */
export function revolveAdvances(l: number, c: number): number {
  checkChain(l, c);
  if (l <= 1) return 0;
  const slots = Math.min(c, l - 1);
  const r = repetitionNumber(l, slots);
  const t = r * l - beta(slots + 1, r - 1);
  if (!Number.isSafeInteger(t)) throw new RangeError(`revolve: the advance count for l = ${l}, c = ${c} exceeds 2^53`);
  return t;
}

/**
 * The snapshots revolve writes (x₀'s included) at the minimal number of advances, with the splits
 * of {@link revolveSplit}: w(l, c) = β(c−1, r−1) + max(0, l − β(c, r) + β(c−2, r)) for l ≥ 2, with
 * c = min(c, l − 1) and r = r(l, c). On full binomial chains l = β(c, r) it is β(c−1, r): the
 * recursion w = 1 + w(second part) + w(first part) over the splits β(c, r) = β(c−1, r) + β(c, r−1)
 * is Pascal's rule for w + 1. It is the fewest writes of any recursive plan with t(l, c) advances
 * (the tests compare it with a dynamic program over every split) and equals what the classic
 * revolve writes (28 at l = 50, c = 7, as Checkpointing.jl's tests assert).
 */
export function revolveWrites(l: number, c: number): number {
  checkChain(l, c);
  if (l <= 1) return 0;
  const s = Math.min(c, l - 1);
  const r = repetitionNumber(l, s);
  return beta(s - 1, r - 1) + Math.max(0, l - beta(s, r) + beta(s - 2, r));
}

/**
 * The first split of an optimal plan for n ≥ 2 steps with c ≥ 1 slots: advance m steps, store (when
 * n − m ≥ 2), reverse the last n − m steps with c − 1 slots, then the first m with c. With
 * r = r(n, c), every m in [max(β(c, r−2), n − β(c−1, r)), min(β(c, r−1), n − β(c−1, r−1))] is
 * optimal (t(·, c) is convex with slope r(·, c), and these bounds balance the slopes of the two
 * parts). Among them we take revolve's choice, which writes the fewest snapshots:
 *   m = β(c, r−2)                      when n ≤ β(c, r−1) + β(c−2, r−1),
 *   m = β(c, r−1)                      when n ≥ β(c, r) − β(c−3, r),
 *   m = n − β(c−1, r−1) − β(c−2, r−1)  in between:
 * the last part stays as long as its own slots reverse at the same repetition number, so later
 * splits store less often.
 */
export function revolveSplit(n: number, c: number): number {
  const s = Math.min(c, n - 1);
  if (s === 1) return n - 1;
  // β(s, r) ≥ n > β(s, r−1), and β(s, r−2), from the row of s (walked when r is small) or from r.
  let b0: number, b1: number, b2: number, r: number;
  if (s > FEW_SLOTS) {
    b0 = 1;
    b1 = 0;
    b2 = 0;
    r = 0;
    while (b0 < n) {
      r++;
      b2 = b1;
      b1 = b0;
      b0 = mulDivExact(b0, s + r, r);
    }
  } else {
    r = repetitionNumber(n, s);
    b0 = beta(s, r);
    b1 = beta(s, r - 1);
    b2 = beta(s, r - 2);
  }
  // Down the columns: C(s−1+r, r) = C(s+r, r)·s/(s+r), each step exact.
  const d1r = mulDivExact(b0, s, s + r); // β(s−1, r)
  const d2r = mulDivExact(d1r, s - 1, s + r - 1); // β(s−2, r)
  const d3r = s >= 3 ? mulDivExact(d2r, s - 2, s + r - 2) : 0; // β(s−3, r)
  const d1 = mulDivExact(b1, s, s + r - 1); // β(s−1, r−1)
  const d2 = mulDivExact(d1, s - 1, s + r - 2); // β(s−2, r−1)
  return splitAt(n, b0, b1, b2, d1, d2, d3r);
}

/** Revolve's split of n steps from β(s, r), β(s, r−1), β(s, r−2), β(s−1, r−1), β(s−2, r−1), β(s−3, r). */
function splitAt(n: number, b0: number, b1: number, b2: number, d1: number, d2: number, d3r: number): number {
  if (n <= b1 + d2) return b2;
  if (n >= b0 - d3r) return b1;
  return n - d1 - d2;
}

/**
 * The binomials β(k, r) for k ≤ c, r ≤ rMax, tabulated by Pascal's rule β(k, r) = β(k−1, r) +
 * β(k, r−1), for the plan of one chain: every split of the recursion has k ≤ c and r ≤ r(l, c), so
 * {@link revolveSplit} becomes a few look-ups. Tables beyond MAX_TABLE entries, or with entries
 * beyond 2⁵³, are not built (`tryBuild`); the closed form serves then.
 */
export class BinomialTable {
  // Row k of the table starts at (k + 3)·width and column r sits at offset r + 2: three rows of
  // k < 0 and two columns of r < 0 hold the zeros β takes there, so a split reads its six
  // binomials at fixed offsets from one index, with no bounds to test.
  private readonly table: Float64Array;
  private readonly width: number;

  constructor(
    readonly c: number,
    readonly rMax: number,
  ) {
    const width = (this.width = rMax + 3);
    const t = (this.table = new Float64Array((c + 4) * width));
    for (let r = 0; r <= rMax; r++) t[3 * width + r + 2] = 1;
    for (let k = 1; k <= c; k++) {
      const row = (k + 3) * width + 2;
      t[row] = 1;
      for (let r = 1; r <= rMax; r++) t[row + r] = t[row - width + r] + t[row + r - 1];
    }
  }

  /** A table for c slots and repetition numbers ≤ rMax, or null when it would be too large or inexact. */
  static tryBuild(c: number, rMax: number): BinomialTable | null {
    if ((c + 4) * (rMax + 3) > MAX_TABLE) return null;
    const table = new BinomialTable(c, rMax);
    return table.beta(c, rMax) <= Number.MAX_SAFE_INTEGER ? table : null;
  }

  /** β(k, r) for −3 ≤ k ≤ c, −2 ≤ r ≤ rMax (0 where k or r is negative). */
  beta(k: number, r: number): number {
    return this.table[(k + 3) * this.width + r + 2];
  }

  /** r(n, k) from an upper bound r ≥ r(n, k): r itself when tight (most splits), else by bisection. */
  repetition(n: number, k: number, r: number): number {
    if (r === 0 || this.beta(k, r - 1) < n) return r;
    let lo = 0;
    let hi = r - 1; // β(k, hi) ≥ n; find the least such
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.beta(k, mid) >= n) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** {@link revolveSplit}(n, k) for k = min(k, n − 1) ≥ 1 with its repetition number r. */
  split(n: number, k: number, r: number): number {
    if (k === 1) return n - 1;
    const t = this.table;
    const w = this.width;
    const at = (k + 3) * w + r + 2; // β(k, r)
    return splitAt(n, t[at], t[at - 1], t[at - 2], t[at - w - 1], t[at - 2 * w - 1], t[at - 3 * w]);
  }
}

/** The most entries of a {@link BinomialTable} (8 MB). */
const MAX_TABLE = 1 << 20;

/**
 * The dynamic program over all split points, independent of the closed form (for tests):
 * t(0, k) = t(1, k) = 0, t(n ≥ 2, 0) = ∞, t(n, k) = min_{1≤m<n} m + t(m, k) + t(n − m, k − 1).
 * Returns the table t[n][k] for n ≤ lMax, k ≤ cMax; O(lMax² · cMax).
 */
export function optimalAdvancesTable(lMax: number, cMax: number): Float64Array[] {
  const t: Float64Array[] = [];
  for (let n = 0; n <= lMax; n++) {
    const row = new Float64Array(cMax + 1);
    if (n >= 2) {
      row[0] = Infinity;
      for (let k = 1; k <= cMax; k++) {
        let best = Infinity;
        for (let m = 1; m < n; m++) best = Math.min(best, m + t[m][k] + t[n - m][k - 1]);
        row[k] = best;
      }
    }
    t.push(row);
  }
  return t;
}

/** t(l, c) by {@link optimalAdvancesTable}: minimal advances over every recursive split. */
export function optimalAdvancesDP(l: number, c: number): number {
  return optimalAdvancesTable(l, c)[l][c];
}

/**
 * The fewest snapshot writes of any recursive plan with the minimal advances (for tests), over every
 * optimal split m: w(n, k) = min [n − m ≥ 2] + w(n − m, k − 1) + w(m, k), w(0 or 1, k) = 0; the
 * table holds 1 + w(n, k) for n ≥ 2 (x₀'s write included), as {@link revolveWrites} counts.
 */
export function fewestWritesTable(lMax: number, cMax: number): Float64Array[] {
  const t = optimalAdvancesTable(lMax, cMax);
  const w: Float64Array[] = [];
  for (let n = 0; n <= lMax; n++) {
    const row = new Float64Array(cMax + 1);
    if (n >= 2) {
      row[0] = Infinity;
      for (let k = 1; k <= cMax; k++) {
        let best = Infinity;
        for (let m = 1; m < n; m++) {
          if (m + t[m][k] + t[n - m][k - 1] !== t[n][k]) continue;
          best = Math.min(best, (n - m >= 2 ? 1 : 0) + w[n - m][k - 1] + w[m][k]);
        }
        row[k] = best;
      }
    }
    w.push(row);
  }
  return w.map((row, n) => (n >= 2 ? row.map((x) => x + 1) : row));
}

/** Throws unless l ≥ 0 steps and c ≥ 0 slots (c ≥ 1 when l ≥ 2) are integers. */
export function checkChain(l: number, c: number): void {
  if (!Number.isSafeInteger(l) || l < 0)
    throw new RangeError(`revolve: the number of steps must be an integer ≥ 0, got ${l}`);
  if (!Number.isSafeInteger(c) || c < 0)
    throw new RangeError(`revolve: the number of snapshot slots must be an integer ≥ 0, got ${c}`);
  if (l >= 2 && c < 1) throw new RangeError(`revolve: a chain of ${l} steps needs at least one snapshot slot (for x₀)`);
}

/** b·num/den, exact whenever den divides b·num and the quotient is below 2⁵³. */
function mulDivExact(b: number, num: number, den: number): number {
  const p = b * num;
  if (p <= Number.MAX_SAFE_INTEGER) return p / den;
  // den | b·num with g = gcd(b, den) gives (den/g) | num: divide first, the product is the quotient.
  const g = gcd(b, den);
  return (b / g) * (num / (den / g));
}

function gcd(x: number, y: number): number {
  while (y !== 0) [x, y] = [y, x % y];
  return x;
}
