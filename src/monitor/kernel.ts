// Generated per-consumer hot loops: probe a window's or average's hash table with keys and hashes
// computed beforehand (by record index, see key.ts writeByRecord) and add the record's values.
//
// One function is generated per consumer, with its key width, entry stride and value kinds as
// literals and the key compare unrolled. A shared closure would see every table shape at one
// call site, and the JIT would then load those numbers from memory and loop over the key words
// (measured: the generic loop was about half the speed, docs/PERFORMANCE.md). The table's arrays
// live in locals and are re-read only after an insert, which may grow them.
//
// A kernel stops early and returns the position j of the record it could not handle, so the
// caller's slow path (a window boundary, a full table, a moving average's rebase) stays out of
// the generated code; it returns `to` when every record was added.
import type { HashTable } from "./table.ts";

/**
 * Adds records sel[from .. to-1] whose arrival lies in [lo, hi) to the table. Stops at a record
 * outside [lo, hi) or one that finds the table full.
 */
export type WindowKernel = (
  sel: Int32Array, from: number, to: number, arrival: Float64Array, lo: number, hi: number,
  kbuf: Uint32Array, k32: Int32Array, hashes: Int32Array, octets: Float64Array, packets: Float64Array, t: HashTable,
) => number;

/**
 * Adds records sel[from .. to-1] as impulses scaled by e^{(t - base)/tau} / tau (mavg.ts), and
 * keeps each entry's latest arrival in its last value column. Stops at a record arriving `span`
 * ms or more after `base` (the caller rebases) or one that finds the table full.
 */
export type MavgKernel = (
  sel: Int32Array, from: number, to: number, arrival: Float64Array, base: number, span: number,
  kbuf: Uint32Array, k32: Int32Array, hashes: Int32Array, octets: Float64Array, packets: Float64Array, t: HashTable,
) => number;

/** The value a kind adds per record: 0 octets, 1 packets, 2 bits, 3 flows (values.ts). */
function valueExpr(kind: number): string {
  return kind === 0 ? "octets[i]" : kind === 1 ? "packets[i]" : kind === 2 ? "octets[i] * 8" : "1";
}

/** Finds record i's entry into `e`, inserting it when new; `full` runs when the insert fails. */
function probe(words: number, stride: number, keyOffset: number, full: string): string {
  const same = Array.from({ length: words }, (_, w) => `k[kb + ${w}] === k32[o + ${w}]`).join(" && ");
  return `
      const h = hashes[i], o = i * ${words};
      let s = h & mask, e = -1;
      for (;;) {
        const x = ix[s << 1];
        if (x === 0) {
          e = t.insert(kbuf, o, h);
          if (e < 0) { ${full} }
          ix = t.index; mask = t.mask; k = t.keys32; vals = t.vals;
          break;
        }
        if (ix[(s << 1) + 1] === h) {
          const kb = (x - 1) * ${stride * 2} + ${keyOffset};
          if (${same}) { e = x - 1; break; }
        }
        s = (s + 1) & mask;
      }`;
}

/**
 * Opens the two loops of a chunk of PREFETCH records: the first reads the index slot and the
 * entry each record's lookup will touch, the second (left open for the kernel's body) does the
 * lookups. The first loop's loads are independent of each other, so the CPU overlaps their cache
 * misses, where inside the probe loop they would be paid one after another (JavaScript has no
 * prefetch instruction). What they read goes to t.sink so that they cannot be dropped.
 */
function prefetchOpen(stride: number): string {
  return `let acc = 0;
    for (let c = from; c < to; ) {
      const cEnd = c + ${PREFETCH} < to ? c + ${PREFETCH} : to;
      for (let j = c; j < cEnd; j++) {
        const x = ix[(hashes[sel[j]] & mask) << 1];
        // An entry may straddle two cache lines: its first and last Float64.
        if (x > 0) acc += vals[(x - 1) * ${stride}] + vals[x * ${stride} - 1];
      }
      const jFrom = c;
      c = cEnd;
      for (let j = jFrom; j < cEnd; j++) {`;
}

// Records per prefetch chunk: 16 to 128 measured alike; the chunk must fit the CPU's miss queue.
const PREFETCH = 32;

export function compileWindowKernel(words: number, kinds: Uint8Array, t: HashTable): WindowKernel {
  const adds = Array.from(kinds, (kind, v) => `vals[vb + ${v}] += ${valueExpr(kind)};`).join(" ");
  const code = `"use strict"; return function windowKernel(sel, from, to, arrival, lo, hi, kbuf, k32, hashes, octets, packets, t) {
    let ix = t.index, mask = t.mask, k = t.keys32, vals = t.vals;
    ${prefetchOpen(t.stride)}
      const i = sel[j];
      const at = arrival[i];
      if (at < lo || at >= hi) return j;${probe(words, t.stride, t.keyOffset, "return j;")}
      const vb = e * ${t.stride};
      ${adds}
    }}
    t.sink = acc;
    return to;
  };`;
  return new Function(code)() as WindowKernel;
}

export function compileMavgKernel(words: number, kinds: Uint8Array, tauMs: number, t: HashTable): MavgKernel {
  const nv = kinds.length;
  const adds = Array.from(kinds, (kind, v) => `vals[vb + ${v}] += ${kind === 3 ? "w" : `${valueExpr(kind)} * w`};`).join(" ");
  // Records of one datagram share their arrival time, so the exponential is computed once per run.
  const code = `"use strict"; return function mavgKernel(sel, from, to, arrival, base, span, kbuf, k32, hashes, octets, packets, t) {
    let ix = t.index, mask = t.mask, k = t.keys32, vals = t.vals;
    let last = NaN, w = 0;
    ${prefetchOpen(t.stride)}
      const i = sel[j];
      const at = arrival[i];
      if (at !== last) {
        if (at - base >= span) return j;
        last = at;
        w = Math.exp((at - base) / ${tauMs}) / ${tauMs / 1000};
      }${probe(words, t.stride, t.keyOffset, "return j;")}
      const vb = e * ${t.stride};
      ${adds}
      if (at > vals[vb + ${nv}]) vals[vb + ${nv}] = at;
    }}
    t.sink = acc;
    return to;
  };`;
  return new Function(code)() as MavgKernel;
}
