// A moving average (`[[mo.mavg]]`): per key and value, an exponentially decaying per-second rate
// with time constant tau = `window` seconds.
//
// Each record is an impulse of x units at time t_i. The rate at time t is the impulse train
// convolved with the unit-area kernel e^{-s/tau}/tau:
//     r(t) = sum_i (x_i / tau) e^{-(t - t_i)/tau}
// which updates in O(1) per contribution: r <- r * e^{-(t - t_last)/tau} + x/tau. It is the EWMA
// of the instantaneous rate. A constant input of R units/s (x = R dt every dt) converges to
// R * integral_0^inf e^{-s/tau}/tau ds = R; a step from 0 to R gives R(1 - e^{-t/tau}) (half of R
// after tau ln 2); after the input stops the rate decays as e^{-t/tau}. A contribution older
// than t_last is added already decayed (x/tau e^{-(t_last - t)/tau}), which is the same sum.
//
// Stored per key is not r(t_last) but the sum S = sum_i (x_i / tau) e^{(t_i - base)/tau} for one
// reference time `base`, so r(t) = S e^{-(t - base)/tau}: a record adds x e^{(t_i - base)/tau}/tau,
// a factor shared by every record of a datagram (one exponential per datagram, not per record)
// and nothing stored is decayed on the hot path. When arrivals get 64 tau past `base`, every
// sum is rescaled and `base` moves (O(keys), once per 64 tau). Each key also keeps t_last, the
// arrival of its latest record: reading before it gives the rate at t_last.
//
// Reading decays the stored rate to `now` without writing it back. Entries live in a typed-array
// hash table whose value columns are the rates followed by t_last; when it holds `maxKeys`
// keys, the eighth with the smallest current first-value rate is evicted (counted), and keys
// whose every rate decayed below `epsilon` are removed by sweep(), run off the hot path.
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import type { MavgDef } from "../config/types.ts";
import { compileKey, type CompositeKey } from "./key.ts";
import { compileMavgKernel } from "./kernel.ts";
import { isInterned, type KeySpec, type KeyValue } from "./keyspec.ts";
import { createStringTable, type StringTable } from "./strings.ts";
import { selectKth } from "./select.ts";
import { createHashTable, type HashTable } from "./table.ts";
import { valueKinds } from "./values.ts";

/** Rebase after this many time constants: e^64 keeps every sum far from Float64's range. */
const REBASE_TAUS = 64;

export interface MavgOptions {
  /** Rates below this (units per second) count as idle for sweep(). */
  epsilon?: number;
}

export interface MavgCounters {
  /** Keys evicted because the table was full. */
  evicted: number;
  /** Idle keys removed by sweep(). */
  swept: number;
}

export interface MovingAverage {
  readonly mo: string;
  readonly def: MavgDef;
  readonly key: CompositeKey;
  readonly counters: MavgCounters;
  /** Live keys: entries 0 .. size-1 (indexes change on add() and sweep()). */
  readonly size: number;
  /** Hot path: adds records sel[0 .. count-1] at their arrival times; octets/packets as for windows. */
  addBatch(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array): void;
  /** addBatch() with keys and hashes already written by key.writeByRecord (see FixedWindow.addKeyed). */
  addKeyed(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array, keys: Uint32Array, hashes: Int32Array): void;
  /** Value v's rate for entry e, per second, at `nowMs`. */
  rate(e: number, v: number, nowMs: number): number;
  /** The decay factor of entry e at `nowMs`: rate = raw(e, v) * factor(e, nowMs). */
  factor(e: number, nowMs: number): number;
  raw(e: number, v: number): number;
  /** The key's words (a view; copy it to keep it). */
  keyWords(e: number): Uint32Array;
  /** The key's field values, in key order (null: the record had none). */
  renderKey(e: number): KeyValue[];
  /** The same as text, for script arguments: numbers in decimal, a missing value as "". */
  keyText(e: number): string[];
  /** Removes idle keys; returns how many. */
  sweep(nowMs: number): number;
}

export function createMavg(mo: string, def: MavgDef, specs: readonly KeySpec[], extras: readonly ExtraSpec[], opts: MavgOptions = {}): MovingAverage {
  const key = compileKey(specs, extras);
  const kinds = valueKinds(def.values);
  const nv = kinds.length;
  const stride = nv + 1; // rates, then t_last
  const tau = def.window;
  const tauMs = tau * 1000;
  const eps = opts.epsilon ?? 1e-3;
  const table: HashTable = createHashTable(key.words, stride, def.maxKeys, Math.min(1024, def.maxKeys));
  let strings: StringTable = createStringTable();
  const counters: MavgCounters = { evicted: 0, swept: 0 };
  const kw = key.words;
  let kbuf = new Uint32Array(0);
  let hashes = new Int32Array(0);
  // Stored sums are rates at `base` (see the top of the file); NaN until the first record.
  let base = NaN;
  let lastKeys: Uint32Array | null = null;
  let keys32: Int32Array = new Int32Array(0);
  const kernel = compileMavgKernel(kw, kinds, tauMs, table);
  const stringOffsets: number[] = [];
  for (let j = 0, off = 0; j < specs.length; off += specs[j]!.words, j++) if (isInterned(specs[j]!)) stringOffsets.push(off);

  // Eviction's scratch, kept: it runs on the hot path every eighth of max_keys new keys.
  let scores = new Float64Array(0);
  let order = new Float64Array(0);
  function evict(nowMs: number): void {
    const n = table.size;
    const k = Math.max(1, n >> 3);
    if (scores.length < n) {
      scores = new Float64Array(n);
      order = new Float64Array(n);
    }
    for (let e = 0; e < n; e++) scores[e] = rate(e, 0, nowMs);
    order.set(scores.subarray(0, n));
    const threshold = selectKth(order, n, k - 1);
    let removed = 0;
    for (let e = n - 1; e >= 0 && removed < k; e--) {
      if (scores[e]! <= threshold) {
        table.remove(e);
        removed++;
      }
    }
    counters.evicted += removed;
  }

  function rate(e: number, v: number, nowMs: number): number {
    return table.vals[table.valBase(e) + v]! * factor(e, nowMs);
  }

  // A read before the key's latest record gives the rate at that record, as it always has.
  function factor(e: number, nowMs: number): number {
    const last = table.vals[table.valBase(e) + nv]!;
    return Math.exp(-((nowMs > last ? nowMs : last) - base) / tauMs);
  }

  // Moves the reference time to t: every stored sum is multiplied by e^{-(t - base)/tau}.
  function rebase(t: number): void {
    const f = Math.exp(-(t - base) / tauMs);
    const vals = table.vals;
    for (let e = 0, n = table.size; e < n; e++) {
      const vb = table.valBase(e);
      for (let v = 0; v < nv; v++) vals[vb + v] = vals[vb + v]! * f;
    }
    base = t;
  }

  function addKeyed(b: FlowBatch, sel: Int32Array, count: number, octets: Float64Array, packets: Float64Array, keys: Uint32Array, hs: Int32Array): void {
    if (keys !== lastKeys) {
      lastKeys = keys;
      keys32 = new Int32Array(keys.buffer, keys.byteOffset, keys.length);
    }
    const arrival = b.arrivalMs;
    if (base !== base) base = arrival[sel[0]!]!;
    let j = 0;
    for (;;) {
      j = kernel(sel, j, count, arrival, base, REBASE_TAUS * tauMs, keys, keys32, hs, octets, packets, table);
      if (j >= count) return;
      const t = arrival[sel[j]!]!;
      if (t - base >= REBASE_TAUS * tauMs) rebase(t);
      else evict(t);
    }
  }

  function compactStrings(): void {
    const next = createStringTable();
    const keys = table.keys;
    for (let e = 0; e < table.size; e++) {
      for (const off of stringOffsets) {
        const w = table.keyBase(e) + off;
        const s = keys[w] === 0 ? undefined : strings.get(keys[w]!);
        // Rewriting words in place keeps the hash index valid only if hashes match, so re-insert.
        keys[w] = s === undefined ? 0 : next.intern(s);
      }
    }
    strings = next;
    rehashAll();
  }

  function rehashAll(): void {
    const n = table.size;
    const kw = key.words;
    const keys = new Uint32Array(n * kw);
    const vals = new Float64Array(n * stride);
    for (let e = 0; e < n; e++) {
      keys.set(table.keys.subarray(table.keyBase(e), table.keyBase(e) + kw), e * kw);
      vals.set(table.vals.subarray(table.valBase(e), table.valBase(e) + stride), e * stride);
    }
    table.clear();
    for (let e = 0; e < n; e++) {
      const at = table.upsert(keys, e * kw);
      table.vals.set(vals.subarray(e * stride, (e + 1) * stride), table.valBase(at));
    }
  }

  return {
    mo,
    def,
    key,
    counters,
    get size() {
      return table.size;
    },
    addBatch(b, sel, count, octets, packets) {
      if (count === 0) return;
      if (kbuf.length < b.capacity * kw) {
        kbuf = new Uint32Array(b.capacity * kw);
        hashes = new Int32Array(b.capacity);
      }
      key.writeByRecord(b, sel, count, kbuf, hashes, strings);
      addKeyed(b, sel, count, octets, packets, kbuf, hashes);
    },
    addKeyed(b, sel, count, octets, packets, keys, hs) {
      if (count > 0) addKeyed(b, sel, count, octets, packets, keys, hs);
    },
    rate,
    factor,
    raw: (e, v) => table.vals[table.valBase(e) + v]!,
    keyWords: (e) => table.keys.subarray(table.keyBase(e), table.keyBase(e) + key.words),
    renderKey(e) {
      const row: KeyValue[] = [];
      key.render(table.keys, table.keyBase(e), strings, row);
      return row;
    },
    keyText(e) {
      const row: KeyValue[] = [];
      key.render(table.keys, table.keyBase(e), strings, row);
      return row.map((v) => (v === null ? "" : String(v)));
    },
    sweep(nowMs) {
      let removed = 0;
      for (let e = table.size - 1; e >= 0; e--) {
        const f = factor(e, nowMs);
        let idle = true;
        for (let v = 0; v < nv && idle; v++) if (table.vals[table.valBase(e) + v]! * f >= eps) idle = false;
        if (idle) {
          table.remove(e);
          removed++;
        }
      }
      counters.swept += removed;
      if (stringOffsets.length > 0 && strings.size > 2 * table.size + 1024) compactStrings();
      return removed;
    },
  };
}
