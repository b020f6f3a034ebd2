// A fixed window (`[[mo.window]]`): per key, sums of octets/packets/bits (scaled by the record's
// sampling rate) and flows, over windows aligned to multiples of `every` since the epoch by the
// record's arrival time.
//
// Records come a batch at a time: the keys and hashes of the selected records are computed
// first and the open slot's table is touched for all of them, then each record is added.
//
// Slots form a small ring: the hot path writes the open slot; a record for a later window closes
// it and opens the next one; closed slots wait for collect(), which renders them to WindowExport
// rows off the hot path. If no slot is free (collect() is late), the oldest closed one is
// rendered right then so nothing is lost.
//
// Late records (their window was already closed, or is older than the open one) are counted in
// `late` and added to the open window, so totals over time stay exact; only their placement
// moves. Records that find the table full are summed into the null-key row and counted in
// `overflow`. An extended window adds records only while enable() calls outnumber disable().
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import type { WindowDef } from "../config/types.ts";
import type { WindowExport } from "../store/sink.ts";
import { compileKey, writeBatchKeys, type CompositeKey } from "./key.ts";
import type { KeySpec } from "./keyspec.ts";
import { createStringTable, type StringTable } from "./strings.ts";
import { createHashTable, type HashTable } from "./table.ts";
import { renderRows } from "./topn.ts";
import { valueKinds } from "./values.ts";

/** Records whose table lines are touched ahead together: their lines stay in L1/L2 until used. */
export const CHUNK = 256;

export interface WindowOptions {
  /** Rows per window slot before records go to the overflow row. */
  maxRows?: number;
  /** Slots in the ring (at least 2). */
  slots?: number;
}

interface Slot {
  start: number; // epoch ms
  table: HashTable;
  strings: StringTable;
  overflow: Float64Array;
  overflowRecords: number;
}

export interface WindowCounters {
  /** Records whose window had closed; added to the open one. */
  late: number;
  /** Records summed into the null-key row because the table was full. */
  overflow: number;
  /** Windows closed and exported. */
  exported: number;
}

export interface FixedWindow {
  readonly mo: string;
  readonly def: WindowDef;
  readonly table: string;
  readonly key: CompositeKey;
  readonly counters: WindowCounters;
  /** Start (epoch ms) of the open slot, or NaN. */
  readonly openStart: number;
  /** Rows in the open slot (for the dashboard). */
  readonly openRows: number;
  readonly enabled: boolean;
  enable(): void;
  disable(): void;
  /**
   * Hot path: adds records sel[0 .. count-1] of the batch. octets[i] and packets[i] hold record
   * i's values already multiplied by its sampling rate.
   */
  addBatch(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array): void;
  /** Closes the open window when `nowMs` is past its end; returns every closed window. */
  collect(nowMs: number): WindowExport[];
  /** Closes the open window early too (shutdown). */
  flush(): WindowExport[];
}

export function createWindow(mo: string, def: WindowDef, specs: readonly KeySpec[], extras: readonly ExtraSpec[], opts: WindowOptions = {}): FixedWindow {
  const key = compileKey(specs, extras);
  const kinds = valueKinds(def.values);
  const nv = kinds.length;
  const maxRows = opts.maxRows ?? 1_000_000;
  const everyMs = def.every * 1000;
  const ring: Slot[] = [];
  for (let s = 0; s < Math.max(2, opts.slots ?? 2); s++) {
    ring.push({ start: NaN, table: createHashTable(key.words, nv, maxRows, Math.min(1024, maxRows)), strings: createStringTable(), overflow: new Float64Array(nv), overflowRecords: 0 });
  }
  const free: Slot[] = ring.slice();
  const closed: Slot[] = [];
  const ready: WindowExport[] = [];
  let open: Slot | null = null;
  let closedUntil = -Infinity;
  let refs = 0;
  const kw = key.words;
  let kbuf = new Uint32Array(0);
  let hashes = new Int32Array(0);
  const noStrings = createStringTable();
  // Sink for touch() results, so the prefetching loads stay observable.
  let touched = 0;
  const counters: WindowCounters = { late: 0, overflow: 0, exported: 0 };
  const tableName = `${mo}_${def.name}`;

  function render(s: Slot): WindowExport {
    const rows = renderRows(s.table, key, s.strings, def.top, s.overflow, s.overflowRecords);
    counters.exported++;
    return { mo, window: def.name, table: tableName, time: s.start / 1000, keys: key.columns, values: def.values.slice(), rows };
  }

  function release(s: Slot): void {
    s.table.clear();
    s.strings.clear();
    s.overflow.fill(0);
    s.overflowRecords = 0;
    s.start = NaN;
    free.push(s);
  }

  function close(): void {
    if (open === null) return;
    closedUntil = open.start + everyMs;
    closed.push(open);
    open = null;
  }

  function openAt(start: number): Slot {
    let s = free.pop();
    if (s === undefined) {
      const oldest = closed.shift()!;
      ready.push(render(oldest));
      release(oldest);
      s = free.pop()!;
    }
    s.start = start;
    open = s;
    return s;
  }

  function drain(): WindowExport[] {
    const out = ready.splice(0);
    for (const s of closed.splice(0)) {
      if (s.table.size > 0 || s.overflowRecords > 0) out.push(render(s));
      release(s);
    }
    return out;
  }

  return {
    mo,
    def,
    table: tableName,
    key,
    counters,
    get openStart() {
      return open === null ? NaN : open.start;
    },
    get openRows() {
      return open === null ? 0 : open.table.size;
    },
    get enabled() {
      return !def.extended || refs > 0;
    },
    enable() {
      refs++;
    },
    disable() {
      if (refs > 0) refs--;
    },
    addBatch(b, sel, count, octets, packets) {
      if ((def.extended && refs === 0) || count === 0) return;
      if (kbuf.length < b.capacity * kw) {
        kbuf = new Uint32Array(b.capacity * kw);
        hashes = new Int32Array(b.capacity);
      }
      // String keys hold ids of the slot's own string table, so they are written per record below.
      const early = !key.hasStrings;
      if (early) {
        writeBatchKeys(key, b, sel, count, kbuf, hashes, noStrings);
      }
      const arrival = b.arrivalMs;
      for (let j = 0; j < count; j++) {
        if (early && (j & (CHUNK - 1)) === 0 && open !== null) touched += open.table.touch(hashes, j, Math.min(count, j + CHUNK));
        const i = sel[j]!;
        const t = arrival[i]!;
        let ws = t - (t % everyMs);
        let s = open;
        if (s !== null) {
          if (ws < s.start) {
            counters.late++;
            ws = s.start;
          } else if (ws > s.start) {
            close();
            s = openAt(ws);
          }
        } else {
          if (ws < closedUntil) {
            counters.late++;
            ws = closedUntil;
          }
          s = openAt(ws);
        }
        const table = s.table;
        let e: number;
        if (early) e = table.upsertHashed(kbuf, j * kw, hashes[j]!);
        else {
          key.write(b, i, kbuf, 0, s.strings);
          e = table.upsert(kbuf, 0);
        }
        let vals = s.overflow;
        let base = 0;
        if (e < 0) {
          s.overflowRecords++;
          counters.overflow++;
        } else {
          vals = table.vals;
          base = table.valBase(e);
        }
        const o = octets[i]!;
        for (let v = 0; v < nv; v++) {
          const k = kinds[v];
          vals[base + v] = vals[base + v]! + (k === 0 ? o : k === 1 ? packets[i]! : k === 2 ? o * 8 : 1);
        }
      }
    },
    collect(nowMs) {
      if (open !== null && nowMs >= open.start + everyMs) close();
      return drain();
    },
    flush() {
      close();
      return drain();
    },
  };
}
