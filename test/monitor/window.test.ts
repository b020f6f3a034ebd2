import { describe, expect, test } from "bun:test";
import type { WindowDef } from "../../src/config/types.ts";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createWindow, type FixedWindow, type WindowOptions } from "../../src/monitor/window.ts";
import { push, rowsIn, win, type Rec } from "./helpers.ts";

const T = 1_700_000_040_000; // a multiple of 30 s and of 60 s
const S = T / 1000;

function make(def: WindowDef, opts?: WindowOptions): FixedWindow {
  const specs = def.key.map((k) => parseKey(k, []) as KeySpec);
  return createWindow("edge", def, specs, [], opts);
}

function feed(w: FixedWindow, recs: Rec[]): void {
  const b: FlowBatch = createBatch([], 64);
  for (const r of recs) push(b, r);
  const sel = Int32Array.from({ length: b.length }, (_, i) => i);
  const octets = b.octets.map((o, i) => o * b.sampling[i]!);
  const packets = b.packets.map((p, i) => p * b.sampling[i]!);
  w.addBatch(b, sel, b.length, octets, packets);
}

const head = { mo: "edge", window: "talkers", table: "edge_talkers" };

describe("fixed window", () => {
  test("sums per key within the aligned window; exports when collect() passes its end", () => {
    const w = make(win("talkers", 30, ["src host", "dst port"], ["octets", "packets", "bits", "flows"]));
    feed(w, [
      { src: "10.0.0.1", dstPort: 80, octets: 1000, packets: 2, at: T + 5 },
      { src: "10.0.0.2", dstPort: 443, octets: 300, packets: 1, at: T + 29_999 },
      { src: "10.0.0.1", dstPort: 80, octets: 500, packets: 3, at: T + 12_000 },
    ]);
    expect(w.collect(T + 29_999)).toEqual([]);
    expect(w.openStart).toBe(T);
    expect(w.collect(T + 30_000)).toEqual([
      {
        ...head,
        time: S,
        keys: [{ name: "src_host", type: "address" }, { name: "dst_port", type: "uint" }],
        values: ["octets", "packets", "bits", "flows"],
        rows: [
          ["10.0.0.1", 80, 1500, 5, 12000, 2],
          ["10.0.0.2", 443, 300, 1, 2400, 1],
        ],
      },
    ]);
    expect(w.collect(T + 90_000)).toEqual([]);
    expect(w.counters).toEqual({ late: 0, overflow: 0, exported: 1 });
  });

  test("octets, packets and bits are scaled by the sampling rate; flows are not", () => {
    const w = make(win("talkers", 60, ["proto"], ["flows", "bits", "octets", "packets"]));
    feed(w, [
      { proto: 6, octets: 1500, packets: 1, sampling: 1000, at: T },
      { proto: 6, octets: 40, packets: 1, sampling: 1, at: T + 1 },
    ]);
    expect(w.flush()).toEqual([
      { ...head, time: S, keys: [{ name: "proto", type: "uint" }], values: ["flows", "bits", "octets", "packets"], rows: [[6, 2, 12_000_320, 1_500_040, 1001]] },
    ]);
  });

  test("records spanning three windows close the older ones as they pass", () => {
    const w = make(win("talkers", 30, ["proto"], ["flows"]));
    feed(w, [
      { proto: 1, at: T + 1 },
      { proto: 1, at: T + 31_000 },
      { proto: 17, at: T + 32_000 },
      { proto: 6, at: T + 61_000 },
    ]);
    const rowsOf = (xs: ReturnType<FixedWindow["collect"]>) => xs.map((x) => [x.time, rowsIn(x)]);
    expect(rowsOf(w.collect(T + 61_000))).toEqual([
      [S, [[1, 1]]],
      [S + 30, [[1, 1], [17, 1]]],
    ]);
    expect(rowsOf(w.flush())).toEqual([[S + 60, [[6, 1]]]]);
  });

  test("windows closed while collect() was late are rendered, not overwritten", () => {
    const w = make(win("talkers", 30, ["proto"], ["flows"]));
    for (let k = 0; k < 5; k++) feed(w, [{ proto: k, at: T + k * 30_000 }]);
    expect(w.flush().map((x) => [x.time, rowsIn(x)])).toEqual([0, 1, 2, 3, 4].map((k) => [S + 30 * k, [[k, 1]]]));
  });

  test("a late record is counted and added to the open window", () => {
    const w = make(win("talkers", 30, ["proto"], ["flows", "octets"]));
    feed(w, [{ proto: 6, octets: 10, at: T + 1000 }]);
    expect(w.collect(T + 30_000).map((x) => rowsIn(x))).toEqual([[[6, 1, 10]]]);
    feed(w, [
      { proto: 6, octets: 20, at: T + 29_000 }, // its window is closed: goes to [T+30s, T+60s)
      { proto: 6, octets: 40, at: T + 31_000 },
      { proto: 17, octets: 80, at: T + 2_000 },
    ]);
    expect(w.counters.late).toBe(2);
    expect(w.flush()).toEqual([
      { ...head, time: S + 30, keys: [{ name: "proto", type: "uint" }], values: ["flows", "octets"], rows: [[6, 2, 60], [17, 1, 80]] },
    ]);
  });

  test("top N: rows by the first value, the rest summed into one null-key row", () => {
    const w = make(win("talkers", 30, ["src host", "dst host"], ["octets", "flows"], 2));
    feed(w, [
      { src: "10.0.0.1", dst: "10.0.0.9", octets: 100, at: T },
      { src: "10.0.0.2", dst: "10.0.0.9", octets: 700, at: T },
      { src: "10.0.0.3", dst: "10.0.0.9", octets: 50, at: T },
      { src: "10.0.0.4", dst: "10.0.0.9", octets: 300, at: T },
      { src: "10.0.0.1", dst: "10.0.0.9", octets: 250, at: T },
    ]);
    expect(rowsIn(w.flush()[0]!)).toEqual([
      ["10.0.0.2", "10.0.0.9", 700, 1],
      ["10.0.0.1", "10.0.0.9", 350, 2],
      [null, null, 350, 2],
    ]);
  });

  test("top N with nothing left over has no remainder row", () => {
    const w = make(win("talkers", 30, ["src host"], ["packets"], 3));
    feed(w, [
      { src: "10.0.0.1", packets: 5, at: T },
      { src: "10.0.0.2", packets: 9, at: T },
    ]);
    expect(rowsIn(w.flush()[0]!)).toEqual([
      ["10.0.0.2", 9],
      ["10.0.0.1", 5],
    ]);
  });

  test("a full table sums the records it cannot hold into the null-key row", () => {
    const w = make(win("talkers", 30, ["dst port"], ["octets", "flows"]), { maxRows: 2 });
    feed(w, [
      { dstPort: 80, octets: 1, at: T },
      { dstPort: 443, octets: 2, at: T },
      { dstPort: 22, octets: 4, at: T },
      { dstPort: 80, octets: 8, at: T },
      { dstPort: 53, octets: 16, at: T },
    ]);
    expect(w.counters.overflow).toBe(2);
    expect(rowsIn(w.flush()[0]!)).toEqual([
      [80, 9, 2],
      [443, 2, 1],
      [null, 20, 2],
    ]);
  });

  test("overflow and top-N remainder land in the same row", () => {
    const w = make(win("talkers", 30, ["dst port"], ["octets"], 1), { maxRows: 2 });
    feed(w, [
      { dstPort: 80, octets: 1, at: T },
      { dstPort: 443, octets: 2, at: T },
      { dstPort: 22, octets: 4, at: T },
    ]);
    expect(rowsIn(w.flush()[0]!)).toEqual([
      [443, 2],
      [null, 5],
    ]);
  });

  test("an extended window counts only while enabled, by reference count", () => {
    const w = make(win("talkers", 30, ["proto"], ["flows"], 0, true));
    feed(w, [{ proto: 1, at: T }]);
    expect(w.enabled).toBe(false);
    w.enable();
    w.enable();
    feed(w, [{ proto: 2, at: T }]);
    w.disable();
    expect(w.enabled).toBe(true);
    feed(w, [{ proto: 3, at: T }]);
    w.disable();
    w.disable(); // one too many: stays at zero
    feed(w, [{ proto: 4, at: T }]);
    w.enable();
    expect(w.enabled).toBe(true);
    feed(w, [{ proto: 5, at: T + 1 }]);
    expect(rowsIn(w.flush()[0]!)).toEqual([
      [2, 1],
      [3, 1],
      [5, 1],
    ]);
  });

  test("an empty window exports nothing", () => {
    const w = make(win("talkers", 30, ["proto"], ["flows"]));
    expect(w.collect(T)).toEqual([]);
    expect(w.flush()).toEqual([]);
  });
});
