/**
 * A seeded direction, uniform in [−1, 1) per entry, from mulberry32 (a 32-bit generator: small,
 * fast and reproducible across platforms) — the random v̇ of the dot-product test.
 */
export function randomDirection(size: number, seed: number): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}
