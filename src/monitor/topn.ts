// A closed window's rows, off the hot path: the top N entries by their first value (a bounded
// min-heap keeps the N largest in O(size log N) instead of sorting every row), then one row with
// null keys holding the sum of everything else: entries beyond N and records that found the
// table full. That row appears only when something was left over.
import type { CompositeKey } from "./key.ts";

/** What rendering reads of a key: its columns, and how entry words become cells. */
export type RowKey = Pick<CompositeKey, "columns" | "render">;
import type { KeyValue } from "./keyspec.ts";
import type { StringTable } from "./strings.ts";
import type { HashTable } from "./table.ts";

export type Row = (KeyValue | number)[];

/** What rendering reads of a table: a live HashTable, or a closed window's raw copy (raw-rows.ts). */
export type RowTable = Pick<HashTable, "valueCount" | "size" | "keys" | "vals" | "keyBase" | "valBase">;

/** Rows of table t: top N (all, in insertion order, when n = 0), then the remainder row if any. */
export function renderRows(t: RowTable, key: RowKey, strings: StringTable, n: number, overflow: Float64Array, overflowRecords: number): Row[] {
  const order = topEntries(t, n);
  const rows: Row[] = [];
  renderEntries(t, key, strings, order, 0, order.length, rows);
  const rest = remainderRow(t, key, order, overflow, overflowRecords);
  if (rest !== null) rows.push(rest);
  return rows;
}

/** Appends the rows of entries order[from .. to) to `rows`. */
export function renderEntries(t: RowTable, key: RowKey, strings: StringTable, order: Uint32Array, from: number, to: number, rows: Row[]): void {
  const nv = t.valueCount;
  for (let j = from; j < to; j++) {
    const e = order[j]!;
    const row: Row = [];
    key.render(t.keys, t.keyBase(e), strings, row);
    const vb = t.valBase(e);
    for (let v = 0; v < nv; v++) row.push(t.vals[vb + v]!);
    rows.push(row);
  }
}

/** The null-key row: entries not in `order` plus the records that found the table full; null when there are none. */
export function remainderRow(t: RowTable, key: RowKey, order: Uint32Array, overflow: Float64Array, overflowRecords: number): Row | null {
  const nv = t.valueCount;
  const rest = Array.from(overflow);
  let leftOver = overflowRecords > 0;
  if (order.length < t.size) {
    leftOver = true;
    const taken = new Uint8Array(t.size);
    for (let j = 0; j < order.length; j++) taken[order[j]!] = 1;
    for (let e = 0; e < t.size; e++) {
      if (taken[e]) continue;
      const vb = t.valBase(e);
      for (let v = 0; v < nv; v++) rest[v]! += t.vals[vb + v]!;
    }
  }
  return leftOver ? [...key.columns.map(() => null), ...rest] : null;
}

/** Entry indexes ordered by value 0 descending (ties: lower entry first); all entries in insertion order when n = 0. */
export function topEntries(t: RowTable, n: number): Uint32Array {
  const size = t.size;
  const vals = t.vals;
  if (n <= 0) {
    const all = new Uint32Array(size);
    for (let e = 0; e < size; e++) all[e] = e;
    return all;
  }
  // "a ranks below b": smaller value, or equal value and later entry.
  return largest(size, n, (a, b) => {
    const x = vals[t.valBase(a)]!;
    const y = vals[t.valBase(b)]!;
    return x < y || (x === y && a > b);
  });
}

/** The `k` highest ranked of the indexes 0 .. count-1, highest first: a min-heap of k over one pass. */
export function largest(count: number, k: number, below: (a: number, b: number) => boolean): Uint32Array {
  const heap = new Uint32Array(Math.max(0, Math.min(k, count)));
  if (heap.length === 0) return heap;
  let len = 0;
  const swap = (i: number, j: number) => {
    const tmp = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = tmp;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < len && below(heap[l]!, heap[m]!)) m = l;
      if (r < len && below(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let e = 0; e < count; e++) {
    if (len < heap.length) {
      let i = len++;
      heap[i] = e;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!below(heap[i]!, heap[p]!)) break;
        swap(i, p);
        i = p;
      }
    } else if (below(heap[0]!, e)) {
      heap[0] = e;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
}
