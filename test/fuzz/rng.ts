// The fuzzer's randomness: xoshiro128** seeded through splitmix32, so one 32-bit seed replays a
// whole run byte for byte (Math.random cannot be seeded, and a crash must reproduce).

export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  u32(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

export function createRng(seed: number): Rng {
  // splitmix32 spreads a small seed (1, 2, 3...) over all four state words; all-zero state is a fixed point.
  let z = seed >>> 0;
  const mix = () => {
    z = (z + 0x9e3779b9) >>> 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix() | 1;

  function u32(): number {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r;
  }
  const int = (n: number) => Math.floor((u32() / 4294967296) * n);
  return {
    u32,
    int,
    chance: (p) => u32() / 4294967296 < p,
    pick: <T>(xs: readonly T[]): T => xs[int(xs.length)] as T,
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
