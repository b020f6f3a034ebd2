import { describe, expect, test } from "bun:test";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { rawExportRenderer } from "../../src/monitor/raw-rows.ts";
import { createWindow, type FixedWindow } from "../../src/monitor/window.ts";
import type { RawTable, WindowExport } from "../../src/store/sink.ts";
import { push, win } from "./helpers.ts";

const T = 1_700_000_040_000;

// Twelve keys into a table of eight rows: four records go to the remainder row.
function closed(top: number, raw: boolean): { w: FixedWindow; exp: WindowExport } {
  const def = win("talkers", 30, ["src host", "dst port"], ["octets", "packets"], top);
  const w = createWindow("edge", def, def.key.map((k) => parseKey(k, []) as KeySpec), [], { raw, maxRows: 8 });
  const b: FlowBatch = createBatch([], 64);
  for (let i = 0; i < 12; i++) push(b, { src: `10.0.0.${i + 1}`, dstPort: 80 + (i % 3), octets: 100 * ((i * 7) % 12) + 1, packets: i + 1, at: T + i });
  const sel = Int32Array.from({ length: b.length }, (_, i) => i);
  w.addBatch(b, sel, b.length, b.octets.slice(), b.packets.slice());
  const [exp] = w.collect(T + 30_000);
  return { w, exp: exp! };
}

describe("raw window rows, rendered a slice at a time", () => {
  for (const top of [0, 3]) {
    test(`top ${top}: the rows, the remainder row and the export equal what the window renders itself`, () => {
      const expected = closed(top, false).exp;
      const { w, exp } = closed(top, true);
      expect(exp.rows).toEqual([]);
      expect(exp.raw?.size).toBe(8);
      const render = rawExportRenderer(exp, exp.raw!, w.key, top);
      const calls: (WindowExport | null)[] = [];
      for (let k = 0; k < 6 && calls.at(-1) == null; k++) calls.push(render(3));
      // Every row: 3 + 3 + 2 entries, the remainder with the last slice. Top 3: all in one call.
      expect(calls.length).toBe(top === 0 ? 3 : 1);
      expect(calls.slice(0, -1)).toEqual(top === 0 ? [null, null] : []);
      expect(calls.at(-1)).toEqual(expected);
      expect(expected.rows.length).toBe(top === 0 ? 9 : 4);
      expect(expected.rows.at(-1)!.slice(0, 2)).toEqual([null, null]);
    });
  }

  test("an empty table with overflow renders the remainder row alone", () => {
    const raw: RawTable = { signature: "", keyWords: 1, size: 0, words: new Uint32Array(0), vals: new Float64Array(0), overflow: Float64Array.of(42), overflowRecords: 2 };
    const exp: WindowExport = {
      mo: "edge", window: "talkers", table: "edge_talkers", time: 1, keys: [], values: ["octets"], rows: [],
      raw,
    };
    const { w } = closed(0, true);
    const r = rawExportRenderer(exp, raw, { ...w.key, columns: [] }, 0)(100);
    expect(r).toEqual({ mo: "edge", window: "talkers", table: "edge_talkers", time: 1, keys: [], values: ["octets"], rows: [[42]] });
  });
});
