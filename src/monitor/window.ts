// A fixed window (`[[mo.window]]`): per key, sums of octets/packets/bits (scaled by the record's
// sampling rate) and flows, over windows aligned to multiples of `every` since the epoch by the
// record's arrival time.
//
// Records come a batch at a time: the keys and hashes of the selected records are computed first
// (or handed in by the MO tree when several consumers share a key), then a generated kernel
// (kernel.ts) adds every record that falls in the open window.
//
// Slots form a small ring (window-slots.ts): the hot path writes the open slot; a record for a
// later window closes it and opens the next one; closed slots wait for collect().
//
// Late records (their window was already closed, or is older than the open one) are counted in
// `late` and added to the open window, so totals over time stay exact; only their placement
// moves. Records that find the table full are summed into the null-key row and counted in
// `overflow`. An extended window adds records only while enable() calls outnumber disable().
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import type { WindowDef } from "../config/types.ts";
import type { ClosedWindow } from "../flow/export.ts";
import { compileKey, type CompositeKey } from "./key.ts";
import { compileWindowKernel } from "./kernel.ts";
import type { KeySpec } from "./keyspec.ts";
import { createStringTable } from "./strings.ts";
import { valueKinds } from "./values.ts";
import { createWindowSlots, type Slot } from "./window-slots.ts";

export interface WindowOptions {
  /** Rows per window slot before records go to the overflow row. */
  maxRows?: number;
  /**
   * Closed windows leave as their table's numbers (ClosedWindow.raw, no rows) for a collector
   * worker to hand to the main thread: rendering keys to text once, after the merge, costs a
   * fraction of rendering every worker's rows and merging them as text. Keys with string fields,
   * whose ids belong to this window, are rendered as usual.
   */
  raw?: boolean;
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
  /**
   * addBatch() with the keys already written by key.writeByRecord for (at least) these records:
   * record i's key at keys[i * key.words], its hash at hashes[i]. Not for keys with string fields.
   */
  addKeyed(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array, keys: Uint32Array, hashes: Int32Array): void;
  /** Closes the open window when `nowMs` is past its end; returns every closed window. */
  collect(nowMs: number): ClosedWindow[];
  /** Closes the open window early too (shutdown). */
  flush(): ClosedWindow[];
}

export function createWindow(mo: string, def: WindowDef, specs: readonly KeySpec[], extras: readonly ExtraSpec[], opts: WindowOptions = {}): FixedWindow {
  const key = compileKey(specs, extras);
  const kinds = valueKinds(def.values);
  const nv = kinds.length;
  const maxRows = opts.maxRows ?? 1_000_000;
  const everyMs = def.every * 1000;
  let open: Slot | null = null;
  let closedUntil = -Infinity;
  let lastSize = 0; // keys of the last window to close: the next one is sized for as many
  let refs = 0;
  const kw = key.words;
  let kbuf = new Uint32Array(0);
  let hashes = new Int32Array(0);
  const noStrings = createStringTable();
  let lastKeys: Uint32Array | null = null;
  let keys32: Int32Array = new Int32Array(0);
  const counters: WindowCounters = { late: 0, overflow: 0, exported: 0 };
  const tableName = `${mo}_${def.name}`;
  const slots = createWindowSlots(mo, def, tableName, key, nv, maxRows, opts.raw === true && !key.hasStrings, counters);
  const kernel = compileWindowKernel(kw, kinds, slots.first);

  function close(): void {
    if (open === null) return;
    closedUntil = open.start + everyMs;
    lastSize = open.table.size;
    slots.retire(open);
    open = null;
  }

  function openAt(start: number): Slot {
    const s = slots.take();
    s.start = start;
    s.table.reserve(lastSize);
    open = s;
    return s;
  }

  function addOverflow(s: Slot, i: number, octets: Float64Array, packets: Float64Array): void {
    s.overflowRecords++;
    counters.overflow++;
    const o = octets[i]!;
    for (let v = 0; v < nv; v++) {
      const k = kinds[v];
      s.overflow[v] = s.overflow[v]! + (k === 0 ? o : k === 1 ? packets[i]! : k === 2 ? o * 8 : 1);
    }
  }

  // Runs the kernel over records with the open window's time; each record that stops it opens
  // the next window, is late (added alone to the open window), or overflows a full table.
  function addKeyed(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array, keys: Uint32Array, hs: Int32Array): void {
    if (keys !== lastKeys) {
      lastKeys = keys;
      keys32 = new Int32Array(keys.buffer, keys.byteOffset, keys.length);
    }
    const arrival = b.arrivalMs;
    let j = 0;
    while (j < count) {
      const t = arrival[sel[j]!]!;
      let ws = t - (t % everyMs);
      let s = open;
      let late = false;
      if (s !== null) {
        if (ws < s.start) late = true;
        else if (ws > s.start) {
          close();
          s = openAt(ws);
        }
      } else if (ws < closedUntil) {
        late = true;
        s = openAt(closedUntil);
      } else s = openAt(ws);
      if (late) counters.late++;
      const lo = late ? -Infinity : s.start;
      const hi = late ? Infinity : s.start + everyMs;
      const end = late ? j + 1 : count;
      const r = kernel(sel, j, end, arrival, lo, hi, keys, keys32, hs, octets, packets, s.table);
      if (r < end) {
        const at = arrival[sel[r]!]!;
        if (at >= lo && at < hi) {
          addOverflow(s, sel[r]!, octets, packets);
          j = r + 1;
          continue;
        }
      }
      j = r;
    }
  }

  // String keys hold ids of the slot's own string table, so they are written per record.
  function addWithStrings(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array): void {
    if (kbuf.length < kw) kbuf = new Uint32Array(kw);
    const arrival = b.arrivalMs;
    for (let j = 0; j < count; j++) {
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
      key.write(b, i, kbuf, 0, s.strings);
      const e = table.upsert(kbuf, 0);
      if (e < 0) {
        addOverflow(s, i, octets, packets);
        continue;
      }
      const vals = table.vals;
      const base = table.valBase(e);
      const o = octets[i]!;
      for (let v = 0; v < nv; v++) {
        const k = kinds[v];
        vals[base + v] = vals[base + v]! + (k === 0 ? o : k === 1 ? packets[i]! : k === 2 ? o * 8 : 1);
      }
    }
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
      if (key.hasStrings) return addWithStrings(b, sel, count, octets, packets);
      if (kbuf.length < b.capacity * kw) {
        kbuf = new Uint32Array(b.capacity * kw);
        hashes = new Int32Array(b.capacity);
      }
      key.writeByRecord(b, sel, count, kbuf, hashes, noStrings);
      addKeyed(b, sel, count, octets, packets, kbuf, hashes);
    },
    addKeyed(b, sel, count, octets, packets, keys, hs) {
      if ((def.extended && refs === 0) || count === 0) return;
      addKeyed(b, sel, count, octets, packets, keys, hs);
    },
    collect(nowMs) {
      if (open !== null && nowMs >= open.start + everyMs) close();
      return slots.drain();
    },
    flush() {
      close();
      return slots.drain();
    },
  };
}
