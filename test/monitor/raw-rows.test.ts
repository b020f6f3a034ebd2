import { describe, expect, test } from "bun:test";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { rawRowSource, withRowSource } from "../../src/monitor/raw-rows.ts";
import { createWindow, type FixedWindow } from "../../src/monitor/window.ts";
import { type ClosedWindow, type RawTable, type Row, headOf, rowCount, rowsOf } from "../../src/flow/export.ts";
import { push, rowsIn, win } from "./helpers.ts";

const T = 1_700_000_040_000;

// Twelve keys into a table of eight rows: four records go to the remainder row.
function closed(top: number, raw: boolean): { w: FixedWindow; exp: ClosedWindow } {
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
      if (!("raw" in exp)) throw new Error("a raw window exports its table");
      expect(exp.raw.size).toBe(8);
      const out = withRowSource(exp, exp.raw, w.key, top);
      if (!("source" in out)) throw new Error("a raw table's export has a row source");
      const src = out.source;
      // Every row: 8 entries and the remainder; top 3: 3 and the remainder.
      expect([src.count, src.remainder]).toEqual(top === 0 ? [9, 8] : [4, 3]);
      const slices = [src.slice(0, 3), src.slice(3, 6), src.slice(6, 9)];
      expect(slices.flat()).toEqual(rowsIn(expected) as Row[]);
      expect(slices.map((x) => x.length)).toEqual(top === 0 ? [3, 3, 3] : [3, 1, 0]);
      expect(Array.from({ length: src.count }, (_, i) => src.first(i))).toEqual(rowsIn(expected).map((r) => r[2] as number));
      // Slices are rendered anew each time: a consumer may drop them.
      expect(src.slice(0, 2)).toEqual(src.slice(0, 2));
      expect(src.slice(src.count - 1, src.count)[0]).not.toBe(src.slice(src.count - 1, src.count)[0]);
      expect(headOf(out)).toEqual(headOf(expected));
      expect(rowsOf(out)).toBe(src);
      expect(rowCount(out)).toBe(rowsIn(expected).length);
      expect(rowsIn(expected).at(-1)!.slice(0, 2)).toEqual([null, null]);
    });
  }

  test("an empty table with overflow renders the remainder row alone", () => {
    const raw: RawTable = { signature: "", keyWords: 1, size: 0, words: new Uint32Array(0), vals: new Float64Array(0), overflow: Float64Array.of(42), overflowRecords: 2 };
    const { w } = closed(0, true);
    const src = rawRowSource(raw, { ...w.key, columns: [] }, 0);
    expect([src.count, src.remainder, src.slice(0, 100), src.first(0)]).toEqual([1, 0, [[42]], 42]);
  });
});
