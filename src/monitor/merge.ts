// Summing closed windows of one [[mo.window]] that several collector workers counted apart
// (workers/merge-windows.ts groups them): the monitor's own hash table and top-N renderer do the
// work, so the merged export has exactly the rows one monitor would have made.
import type { KeyColumn, RawTable, Row, RowSource } from "../flow/export.ts";
import type { CompositeKey } from "./key.ts";
import type { KeyValue } from "./keyspec.ts";
import { rawRowTable, tableRowSource } from "./raw-rows.ts";
import { createStringTable } from "./strings.ts";
import { createHashTable, type HashTable } from "./table.ts";
import { renderRows, type RowKey } from "./topn.ts";

/** Raw parts of one window, summed by key words. */
export interface RawMerge {
  add(r: RawTable): void;
  /** The merged rows with the window's top-N, rendered a slice at a time with `key`. */
  source(key: CompositeKey, top: number): RowSource;
}

/** Starts from `first` as it came: one worker's part has each key once and needs no summing until another part comes. */
export function createRawMerge(first: RawTable): RawMerge {
  let base = first;
  let table: HashTable | null = null;
  const nv = first.overflow.length; // one overflow sum per value
  const overflow = first.overflow.slice();
  let overflowRecords = first.overflowRecords;
  return {
    add(r) {
      for (let v = 0; v < nv; v++) overflow[v] = overflow[v]! + (r.overflow[v] ?? 0);
      overflowRecords += r.overflowRecords;
      if (r.size === 0) return;
      if (table === null && base.size === 0) {
        base = r;
        return;
      }
      if (table === null) {
        table = createHashTable(r.keyWords, nv, 1 << 30, Math.max(16, base.size + r.size));
        sumInto(table, base, nv);
      }
      sumInto(table, r, nv);
    },
    source: (key, top) => tableRowSource(table ?? rawRowTable(base), key, top, overflow, overflowRecords),
  };
}

/** Adds each entry of raw part `r` to the sums in `t`. */
function sumInto(t: HashTable, r: RawTable, nv: number): void {
  for (let e = 0; e < r.size; e++) {
    const at = t.upsert(r.words, e * r.keyWords);
    const vb = t.valBase(at);
    const vals = t.vals;
    for (let v = 0; v < nv; v++) vals[vb + v] = vals[vb + v]! + r.vals[e * nv + v]!;
  }
}

/**
 * Rows already rendered (windows with string key fields), summed per key by the caller: row i
 * has key cells[i] and values sums[i * nv ..]. Returns the window's rows with its top-N applied.
 */
export function renderSummedRows(columns: readonly KeyColumn[], cells: readonly KeyValue[][], sums: readonly number[], nv: number, top: number): Row[] {
  const n = cells.length;
  // A table whose one-word key is the row's index, and a key that renders the index back to its cells.
  const t = createHashTable(1, nv, Math.max(1, n), Math.max(16, n));
  const word = new Uint32Array(1);
  for (let i = 0; i < n; i++) {
    word[0] = i;
    const e = t.upsert(word, 0);
    const vb = t.valBase(e);
    for (let v = 0; v < nv; v++) t.vals[vb + v] = sums[i * nv + v]!;
  }
  const key: RowKey = {
    columns,
    render(words, off, _strings, row) {
      for (const c of cells[words[off]!]!) row.push(c);
    },
  };
  return renderRows(t, key, createStringTable(), top, new Float64Array(nv), 0);
}
