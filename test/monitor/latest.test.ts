import { describe, expect, test } from "bun:test";
import { LATEST_ROWS, createLatestWindows, latestOf } from "../../src/monitor/latest.ts";
import type { WindowExport } from "../../src/store/sink.ts";
import { sourced } from "../store/contract.ts";

type Row = (string | number | null)[];

const exportOf = (rows: Row[], keys = 2): WindowExport & { rows: Row[] } => ({
  mo: "edge",
  window: "talkers",
  table: "edge_talkers",
  time: 1_700_000_040,
  keys: Array.from({ length: keys }, (_, k) => ({ name: `k${k}`, type: "uint" as const })),
  values: ["octets", "flows"],
  rows,
});

// What /api/top did before: a stable sort of every row by the first value, the remainder last.
const sortedWhole = (rows: Row[], nk: number, keep: number): Row[] => {
  const other = (r: Row) => nk > 0 && r.slice(0, nk).every((v) => v === null);
  const kept = [...rows].filter((r) => !other(r)).sort((a, b) => Number(b[nk]) - Number(a[nk])).slice(0, keep);
  return [...kept, ...rows.filter(other)];
};

describe("latestOf: the largest rows of a closed window", () => {
  test("a small export: every row, largest first, ties in export order, the remainder row last", () => {
    const rows: Row[] = [
      [1, 80, 500, 5],
      [null, null, 9000, 90],
      [2, 443, 7000, 70],
      [3, 53, 500, 6],
      [4, 22, 20, 2],
    ];
    expect(latestOf(exportOf(rows))).toEqual({
      mo: "edge",
      window: "talkers",
      time: 1_700_000_040,
      keys: [
        { name: "k0", type: "uint" },
        { name: "k1", type: "uint" },
      ],
      values: ["octets", "flows"],
      rows: [
        [2, 443, 7000, 70],
        [1, 80, 500, 5],
        [3, 53, 500, 6],
        [4, 22, 20, 2],
        [null, null, 9000, 90],
      ],
      totalRows: 5,
    });
  });

  test("a large export keeps LATEST_ROWS rows, the ones a sort of the whole export puts first", () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const rows: Row[] = Array.from({ length: 20_000 }, (_, i) => [i, i % 7, Math.floor(rnd() * 3000), 1]);
    rows.splice(777, 0, [null, null, 1e9, 1]);
    const got = latestOf(exportOf(rows));
    expect(got.rows.length).toBe(LATEST_ROWS + 1);
    expect(got.totalRows).toBe(20_001);
    expect(got.rows).toEqual(sortedWhole(rows, 2, LATEST_ROWS));
  });

  test("random exports and sizes match the whole sort, with many ties", () => {
    let seed = 11;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const n = Math.floor(rnd() * 300);
      const keep = Math.floor(rnd() * 40);
      const rows: Row[] = Array.from({ length: n }, (_, i) => [i, Math.floor(rnd() * 10), 1]);
      expect(latestOf(exportOf(rows, 1), keep).rows).toEqual(sortedWhole(rows, 1, keep));
    }
  });

  test("a keyless window has no remainder row; keep 0 leaves only the remainder", () => {
    expect(latestOf(exportOf([[5], [9]], 0)).rows).toEqual([[9], [5]]);
    expect(latestOf(exportOf([[1, 5, 1], [null, 9, 1]], 1), 0)).toMatchObject({ rows: [[null, 9, 1]], totalRows: 2 });
  });
});

describe("createLatestWindows", () => {
  test("ranks a sourced export when first read, once; an export with rows at once", () => {
    const rows: Row[] = [
      [1, 80, 500, 5],
      [2, 443, 7000, 70],
    ];
    const asked: [number, number][] = [];
    const latest = createLatestWindows(1);
    latest.set("edge/talkers", sourced(exportOf(rows), asked));
    expect(asked).toEqual([]);
    expect(latest.get("edge/talkers")).toMatchObject({ rows: [[2, 443, 7000, 70]], totalRows: 2 });
    expect(latest.get("edge/talkers")).toMatchObject({ rows: [[2, 443, 7000, 70]], totalRows: 2 });
    expect(asked).toEqual([[1, 2]]);
    const plain = exportOf(rows);
    latest.set("edge/talkers", plain);
    (plain.rows as Row[]).length = 0; // what is kept no longer depends on the export
    expect(latest.get("edge/talkers")).toMatchObject({ rows: [[2, 443, 7000, 70]], totalRows: 2 });
    expect(latest.get("edge/other")).toBeUndefined();
  });
});
