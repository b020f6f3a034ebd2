// A closed window's raw table (ClosedWindow.raw) as a row source: rows are rendered when a
// consumer asks for them, a slice at a time, and never all at once. Rendered whole, a window of
// 100 000 keys held the receiving thread's event loop for 100-230 ms, and its ~144 000 rows of
// arrays and strings (~50 MiB) stayed in the heap until the database had them all: the peak RSS
// of a close. The rows come out exactly as renderRows() makes them (topn.ts): top N, or every
// entry in insertion order, then the remainder row.
import { type ExportHead, type RawTable, type RowSource, type WindowExport, headOf } from "../flow/export.ts";
import type { CompositeKey } from "./key.ts";
import { createStringTable } from "./strings.ts";
import { type Row, type RowKey, type RowTable, remainderRow, renderEntries, topEntries } from "./topn.ts";

/** `raw`'s rows; `top` as the window's (0 = every row). Raw tables never have string key fields. */
export function rawRowSource(raw: RawTable, key: CompositeKey, top: number): RowSource {
  return tableRowSource(rawRowTable(raw), key, top, raw.overflow, raw.overflowRecords);
}

/** A raw table's entries as rendering reads them. */
export function rawRowTable(raw: RawTable): RowTable {
  const kw = raw.keyWords;
  const nv = raw.overflow.length; // one overflow sum per value
  return { valueCount: nv, size: raw.size, keys: raw.words, vals: raw.vals, keyBase: (e) => e * kw, valBase: (e) => e * nv };
}

/** The rows of table `t` (a raw copy, or a table no longer written to), with its overflow sums. */
export function tableRowSource(t: RowTable, key: RowKey, top: number, overflow: Float64Array, overflowRecords: number): RowSource {
  const nv = t.valueCount;
  const strings = createStringTable();
  // Top-N selection needs every entry at once; its output is short. Every row: insertion order.
  const order = topEntries(t, top);
  const n = order.length;
  const rest = remainderRow(t, key, order, overflow, overflowRecords);
  const first = key.columns.length;
  return {
    count: rest === null ? n : n + 1,
    remainder: rest === null ? -1 : n,
    first: (i) => (nv === 0 ? 0 : i < n ? t.vals[t.valBase(order[i]!)]! : Number(rest?.[first] ?? 0)),
    slice(from, to) {
      const rows: Row[] = [];
      renderEntries(t, key, strings, order, Math.min(from, n), Math.min(to, n), rows);
      if (rest !== null && from <= n && to > n) rows.push(rest.slice());
      return rows;
    },
  };
}

/**
 * The export of a raw table with its rows as a source: no raw table, no rows array. The source is
 * made when first read (its top-N selection visits every entry): in the store's turn for this
 * export, not in the turn that closed every window at once.
 */
export function withRowSource(exp: ExportHead, raw: RawTable, key: CompositeKey, top: number): WindowExport {
  let made: RowSource | null = null;
  const src = () => (made ??= rawRowSource(raw, key, top));
  return {
    ...headOf(exp),
    source: {
      get count() {
        return src().count;
      },
      get remainder() {
        return src().remainder;
      },
      first: (i) => src().first(i),
      slice: (from, to) => src().slice(from, to),
    },
  };
}
