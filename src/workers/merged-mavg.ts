// What the alert engine scans when averages live in several workers: a MovingAverage holding,
// for the keys some worker proposed (mavg-scan.ts), the sum of every worker's rate at one instant.
// Between refreshes it decays like the real thing, so the engine reads it exactly as it reads a
// single-thread average and src/alert needs no change.
import type { MavgDef } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { KeyValue } from "../monitor/keyspec.ts";
import type { MavgCounters, MovingAverage } from "../monitor/mavg.ts";
import type { KeyList } from "./mavg-scan.ts";

export interface MergedMavg extends MovingAverage {
  /** Replaces the keys: keys.texts[j] with summed rates[j * nv + v], all taken at `atMs`. */
  update(atMs: number, keys: KeyList, rates: Float64Array): void;
  /** Summed from the workers' reports: their evictions and sweeps. */
  readonly counters: MavgCounters;
}

export function createMergedMavg(mo: string, def: MavgDef, key: CompositeKey): MergedMavg {
  const nv = def.values.length;
  const tauMs = def.window * 1000;
  let at = 0;
  let words: Uint32Array = new Uint32Array(0);
  let cells: KeyValue[][] = [];
  let rates: Float64Array = new Float64Array(0);
  const counters: MavgCounters = { evicted: 0, swept: 0 };
  const factor = (_e: number, nowMs: number) => Math.exp(-((nowMs > at ? nowMs : at) - at) / tauMs);
  const raw = (e: number, v: number) => rates[e * nv + v]!;
  const hot = () => {
    throw new XenoflowError("E_INTERNAL", "merged moving average: records are added in the workers");
  };
  return {
    mo,
    def,
    key,
    counters,
    get size() {
      return cells.length;
    },
    addBatch: hot,
    addKeyed: hot,
    rate: (e, v, nowMs) => raw(e, v) * factor(e, nowMs),
    factor,
    raw,
    keyWords: (e) => words.subarray(e * key.words, (e + 1) * key.words),
    renderKey: (e) => cells[e]!.slice(),
    keyText: (e) => cells[e]!.map((v) => (v === null ? "" : String(v))),
    sweep: () => 0,
    update(atMs, keys, r) {
      at = atMs;
      words = keys.words;
      cells = keys.texts.map((t) => JSON.parse(t) as KeyValue[]);
      rates = r;
    },
  };
}

/** The union of the workers' proposals, each key once, in first-seen order. */
export function unionKeys(lists: readonly KeyList[], keyWords: number): KeyList {
  const seen = new Set<string>();
  const texts: string[] = [];
  const parts: Uint32Array[] = [];
  for (const l of lists) {
    l.texts.forEach((t, j) => {
      if (seen.has(t)) return;
      seen.add(t);
      texts.push(t);
      parts.push(l.words.subarray(j * keyWords, (j + 1) * keyWords));
    });
  }
  const words = new Uint32Array(texts.length * keyWords);
  parts.forEach((p, j) => words.set(p, j * keyWords));
  return { words, texts };
}

/** Element-wise sum of the workers' rate reports (all of one length). */
export function sumRates(reports: readonly Float64Array[], length: number): Float64Array {
  const out = new Float64Array(length);
  for (const r of reports) for (let i = 0; i < length; i++) out[i]! += r[i] ?? 0;
  return out;
}
