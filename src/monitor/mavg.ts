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
// Reading decays the stored rate to `now` without writing it back. Entries live in a typed-array
// hash table whose value columns are the rates followed by t_last; when it holds `maxKeys`
// keys, the eighth with the smallest current first-value rate is evicted (counted), and keys
// whose every rate decayed below `epsilon` are removed by sweep(), run off the hot path.
import type { ExtraSpec, FlowBatch } from "../flow/batch.ts";
import type { MavgDef } from "../config/types.ts";
import { compileKey, writeBatchKeys, type CompositeKey } from "./key.ts";
import type { KeySpec, KeyValue } from "./keyspec.ts";
import { createStringTable, type StringTable } from "./strings.ts";
import { createHashTable, type HashTable } from "./table.ts";
import { valueKinds } from "./values.ts";
import { CHUNK } from "./window.ts";

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
  // Sink for touch() results, so the prefetching loads stay observable.
  let touched = 0;
  const stringOffsets: number[] = [];
  for (let j = 0, off = 0; j < specs.length; off += specs[j]!.words, j++) if (specs[j]!.column.type === "string") stringOffsets.push(off);

  function evict(nowMs: number): void {
    const n = table.size;
    const k = Math.max(1, n >> 3);
    const scores = new Float64Array(n);
    for (let e = 0; e < n; e++) scores[e] = rate(e, 0, nowMs);
    const threshold = Float64Array.from(scores).sort()[k - 1]!;
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

  function factor(e: number, nowMs: number): number {
    const dt = nowMs - table.vals[table.valBase(e) + nv]!;
    return dt > 0 ? Math.exp(-dt / tauMs) : 1;
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
      writeBatchKeys(key, b, sel, count, kbuf, hashes, strings);
      const arrival = b.arrivalMs;
      for (let j = 0; j < count; j++) {
        if ((j & (CHUNK - 1)) === 0) touched += table.touch(hashes, j, Math.min(count, j + CHUNK));
        const i = sel[j]!;
        const t = arrival[i]!;
        let e = table.upsertHashed(kbuf, j * kw, hashes[j]!);
        if (e < 0) {
          evict(t);
          e = table.upsertHashed(kbuf, j * kw, hashes[j]!);
        }
        const vals = table.vals;
        const base = table.valBase(e);
        const dt = t - vals[base + nv]!;
        let f = 1;
        if (dt > 0) {
          f = Math.exp(-dt / tauMs);
          vals[base + nv] = t;
        }
        const g = dt < 0 ? Math.exp(dt / tauMs) / tau : 1 / tau;
        const o = octets[i]!;
        for (let v = 0; v < nv; v++) {
          const k = kinds[v];
          const x = k === 0 ? o : k === 1 ? packets[i]! : k === 2 ? o * 8 : 1;
          vals[base + v] = vals[base + v]! * f + x * g;
        }
      }
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
