// Memory samples taken after a full collection (so they measure what is kept, not garbage not
// yet collected), and the trend after warm-up: flat means the slope stays near zero.
import { heapStats } from "bun:jsc";

export interface MemorySample {
  at: number; // datagrams fed
  rssMiB: number;
  heapMiB: number;
}

export interface MemoryTrend {
  peakRssMiB: number;
  /** Least-squares slope over the samples after warm-up, MiB per million datagrams. */
  rssSlopeMiBPerM: number;
  heapSlopeMiBPerM: number;
  /** Largest minus smallest after warm-up. */
  rssSpreadMiB: number;
  heapSpreadMiB: number;
  warmupSamples: number;
}

const MiB = 1024 * 1024;

export function sampleMemory(at: number): MemorySample {
  Bun.gc(true);
  return { at, rssMiB: round(process.memoryUsage().rss / MiB), heapMiB: round(heapStats().heapSize / MiB) };
}

const round = (x: number) => Math.round(x * 100) / 100;

function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, x) => a + x, 0) / n;
  const my = ys.reduce((a, y) => a + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let k = 0; k < n; k++) {
    num += (xs[k]! - mx) * (ys[k]! - my);
    den += (xs[k]! - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Warm-up is the first quarter of the samples (at least one): JIT, caches and tables filling. */
export function trend(samples: readonly MemorySample[]): MemoryTrend {
  const warmupSamples = Math.max(1, Math.floor(samples.length / 4));
  const after = samples.slice(warmupSamples);
  const xs = after.map((s) => s.at / 1e6);
  const spread = (ys: number[]) => (ys.length === 0 ? 0 : round(Math.max(...ys) - Math.min(...ys)));
  return {
    peakRssMiB: samples.reduce((m, s) => Math.max(m, s.rssMiB), 0),
    rssSlopeMiBPerM: round(slope(xs, after.map((s) => s.rssMiB))),
    heapSlopeMiBPerM: round(slope(xs, after.map((s) => s.heapMiB))),
    rssSpreadMiB: spread(after.map((s) => s.rssMiB)),
    heapSpreadMiB: spread(after.map((s) => s.heapMiB)),
    warmupSamples,
  };
}
