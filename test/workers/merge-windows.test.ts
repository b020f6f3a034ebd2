import { describe, expect, test } from "bun:test";
import type { WindowExport } from "../../src/store/sink.ts";
import { createWindowMerger, type PartialExport } from "../../src/workers/merge-windows.ts";

const T = 1_700_000_010; // window start, epoch s
const END = (T + 10) * 1000;

function part(rows: (string | number | null)[][], top = 0, time = T): PartialExport {
  const exp: WindowExport = {
    mo: "all",
    window: "pairs",
    table: "all_pairs",
    time,
    keys: [
      { name: "src_host", type: "address" },
      { name: "dst_port", type: "uint" },
    ],
    values: ["octets", "flows"],
    rows,
  };
  return { end: (time + 10) * 1000, top, exp };
}

describe("window merge", () => {
  test("a key seen by two workers is one row holding the sums", () => {
    const m = createWindowMerger(2);
    m.add(0, [part([["10.0.0.1", 80, 100, 1], ["10.0.0.2", 443, 50, 2]])]);
    m.add(1, [part([["10.0.0.2", 443, 70, 3], ["10.0.0.3", 80, 5, 1]])]);
    m.advance(0, END);
    m.advance(1, END);
    expect(m.ready()).toEqual([
      {
        mo: "all",
        window: "pairs",
        table: "all_pairs",
        time: T,
        keys: part([]).exp.keys,
        values: ["octets", "flows"],
        rows: [
          ["10.0.0.1", 80, 100, 1],
          ["10.0.0.2", 443, 120, 5],
          ["10.0.0.3", 80, 5, 1],
        ],
      },
    ]);
    expect(m.pending).toBe(0);
  });

  test("top-N is taken after the merge, the rest summed into one null-key row", () => {
    const m = createWindowMerger(2);
    // Alone, each worker would keep 10.0.0.1 and cut 10.0.0.2; together 10.0.0.2 is the largest.
    m.add(0, [part([["10.0.0.1", 80, 60, 1], ["10.0.0.2", 80, 40, 1], ["10.0.0.3", 80, 1, 1]], 2)]);
    m.add(1, [part([["10.0.0.4", 80, 45, 1], ["10.0.0.2", 80, 40, 1], ["10.0.0.3", 80, 1, 1], [null, null, 7, 3]], 2)]);
    m.advance(0, END);
    m.advance(1, END);
    const [e] = m.ready();
    expect(e?.rows).toEqual([
      ["10.0.0.2", 80, 80, 2],
      ["10.0.0.1", 80, 60, 1],
      [null, null, 45 + 2 + 7, 1 + 2 + 3],
    ]);
  });

  test("an export waits until every live worker has collected past its end", () => {
    const m = createWindowMerger(3);
    m.add(0, [part([["10.0.0.1", 80, 1, 1]])]);
    m.advance(0, END);
    m.advance(1, END + 500);
    m.advance(2, END - 1);
    expect(m.ready()).toEqual([]);
    expect(m.pending).toBe(1);
    m.retire(2);
    expect(m.ready().map((e) => e.rows)).toEqual([[["10.0.0.1", 80, 1, 1]]]);
  });

  test("windows of different starts stay apart and come out oldest first", () => {
    const m = createWindowMerger(1);
    m.add(0, [part([["10.0.0.1", 80, 2, 1]], 0, T + 10), part([["10.0.0.1", 80, 1, 1]], 0, T)]);
    m.advance(0, END);
    expect(m.ready().map((e) => [e.time, e.rows])).toEqual([[T, [["10.0.0.1", 80, 1, 1]]]]);
    expect(m.drainAll().map((e) => [e.time, e.rows])).toEqual([[T + 10, [["10.0.0.1", 80, 2, 1]]]]);
  });
});
