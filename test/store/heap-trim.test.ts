import { describe, expect, test } from "bun:test";
import { createHeapTrim } from "../../src/store/heap-trim.ts";

describe("heap trim after large exports", () => {
  test("one collection after the last large export of a burst; small exports start none", async () => {
    const at: number[] = [];
    const t0 = performance.now();
    const trim = createHeapTrim({ minRows: 1000, delayMs: 60, collect: () => at.push(performance.now() - t0) });
    trim.written(999);
    await Bun.sleep(100);
    expect(at).toEqual([]);
    trim.written(100_000);
    await Bun.sleep(30);
    trim.written(44_000);
    trim.written(10);
    await Bun.sleep(150);
    expect(at.length).toBe(1);
    // Counted from the second large export (at ~130 ms), not the first (~100 ms).
    expect(at[0]!).toBeGreaterThanOrEqual(185);
    trim.written(5000);
    await Bun.sleep(100);
    expect(at.length).toBe(2);
    trim.stop();
  });

  test("stop cancels a pending collection and ignores later exports", async () => {
    let n = 0;
    const trim = createHeapTrim({ minRows: 1, delayMs: 20, collect: () => n++ });
    trim.written(5);
    trim.stop();
    trim.written(5);
    await Bun.sleep(80);
    expect(n).toBe(0);
  });

  test("the default collection frees what no one holds", async () => {
    const { heapStats } = await import("bun:jsc");
    const trim = createHeapTrim({ minRows: 1, delayMs: 0 });
    let rows: unknown[][] | null = Array.from({ length: 200_000 }, (_, i) => [`10.0.${i >> 8}.${i & 255}`, i, i * 2]);
    const before = heapStats().objectTypeCounts.Array ?? 0;
    expect(before).toBeGreaterThanOrEqual(200_000);
    rows = null;
    trim.written(200_000);
    await Bun.sleep(20);
    expect(rows).toBeNull();
    expect(heapStats().objectTypeCounts.Array ?? 0).toBeLessThan(before - 150_000);
  });
});
