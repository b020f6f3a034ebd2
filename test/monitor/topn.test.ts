import { describe, expect, test } from "bun:test";
import { createHashTable } from "../../src/monitor/table.ts";
import { topEntries } from "../../src/monitor/topn.ts";

describe("topEntries", () => {
  test("the heap picks what a full sort would, ties by entry order", () => {
    const t = createHashTable(1, 2, 5000);
    let seed = 99;
    const values: number[] = [];
    for (let x = 0; x < 3000; x++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const v = (seed >>> 16) % 500; // many ties
      const e = t.upsert(Uint32Array.of(x), 0);
      t.vals[t.valBase(e)] = v;
      values.push(v);
    }
    const bySort = values.map((v, e) => [v, e] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, e]) => e);
    for (const n of [1, 10, 100, 2999, 3000, 5000]) expect(Array.from(topEntries(t, n))).toEqual(bySort.slice(0, n));
    expect(Array.from(topEntries(t, 0))).toEqual(values.map((_, e) => e));
  });

  test("an empty table has no entries", () => {
    expect(Array.from(topEntries(createHashTable(1, 1, 4), 10))).toEqual([]);
  });
});
