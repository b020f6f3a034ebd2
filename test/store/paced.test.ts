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

  // A stand-in for a raw export's preparation (its row source): counts the calls.
  const preparing = (calls: string[]) => (e: WindowExport) => {
    if (e.table !== "raw") return null;
    return () => {
      calls.push(e.table);
      return { ...e, table: "prepared", rows: [[1]] };
    };
  };

  test("a raw export is prepared in its own turn, where it is written", () => {
    const turns: (() => void)[] = [];
    const written: string[] = [];
    const calls: string[] = [];
    const w = createPacedWriter((e) => written.push(e.table), (f) => turns.push(f), preparing(calls));
    w.push([exp("raw"), exp("b")]);
    expect(calls).toEqual([]);
    const seen: string[][] = [];
    while (turns.length > 0) {
      turns.shift()!();
      seen.push(written.slice());
    }
    expect([seen, calls]).toEqual([[["prepared"], ["prepared", "b"]], ["raw"]]);
  });

  test("a flush prepares and writes everything in order", () => {
    const turns: (() => void)[] = [];
    const written: string[] = [];
    const calls: string[] = [];
    const w = createPacedWriter((e) => written.push(e.table), (f) => turns.push(f), preparing(calls));
    w.push([exp("a"), exp("raw"), exp("c")]);
    turns.shift()!(); // writes a
    w.flush();
    expect([written, calls, w.pending]).toEqual([["a", "prepared", "c"], ["raw"], 0]);
  });
});
