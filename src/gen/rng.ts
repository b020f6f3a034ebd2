// Seeded randomness for the record mix: the same seed gives the same pool, byte for byte, so a
// benchmark run can be repeated and a test can predict what it receives.

export type Random = () => number; // uniform in [0, 1)

/** mulberry32: tiny, fast, and good enough to spread synthetic keys. */
export function createRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws ranks 0..n-1: uniformly when s = 0, else Zipf(s) (rank k with weight 1/(k+1)^s). */
export function createRankSampler(n: number, s: number, random: Random): () => number {
  if (s === 0) return () => Math.floor(random() * n);
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1) ** s;
    cdf[k] = total;
  }
  return () => {
    const u = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] ?? 0) <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
