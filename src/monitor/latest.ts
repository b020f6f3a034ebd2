// The latest closed window of each [[mo.window]], for the dashboard's /api/top and the alert
// scripts' extended windows (DESIGN.md section 6, stdin). Kept whole, a window of 100 000 keys
// held ~144 000 rows of JS arrays and strings (~50 MiB of heap) until its next close, though no
// reader shows more than LATEST_ROWS of them: only the largest rows and the remainder row stay.
import { type KeyColumn, type Row, type WindowExport, rowsOf } from "../store/sink.ts";
import { largest } from "./topn.ts";

/** Rows a reader can ask for: the most /api/top returns. */
export const LATEST_ROWS = 1000;

export interface LatestExport {
  mo: string;
  window: string;
  /** Window start, epoch seconds. */
  time: number;
  keys: readonly KeyColumn[];
  values: readonly string[];
  /** The largest rows by the first value (ties in export order), then the top-N remainder row if any. */
  rows: readonly Row[];
  /** Rows in the whole export. */
  totalRows: number;
}

/**
 * The `keep` largest rows of an export, as a stable sort by the first value (descending) would
 * order them, and the remainder row. They are copies: the export's own rows were allocated among
 * all the others, and a few kept alive would pin most of the heap blocks the export grew.
 */
export function latestOf(e: WindowExport, keep = LATEST_ROWS): LatestExport {
  const src = rowsOf(e);
  const rest = src.remainder;
  // a ranks below b: the remainder row below every other, then smaller, then later in the export.
  const below = (a: number, b: number) => {
    if (a === rest || b === rest) return a === rest && b !== rest;
    const x = src.first(a);
    const y = src.first(b);
    return x < y || (x === y && a > b);
  };
  // The remainder ranks last, so it is among the k + 1 only when every other row is too.
  const top = [...largest(src.count, keep + 1, below)].filter((i) => i !== rest).slice(0, keep);
  if (rest >= 0) top.push(rest);
  const rows = structuredClone(top.map((i) => src.slice(i, i + 1)[0]!));
  return { mo: e.mo, window: e.window, time: e.time, keys: e.keys, values: e.values, rows, totalRows: src.count };
}
