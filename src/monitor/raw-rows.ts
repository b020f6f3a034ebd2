// A closed window's raw table (WindowExport.raw) rendered to rows a slice at a time. The thread
// that closes a window may be the one that receives: rendering 100 000 keys in one piece held its
// event loop for 100-230 ms, and the kernel's receive buffer overflowed at 1 M flows/s. The rows
// come out exactly as renderRows() makes them (topn.ts): top N, or every entry in insertion
// order, then the remainder row.
import type { RawTable, WindowExport } from "../store/sink.ts";
import type { CompositeKey } from "./key.ts";
import { createStringTable } from "./strings.ts";
import { type Row, type RowTable, remainderRow, renderEntries, topEntries } from "./topn.ts";

/**
 * Renders `exp`'s rows from `raw` up to `limit` rows per call; returns the finished export (its
 * rows, no raw table) once every row is there, null before. `top` as the window's (0 = every row);
 * raw tables never have string key fields.
 */
export function rawExportRenderer(exp: WindowExport, raw: RawTable, key: CompositeKey, top: number): (limit: number) => WindowExport | null {
  const kw = raw.keyWords;
  const nv = raw.overflow.length; // one overflow sum per value
  const t: RowTable = { valueCount: nv, size: raw.size, keys: raw.words, vals: raw.vals, keyBase: (e) => e * kw, valBase: (e) => e * nv };
  const strings = createStringTable();
  // Top-N selection needs every entry at once; its output is short. Every row: insertion order.
  const order = topEntries(t, top);
  const rows: Row[] = [];
  let at = 0;
  return (limit) => {
    const to = Math.min(order.length, at + Math.max(1, limit));
    renderEntries(t, key, strings, order, at, to, rows);
    at = to;
    if (at < order.length) return null;
    const rest = remainderRow(t, key, order, raw.overflow, raw.overflowRecords);
    if (rest !== null) rows.push(rest);
    const { raw: _, ...head } = exp;
    return { ...head, rows };
  };
}
