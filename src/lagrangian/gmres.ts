import { Monitor, Verdict } from './convergence.ts';

/** y = A x for a square operator of order `size` given only by its action (x and y are distinct). */
export interface LinearOperator {
  readonly size: number;
  apply(x: Float64Array, y: Float64Array): void;
}

/** Default Krylov dimension before GMRES restarts: at most (restart + 1)·m doubles of basis are held. */
export const DEFAULT_RESTART = 40;

/**
 * Restarted GMRES(restart) for A x = b over typed arrays, starting from the given x (overwritten with
 * the solution). Each iteration is one application of A, modified Gram–Schmidt against the Krylov
 * basis and one Givens rotation, which gives the residual ‖b − A x‖₂ of the minimal-residual
 * iterate without forming it. Records that residual after every iteration in `monitor`, whose scale
 * is ‖b‖₂ (so `tolerance` is relative). Returns the monitor's last verdict, counts applications of
 * A in `matvecs` and the bytes of its own arrays in `bytes`: the basis grows one vector per
 * iteration (kept across restarts), so a solve that converges in j < restart iterations holds j + 1.
 *
 * GMRES and not BiCGSTAB: its residual never increases, so the recorded history and the observed
 * contraction rate mean what they say, and it cannot break down short of the exact solution; the
 * price, a basis of `restart` vectors, is small next to a component's dense LU.
 */
export function gmres(
  A: LinearOperator,
  b: Float64Array,
  x: Float64Array,
  monitor: Monitor,
  restart = DEFAULT_RESTART,
): { verdict: Verdict; matvecs: number; bytes: number } {
  const n = A.size;
  const k = Math.max(1, Math.min(restart, n));
  const V: Float64Array[] = [new Float64Array(n)];
  const H = new Float64Array((k + 1) * k);
  const cs = new Float64Array(k);
  const sn = new Float64Array(k);
  const g = new Float64Array(k + 1);
  const y = new Float64Array(k);
  const w = new Float64Array(n);
  const bnorm = norm2(b, 0, n);
  let matvecs = 0;
  const bytes = () => 8 * (V.length * n + H.length + cs.length + sn.length + g.length + y.length + w.length);
  if (bnorm === 0) {
    x.fill(0);
    return { verdict: monitor.check(0, 0), matvecs, bytes: bytes() };
  }
  for (;;) {
    // r = b − A x, the first basis vector r / β.
    A.apply(x, w);
    matvecs++;
    const v0 = V[0];
    for (let q = 0; q < n; q++) v0[q] = b[q] - w[q];
    const beta = norm2(v0, 0, n);
    if (!(beta - beta === 0)) return { verdict: monitor.check(beta, bnorm), matvecs, bytes: bytes() };
    if (beta <= 0) return { verdict: monitor.check(0, bnorm), matvecs, bytes: bytes() };
    for (let q = 0; q < n; q++) v0[q] /= beta;
    g.fill(0);
    g[0] = beta;
    let verdict: Verdict = Verdict.Continue;
    let used = 0;
    for (let j = 0; j < k && verdict === Verdict.Continue; j++) {
      const vj = V[j];
      A.apply(vj, w);
      matvecs++;
      for (let i = 0; i <= j; i++) {
        const vi = V[i];
        let h = 0;
        for (let q = 0; q < n; q++) h += w[q] * vi[q];
        H[i * k + j] = h;
        for (let q = 0; q < n; q++) w[q] -= h * vi[q];
      }
      const next = norm2(w, 0, n);
      // Earlier rotations on the new column, then the rotation that zeroes its subdiagonal entry.
      for (let i = 0; i < j; i++) {
        const a = H[i * k + j];
        const c = H[(i + 1) * k + j];
        H[i * k + j] = cs[i] * a + sn[i] * c;
        H[(i + 1) * k + j] = -sn[i] * a + cs[i] * c;
      }
      const a = H[j * k + j];
      const r = Math.hypot(a, next);
      if (!(r > 0)) {
        // A maps the new direction into the span already built: A is singular there, and no
        // further step can reduce the residual. Stop with the iterate so far.
        const stuck = monitor.check(Math.abs(g[j]), bnorm);
        verdict = stuck === Verdict.Continue ? Verdict.Slow : stuck;
        break;
      }
      cs[j] = a / r;
      sn[j] = next / r;
      H[j * k + j] = r;
      g[j + 1] = -sn[j] * g[j];
      g[j] = cs[j] * g[j];
      used = j + 1;
      verdict = monitor.check(Math.abs(g[j + 1]), bnorm);
      if (verdict === Verdict.Continue && next > 0) {
        if (V.length === j + 1) V.push(new Float64Array(n));
        const vnext = V[j + 1];
        for (let q = 0; q < n; q++) vnext[q] = w[q] / next;
      } else if (verdict === Verdict.Continue) {
        verdict = Verdict.Converged; // an invariant subspace: the iterate is exact
      }
    }
    // x += V y with H y = g on the columns built (upper triangular after the rotations).
    for (let i = used - 1; i >= 0; i--) {
      let s = g[i];
      for (let c = i + 1; c < used; c++) s -= H[i * k + c] * y[c];
      y[i] = s / H[i * k + i];
    }
    for (let i = 0; i < used; i++) {
      const vi = V[i];
      const yi = y[i];
      for (let q = 0; q < n; q++) x[q] += yi * vi[q];
    }
    if (verdict !== Verdict.Continue) return { verdict, matvecs, bytes: bytes() };
  }
}

/** ‖a[from .. to)‖₂. */
export function norm2(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let q = from; q < to; q++) s += a[q] * a[q];
  return Math.sqrt(s);
}
