// What the alert engine scans when averages live in several workers: a MovingAverage holding,
// for the keys some worker proposed (mavg-scan.ts), the sum of every worker's rate at one instant.
// Between refreshes it decays like the real thing: the alert engine reads it through the same
// port as a single-thread average (alert/rates.ts).
import type { MavgDef } from "../config/types.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { KeyValue } from "../monitor/keyspec.ts";
import type { Rates } from "../alert/rates.ts";
import type { KeyList } from "./mavg-scan.ts";

export interface MergedMavg extends Rates {
  readonly key: CompositeKey;
  /** Replaces the keys: keys.texts[j] with summed rates[j * nv + v], all taken at `atMs`. */
  update(atMs: number, keys: KeyList, rates: Float64Array): void;
}

export function createMergedMavg(mo: string, def: MavgDef, key: CompositeKey): MergedMavg {
  const nv = def.values.length;
  const tauMs = def.window * 1000;
  let at = 0;
  let words: Uint32Array = new Uint32Array(0);
  let cells: KeyValue[][] = [];
  let rates: Float64Array = new Float64Array(0);
  const factor = (_e: number, nowMs: number) => Math.exp(-((nowMs > at ? nowMs : at) - at) / tauMs);
  const raw = (e: number, v: number) => rates[e * nv + v]!;
  return {
    mo,
    def,
    key,
    get size() {
      return cells.length;
    },
    factor,
    raw,
    renderKey: (e) => cells[e]!.slice(),
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
