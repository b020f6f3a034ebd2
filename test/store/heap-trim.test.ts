import { describe, expect, test } from "bun:test";
import { createHeapTrim } from "../../src/store/heap-trim.ts";

describe("heap trim after large exports", () => {
  test("one collection in the turn after the large exports of a turn; small exports start none", async () => {
    let n = 0;
    const trim = createHeapTrim({ minRows: 1000, collect: () => n++ });
    trim.written(999);
    await Bun.sleep(10);
    expect(n).toBe(0);
    trim.written(100_000);
    trim.written(44_000);
    trim.written(10);
    expect(n).toBe(0);
    await Bun.sleep(10);
    expect(n).toBe(1);
    trim.written(5000);
    await Bun.sleep(10);
    expect(n).toBe(2);
    trim.stop();
  });

  test("stop cancels a pending collection and ignores later exports", async () => {
    let n = 0;
    const trim = createHeapTrim({ minRows: 1, collect: () => n++ });
    trim.written(5);
    trim.stop();
    trim.written(5);
    await Bun.sleep(10);
    expect(n).toBe(0);
  });

  test("the default collection frees what no one holds", async () => {
    const { heapStats } = await import("bun:jsc");
    const trim = createHeapTrim({ minRows: 1 });
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
