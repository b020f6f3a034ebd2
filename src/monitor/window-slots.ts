// The slots of a fixed window (window.ts): a small ring of hash tables, one open for the hot path,
// closed ones waiting for collect(), which renders them to ClosedWindow rows off the hot path. If
// no slot is free (collect() is late), the oldest closed one is rendered right then so nothing is
// lost. Everything here runs once per window opened or closed, never per record.
import type { WindowDef } from "../config/types.ts";
import type { ClosedWindow, RawTable } from "../flow/export.ts";
import type { CompositeKey } from "./key.ts";
import { createStringTable, type StringTable } from "./strings.ts";
import { createHashTable, type HashTable } from "./table.ts";
import { renderRows } from "./topn.ts";

export interface Slot {
  start: number; // epoch ms
  table: HashTable;
  strings: StringTable;
  overflow: Float64Array;
  overflowRecords: number;
}

export interface WindowSlots {
  /** A slot's table, to compile the window's kernel against. */
  readonly first: HashTable;
  /** A free slot, rendering the oldest closed one first when none is. */
  take(): Slot;
  /** The open slot closed: it waits for drain(). */
  retire(s: Slot): void;
  /** Every closed window, rendered; their slots are free again. */
  drain(): ClosedWindow[];
}

/** `exported` counts every window rendered; `raw` leaves them as their table's numbers (WindowOptions.raw). */
export function createWindowSlots(mo: string, def: WindowDef, table: string, key: CompositeKey, nv: number, maxRows: number, raw: boolean, counters: { exported: number }): WindowSlots {
  const kw = key.words;
  const slot = (): Slot => ({ start: NaN, table: createHashTable(kw, nv, maxRows, Math.min(1024, maxRows)), strings: createStringTable(), overflow: new Float64Array(nv), overflowRecords: 0 });
  // Two slots: the open window, and the last closed one until collect() takes it.
  const ring: Slot[] = [slot(), slot()];
  const free: Slot[] = ring.slice();
  const closed: Slot[] = [];
  const ready: ClosedWindow[] = [];

  function render(s: Slot): ClosedWindow {
    counters.exported++;
    const head = { mo, window: def.name, table, time: s.start / 1000, keys: key.columns, values: def.values.slice() };
    if (raw) return { ...head, raw: copyTable(s) };
    return { ...head, rows: renderRows(s.table, key, s.strings, def.top, s.overflow, s.overflowRecords) };
  }

  function copyTable(s: Slot): RawTable {
    const t = s.table;
    const n = t.size;
    const words = new Uint32Array(n * kw);
    const vals = new Float64Array(n * nv);
    for (let e = 0; e < n; e++) {
      const kb = t.keyBase(e);
      const vb = t.valBase(e);
      for (let j = 0; j < kw; j++) words[e * kw + j] = t.keys[kb + j]!;
      for (let v = 0; v < nv; v++) vals[e * nv + v] = t.vals[vb + v]!;
    }
    return { signature: key.signature, keyWords: kw, size: n, words, vals, overflow: s.overflow.slice(), overflowRecords: s.overflowRecords };
  }

  function release(s: Slot): void {
    s.table.clear();
    s.strings.clear();
    s.overflow.fill(0);
    s.overflowRecords = 0;
    s.start = NaN;
    free.push(s);
  }

  return {
    first: ring[0]!.table,
    take() {
      const s = free.pop();
      if (s !== undefined) return s;
      const oldest = closed.shift()!;
      ready.push(render(oldest));
      release(oldest);
      return free.pop()!;
    },
    retire(s) {
      closed.push(s);
    },
    drain() {
      const out = ready.splice(0);
      for (const s of closed.splice(0)) {
        if (s.table.size > 0 || s.overflowRecords > 0) out.push(render(s));
        release(s);
      }
      return out;
    },
  };
}
