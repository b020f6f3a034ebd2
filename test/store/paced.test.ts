import { describe, expect, test } from "bun:test";
import { createPacedWriter } from "../../src/store/paced.ts";
import type { WindowExport } from "../../src/store/sink.ts";

const exp = (table: string): WindowExport => ({ mo: "m", window: "w", table, time: 0, keys: [], values: [], rows: [] });

describe("paced writer", () => {
  test("one export per turn, in order; a flush writes the rest at once", () => {
    const turns: (() => void)[] = [];
    const written: string[] = [];
    const w = createPacedWriter((e) => written.push(e.table), (f) => turns.push(f));
    w.push([exp("a"), exp("b")]);
    w.push([exp("c")]);
    expect([written, turns.length, w.pending]).toEqual([[], 1, 3]);
    turns.shift()!();
    expect([written, turns.length, w.pending]).toEqual([["a"], 1, 2]);
    w.push([exp("d")]);
    expect(turns.length).toBe(1); // one turn in flight at a time
    w.flush();
    expect([written, w.pending]).toEqual([["a", "b", "c", "d"], 0]);
    turns.shift()!(); // the turn still scheduled finds nothing to do
    expect([written, turns.length]).toEqual([["a", "b", "c", "d"], 0]);
  });

  test("with the default scheduler, exports leave in later turns", async () => {
    const written: string[] = [];
    const w = createPacedWriter((e) => written.push(e.table));
    w.push([exp("a"), exp("b")]);
    expect(written).toEqual([]);
    await Bun.sleep(20);
    expect(written).toEqual(["a", "b"]);
  });

  test("an export is written as pushed: a raw window's row source is left to the consumer", () => {
    const turns: (() => void)[] = [];
    const read: string[] = [];
    const raw: WindowExport = {
      mo: "m", window: "w", table: "raw", time: 0, keys: [], values: [],
      source: {
        get count() {
          read.push("count");
          return 0;
        },
        remainder: -1,
        first: () => 0,
        slice: () => [],
      },
    };
    const written: WindowExport[] = [];
    const w = createPacedWriter((e) => written.push(e), (f) => turns.push(f));
    w.push([raw]);
    turns.shift()!();
    expect([written.length, written[0] === raw, read]).toEqual([1, true, []]);
  });
});
