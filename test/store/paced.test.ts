import { describe, expect, test } from "bun:test";
import { createPacedWriter } from "../../src/store/paced.ts";
import { ROWS_PER_TURN } from "../../src/store/turn.ts";
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

  // A stand-in for a raw export's renderer: `slices` calls, the last one returns the export with its rows.
  const slices = (n: number, limits: number[]) => (e: WindowExport) => {
    if (e.table !== "raw") return null;
    let left = n;
    return (limit: number) => {
      limits.push(limit);
      return --left > 0 && limit !== Number.POSITIVE_INFINITY ? null : { ...e, table: "rendered", rows: [[1]] };
    };
  };

  test("a raw export is rendered a slice per turn, then written in the next turn", () => {
    const turns: (() => void)[] = [];
    const written: string[] = [];
    const limits: number[] = [];
    const w = createPacedWriter((e) => written.push(e.table), (f) => turns.push(f), slices(3, limits));
    w.push([exp("raw"), exp("b")]);
    const seen: string[][] = [];
    while (turns.length > 0) {
      turns.shift()!();
      seen.push(written.slice());
    }
    expect(seen).toEqual([[], [], [], ["rendered"], ["rendered", "b"]]);
    expect(limits).toEqual([ROWS_PER_TURN, ROWS_PER_TURN, ROWS_PER_TURN]);
  });

  test("a flush renders what is left of a raw export at once and writes everything in order", () => {
    const turns: (() => void)[] = [];
    const written: string[] = [];
    const limits: number[] = [];
    const w = createPacedWriter((e) => written.push(e.table), (f) => turns.push(f), slices(5, limits));
    w.push([exp("a"), exp("raw"), exp("c")]);
    turns.shift()!(); // writes a
    turns.shift()!(); // the first slice of raw
    w.flush();
    expect([written, limits, w.pending]).toEqual([["a", "rendered", "c"], [ROWS_PER_TURN, Number.POSITIVE_INFINITY], 0]);
  });
});

