// The worker side of exact alerting across workers. Each worker holds part of every key's traffic,
// and moving averages are linear, so a key's true rate is the sum of the workers' rates. A key
// whose summed rate exceeds a threshold T has a rate above T/N in at least one of N workers: each
// worker proposes the keys above floor/N (floor = the lowest threshold any key of the average
// can have), and then reports its own rate, however small, for every key any worker proposed.
import type { MovingAverage } from "../monitor/mavg.ts";
import { createHashTable } from "../monitor/table.ts";

/** Keys of one average: words laid end to end and the rendered key as JSON (the identity across workers). */
export interface KeyList {
  words: Uint32Array;
  texts: string[];
}

export const EMPTY_KEYS: KeyList = { words: new Uint32Array(0), texts: [] };

/** Keys whose rate at `nowMs` is above floors[v] / divisor for some value v (NaN floor: no threshold). */
export function scanCandidates(a: MovingAverage, floors: ArrayLike<number>, divisor: number, nowMs: number): KeyList {
  const nv = a.def.values.length;
  const kw = a.key.words;
  const picked: number[] = [];
  for (let e = 0, n = a.size; e < n; e++) {
    const f = a.factor(e, nowMs);
    for (let v = 0; v < nv; v++) {
      // NaN compares false, so a value without a threshold never makes a candidate.
      if (a.raw(e, v) * f * divisor > (floors[v] as number)) {
        picked.push(e);
        break;
      }
    }
  }
  if (picked.length === 0) return EMPTY_KEYS;
  const words = new Uint32Array(picked.length * kw);
  const texts: string[] = [];
  picked.forEach((e, j) => {
    words.set(a.keyWords(e), j * kw);
    texts.push(JSON.stringify(a.renderKey(e)));
  });
  return { words, texts };
}

/** This worker's rates at `nowMs` of the requested keys: want j's value v at [j * nv + v], 0 when absent. */
export function ratesFor(a: MovingAverage, want: KeyList, nowMs: number): Float64Array {
  const nv = a.def.values.length;
  const n = want.texts.length;
  const out = new Float64Array(n * nv);
  if (n === 0) return out;
  const put = (e: number, j: number) => {
    const f = a.factor(e, nowMs);
    for (let v = 0; v < nv; v++) out[j * nv + v] = a.raw(e, v) * f;
  };
  if (a.key.hasStrings) {
    // String fields hold ids private to each worker: only the rendered text identifies the key.
    const at = new Map(want.texts.map((t, j) => [t, j]));
    for (let e = 0; e < a.size; e++) {
      const j = at.get(JSON.stringify(a.renderKey(e)));
      if (j !== undefined) put(e, j);
    }
    return out;
  }
  const kw = a.key.words;
  const index = createHashTable(kw, 1, n, Math.max(16, n));
  for (let j = 0; j < n; j++) index.upsert(want.words, j * kw);
  for (let e = 0, size = a.size; e < size; e++) {
    const j = index.find(a.keyWords(e), 0);
    if (j >= 0) put(e, j);
  }
  return out;
}
