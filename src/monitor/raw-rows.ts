// A closed window's raw table (WindowExport.raw) rendered to rows a slice at a time. The thread
// that closes a window may be the one that receives: rendering 100 000 keys in one piece held its
// event loop for 100-230 ms, and the kernel's receive buffer overflowed at 1 M flows/s. The rows
// come out exactly as renderRows() makes them (topn.ts): top N, or every entry in insertion
// order, then the remainder row.
import type { RawTable, WindowExport } from "../store/sink.ts";
import type { CompositeKey } from "./key.ts";
import { createStringTable } from "./strings.ts";
import { type Row, type RowTable, remainderRow, renderEntries, topEntries } from "./topn.ts";

/** The raw copy read as a table: entry e's key words at words[e * keyWords], its values at vals[e * values]. */
export function rawRowTable(raw: RawTable): RowTable {
  const kw = raw.keyWords;
  const nv = raw.overflow.length; // one overflow sum per value
  return { valueCount: nv, size: raw.size, keys: raw.words, vals: raw.vals, keyBase: (e) => e * kw, valBase: (e) => e * nv };
}

export interface RowRenderer {
  /** Renders up to `limit` more rows; true once every row, the remainder row included, is in `rows`. */
  next(limit: number): boolean;
  readonly rows: Row[];
}

/** `top` as the window's `top` (0 = every row). Raw tables never have string key fields. */
export function createRowRenderer(raw: RawTable, key: CompositeKey, top: number): RowRenderer {
  const t = rawRowTable(raw);
  const strings = createStringTable();
  // Top-N selection needs every entry at once; its output is short. Every row: insertion order.
  const order = topEntries(t, top);
  const rows: Row[] = [];
  let at = 0;
  let done = false;
  return {
    rows,
    next(limit) {
      if (done) return true;
      const to = Math.min(order.length, at + Math.max(1, limit));
      renderEntries(t, key, strings, order, at, to, rows);
      at = to;
      if (at < order.length) return false;
      const rest = remainderRow(t, key, order, raw.overflow, raw.overflowRecords);
      if (rest !== null) rows.push(rest);
      done = true;
      return true;
    },
  };
}

/** The finished export of a raw one: its rows, without the raw table. `top` as the window's. */
export function rawExportRenderer(exp: WindowExport & { raw: RawTable }, key: CompositeKey, top: number): (limit: number) => WindowExport | null {
  const r = createRowRenderer(exp.raw, key, top);
  return (limit) => {
    if (!r.next(limit)) return null;
    const { raw: _, ...rest } = exp;
    return { ...rest, rows: r.rows };
  };
}
