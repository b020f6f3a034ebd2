import { describe, expect, test } from "bun:test";
import type { FieldDef } from "../../src/config/types.ts";
import { createBatch, type ExtraSpec, type FlowBatch } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createWindow, type FixedWindow } from "../../src/monitor/window.ts";
import { type ClosedWindow, headOf } from "../../src/flow/export.ts";
import { createWindowMerger, type PartialExport } from "../../src/workers/merge-windows.ts";
import { push, type Rec, rendered, rowsIn, win } from "../monitor/helpers.ts";

const T = 1_700_000_010; // window start, epoch s
const END = (T + 10) * 1000;
const rawOf = (e: ClosedWindow) => ("raw" in e ? e.raw : undefined);

function part(rows: (string | number | null)[][], top = 0, time = T): PartialExport {
  const exp: ClosedWindow = {
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
    expect(rowsIn(e!)).toEqual([
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
    expect(m.ready().map((e) => rowsIn(e))).toEqual([[["10.0.0.1", 80, 1, 1]]]);
  });

  test("windows of different starts stay apart and come out oldest first", () => {
    const m = createWindowMerger(1);
    m.add(0, [part([["10.0.0.1", 80, 2, 1]], 0, T + 10), part([["10.0.0.1", 80, 1, 1]], 0, T)]);
    m.advance(0, END);
    expect(m.ready().map((e) => [e.time, rowsIn(e)])).toEqual([[T, [["10.0.0.1", 80, 1, 1]]]]);
    expect(m.drainAll().map((e) => [e.time, rowsIn(e)])).toEqual([[T + 10, [["10.0.0.1", 80, 2, 1]]]]);
  });
});

// Workers' windows leave as numbers (WindowOptions.raw): merged on key words and rendered once,
// they must give exactly what one window fed every record gives.
describe("window merge of raw parts", () => {
  const TS = 1_700_000_040_000; // window start, epoch ms
  const def = win("pairs", 30, ["src host", "dst port"], ["octets", "flows"], 2);
  const specs = def.key.map((k) => parseKey(k, []) as KeySpec);
  const recs: Rec[] = [
    { src: "10.0.0.1", dstPort: 80, octets: 100, at: TS + 1 },
    { src: "10.0.0.2", dstPort: 443, octets: 50, at: TS + 2 },
    { src: "2001:db8::7", dstPort: 53, octets: 70, at: TS + 3 },
    { src: "10.0.0.2", dstPort: 443, octets: 70, at: TS + 4 },
    { src: "10.0.0.3", dstPort: 80, octets: 5, at: TS + 5 },
    { src: "10.0.0.1", dstPort: 80, octets: 1, at: TS + 6 },
    { src: "10.0.0.4", dstPort: 22, octets: 9, at: TS + 7 },
  ];
  const feed = (w: FixedWindow, rs: Rec[]) => {
    const b: FlowBatch = createBatch([], 64);
    for (const r of rs) push(b, r);
    const sel = Int32Array.from({ length: b.length }, (_, i) => i);
    w.addBatch(b, sel, b.length, b.octets.slice(), b.packets.slice());
  };
  const part = (exp: ClosedWindow): PartialExport => ({ end: TS + 30_000, top: def.top, exp });

  test("two workers' tables, summed by key, equal one window over all records (top-N, remainder, overflow)", () => {
    const main = createWindow("all", def, specs, []);
    const one = createWindow("all", def, specs, [], { maxRows: 3 });
    feed(one, recs);
    const expected = one.flush();
    // Worker 0 overflows as well: its overflow row is summed into the merged remainder.
    const workers = [createWindow("all", { ...def, top: 0 }, specs, [], { raw: true, maxRows: 3 }), createWindow("all", { ...def, top: 0 }, specs, [], { raw: true })];
    feed(workers[0]!, recs.filter((_, i) => i % 2 === 0));
    feed(workers[1]!, recs.filter((_, i) => i % 2 === 1));
    const parts = workers.map((w) => w.flush());
    expect(parts.map((p) => [rawOf(p[0]!)?.size, rawOf(p[0]!)?.overflowRecords])).toEqual([
      [3, 1],
      [2, 0],
    ]);
    const m = createWindowMerger(2, (table, signature) => (table === main.table && signature === main.key.signature ? main.key : undefined));
    parts.forEach((p, w) => m.add(w, p.map(part)));
    m.advance(0, TS + 30_000);
    m.advance(1, TS + 30_000);
    const merged = m.ready();
    // The merged rows are rendered as the store asks for them, never all at once.
    expect(merged.map((e) => ("source" in e ? e.source.count : "rows"))).toEqual([3]);
    expect(merged.map(rendered)).toEqual(expected.map(rendered));
    expect(rendered(merged[0]!).rows).toEqual([
      ["10.0.0.2", 443, 120, 2],
      ["10.0.0.1", 80, 101, 2],
      [null, null, 84, 3],
    ]);
  });

  test("one worker's part with an empty one from the other: the part's own rows, order and overflow", () => {
    const main = createWindow("all", def, specs, []);
    const one = createWindow("all", def, specs, [], { maxRows: 3 });
    feed(one, recs);
    const expected = one.flush();
    const workers = [createWindow("all", { ...def, top: 0 }, specs, [], { raw: true }), createWindow("all", { ...def, top: 0 }, specs, [], { raw: true, maxRows: 3 })];
    feed(workers[1]!, recs);
    const parts = workers.map((w) => w.flush());
    expect(parts.map((p) => p.map((e) => rawOf(e)?.size))).toEqual([[], [3]]);
    // The idle worker's window never opened; an empty part of the same window still counts.
    const empty: ClosedWindow = { ...headOf(parts[1]![0]!), raw: { ...rawOf(parts[1]![0]!)!, size: 0, words: new Uint32Array(0), vals: new Float64Array(0), overflow: new Float64Array(2), overflowRecords: 0 } };
    for (const emptyFirst of [true, false]) {
      const m = createWindowMerger(2, (table, signature) => (table === main.table && signature === main.key.signature ? main.key : undefined));
      if (emptyFirst) m.add(0, [part(empty)]);
      m.add(1, parts[1]!.map(part));
      if (!emptyFirst) m.add(0, [part(empty)]);
      m.advance(0, TS + 30_000);
      m.advance(1, TS + 30_000);
      expect(m.ready().map(rendered)).toEqual(expected.map(rendered));
    }
  });

  test("a raw part whose key the main thread does not know is reported, not rendered wrong", () => {
    const w = createWindow("all", def, specs, [], { raw: true });
    feed(w, recs);
    const lost: string[] = [];
    const m = createWindowMerger(1, () => undefined, (why) => lost.push(why));
    m.add(0, w.flush().map(part));
    expect(m.drainAll().map((e) => rendered(e).rows)).toEqual([[]]);
    expect(lost).toEqual(["window all_pairs: no key src host|dst port on the main thread; 5 rows of one worker dropped"]);
  });

  test("keys with a string field are rendered by the worker as before", () => {
    const extras: ExtraSpec[] = [{ pen: 0, element: 96, type: "string" }];
    const fields: FieldDef[] = [{ name: "app", pen: 0, element: 96, type: "string" }];
    const d = win("apps", 30, ["app"], ["flows"]);
    const w = createWindow("all", d, d.key.map((k) => parseKey(k, fields) as KeySpec), extras, { raw: true });
    const b = createBatch(extras, 8);
    b.strings.push("ssh", "dns");
    for (const id of [0, 1, 0]) {
      push(b, { at: TS + 1 });
      b.extra[0]!.num[b.length - 1] = id;
    }
    w.addBatch(b, Int32Array.of(0, 1, 2), 3, b.octets.slice(), b.packets.slice());
    const [exp] = w.flush();
    expect([rawOf(exp!), rowsIn(exp!)]).toEqual([undefined, [["ssh", 2], ["dns", 1]]]);
  });
});
