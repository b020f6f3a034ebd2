// The latest closed window of each [[mo.window]], for the dashboard's /api/top and the alert
// scripts' extended windows (DESIGN.md section 6, stdin). Kept whole, a window of 100 000 keys
// held ~144 000 rows of JS arrays and strings (~50 MiB of heap) until its next close, though no
// reader shows more than LATEST_ROWS of them: only the largest rows and the remainder row stay.
// They are picked when first read, not when the window closes: ranking 100 000 rows took 5-15 ms
// more in the turns that already spool and write the close, and the kernel dropped datagrams.
import { type KeyColumn, type Row, type WindowExport, rowsOf } from "../flow/export.ts";
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

/** The latest export of each window by "mo/window", as readers see it. */
export interface LatestWindows {
  get(path: string): LatestExport | undefined;
}

/** Holds each window's latest export as its row source (a closed table's numbers, ~5 MB for 100 000 keys) until a reader asks. */
export function createLatestWindows(keep = LATEST_ROWS): LatestWindows & { set(path: string, e: WindowExport): void } {
  const pending = new Map<string, WindowExport>();
  const made = new Map<string, LatestExport>();
  return {
    set(path, e) {
      // An export with a rows array (a window with string keys) would hold every row until read.
      if (!("source" in e)) {
        pending.delete(path);
        made.set(path, latestOf(e, keep));
        return;
      }
      pending.set(path, e);
      made.delete(path);
    },
    get(path) {
      const e = pending.get(path);
      if (e === undefined) return made.get(path);
      const l = latestOf(e, keep);
      pending.delete(path);
      made.set(path, l);
      return l;
    },
  };
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
