import { advance, checkSteps, free, makePlan, restore, reverse, SlotPool, store, type Action, type Plan } from './actions.ts';

// Binomial checkpointing: A. Griewank, "Achieving logarithmic growth of temporal and spatial complexity
// in reverse automatic differentiation", Optimization Methods and Software 1 (1992); A. Griewank and
// A. Walther, "Algorithm 799: revolve", ACM TOMS 26(1) (2000) 19–45.

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
    while (b < l) { r++; b = mulDivExact(b, c + r, r); }
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
  checkSteps('revolve', l);
  checkSlots(l, c);
  if (l <= 1) return 0;
  const slots = Math.min(c, l - 1);
  const r = repetitionNumber(l, slots);
  const t = r * l - beta(slots + 1, r - 1);
  if (!Number.isSafeInteger(t)) throw new RangeError(`revolve: the advance count for l = ${l}, c = ${c} exceeds 2^53`);
  return t;
}

/**
 * The first split of an optimal plan for n ≥ 2 steps with c ≥ 1 slots: advance m steps, store, reverse
 * the last n − m steps with c − 1 slots, then the first m with c. With r = r(n, c), any m with
 *   max(β(c, r−2), n − β(c−1, r)) ≤ m ≤ min(β(c, r−1), n − β(c−1, r−1))
 * is optimal (t(·, c) is convex with slope r(·, c), and these bounds make the slopes of the two parts
 * balance: the first part is advanced at most r − 1 more times, the last at most r). We take the
 * largest, writing β(c−1, r−1) = β(c, r−1) − β(c, r−2) by Pascal's rule.
 */
export function revolveSplit(n: number, c: number): number {
  const slots = Math.min(c, n - 1);
  let b1: number, b2: number; // β(c, r−1), β(c, r−2)
  if (slots > FEW_SLOTS) {
    // repetitionNumber's walk, inlined because the plan splits about once per step.
    let b = slots + 1;
    b1 = 1;
    b2 = 0;
    for (let r = 1; b < n; r++) {
      b2 = b1;
      b1 = b;
      b = mulDivExact(b, slots + r + 1, r + 1);
    }
  } else {
    const r = repetitionNumber(n, slots);
    b1 = beta(slots, r - 1);
    b2 = beta(slots, r - 2);
  }
  return Math.min(b1, n - b1 + b2);
}

/**
 * Binomial checkpointing with c slots: exactly {@link revolveAdvances}(l, c) advances. The plan's
 * slot limit is min(c, l − 1), since more slots are never useful. The recursive split is an explicit
 * stack of at most c pending first halves, so the plan streams in O(c) memory for any l.
 */
export function revolvePlan(l: number, c: number): Plan {
  checkSteps('revolve', l);
  checkSlots(l, c);
  const slots = Math.min(c, Math.max(l - 1, 0));
  return makePlan('revolve', l, slots, function* (): Generator<Action> {
    if (l === 0) return;
    if (l === 1) {
      yield reverse(0);
      return;
    }
    const pool = new SlotPool(slots);
    const initial = pool.take();
    yield store(initial, 0);
    // Pending first halves [a, b) with their slot count k, the slot s holding x_a, and the slot t
    // (x_b) that their second half used and that is freed before they start (−1: none).
    const pendA: number[] = [], pendB: number[] = [], pendK: number[] = [], pendS: number[] = [], pendT: number[] = [];
    // The task at hand: reverse steps a … b−1 with k slots; x_a is current and, if b − a ≥ 2, in slot s.
    let a = 0, b = l, k = slots, s = initial;
    for (;;) {
      while (b - a >= 2) {
        const mid = a + revolveSplit(b - a, k);
        yield advance(a, mid);
        // A one-step second half is reversed straight from the current state: no snapshot.
        const t = b - mid >= 2 ? pool.take() : -1;
        if (t >= 0) yield store(t, mid);
        pendA.push(a); pendB.push(mid); pendK.push(k); pendS.push(s); pendT.push(t);
        a = mid; k -= 1; s = t;
      }
      yield reverse(a);
      if (pendA.length === 0) break;
      a = pendA.pop()!; b = pendB.pop()!; k = pendK.pop()!; s = pendS.pop()!;
      const t = pendT.pop()!;
      if (t >= 0) {
        yield free(t);
        pool.release(t);
      }
      yield restore(s, a);
    }
    yield free(initial);
  });
}

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

function checkSlots(l: number, c: number): void {
  if (!Number.isSafeInteger(c) || c < 0) throw new RangeError(`revolve: the number of snapshot slots must be an integer ≥ 0, got ${c}`);
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
