// Merges the closed windows of several workers into one export per (window, start): rows with
// equal keys are summed, then top-N and the remainder row are applied once, over the merged rows
// (a key that is small in each worker may still be large in total).
//
// Workers export every row (their windows run with top = 0), as numbers (ClosedWindow.raw) where
// the key has no string field: those are summed by the monitor (monitor/merge.ts) and rendered
// with the main thread's own compiled key, a slice at a time as the store asks: all rows of a
// 100 000-key window at once were ~50 MiB of arrays and strings in this thread's heap. Rows
// rendered by a worker are summed here by their text, and ranked by the monitor.
// An export is complete when every live worker has collected past the window's end: each worker
// sends its exports before the watermark that covers them, and messages from one worker arrive
// in order.
import { type ClosedWindow, type ExportHead, type RawTable, type WindowExport, headOf } from "../flow/export.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { KeyValue } from "../monitor/keyspec.ts";
import { type RawMerge, createRawMerge, renderSummedRows } from "../monitor/merge.ts";

/** One worker's closed window: every row, plus what the merge needs to finish it. */
export interface PartialExport {
  /** Window end, epoch ms: the export is complete once every worker collected at or after it. */
  end: number;
  /** The window's configured top-N (0 = every row). */
  top: number;
  exp: ClosedWindow;
}

export interface WindowMerger {
  add(worker: number, parts: readonly PartialExport[]): void;
  /** The worker has exported every window that ends at or before `nowMs`. */
  advance(worker: number, nowMs: number): void;
  /** The worker is gone: completion no longer waits for it. */
  retire(worker: number): void;
  /** Merged exports that every live worker has finished, oldest first. */
  ready(): WindowExport[];
  /** Every export still open, merged as it stands (shutdown, after the workers flushed). */
  drainAll(): WindowExport[];
  readonly pending: number;
}

/** One window's rows from every worker, summed per key: the export's header plus the sums. */
interface Group extends ExportHead {
  end: number;
  top: number;
  index: Map<string, number>;
  cells: KeyValue[][];
  sums: number[];
  /** Raw parts summed, and the key that renders them. */
  raw: { merge: RawMerge; key: CompositeKey } | null;
}

/** The main thread's compiled key of a window, by table name and key signature. */
export type KeyLookup = (table: string, signature: string) => CompositeKey | undefined;

/** `keyOf` renders raw parts; a raw part whose key it does not know is reported to `lost` and dropped. */
export function createWindowMerger(workers: number, keyOf: KeyLookup = () => undefined, lost: (why: string) => void = () => {}): WindowMerger {
  const marks = new Float64Array(workers).fill(-Infinity);
  const live = new Uint8Array(workers).fill(1);
  const groups = new Map<string, Group>();

  const low = (): number => {
    let m = Infinity;
    for (let w = 0; w < workers; w++) if (live[w] && marks[w]! < m) m = marks[w]!;
    return m;
  };

  function addOne(p: PartialExport): void {
    const e = p.exp;
    // Keys and values are part of the identity: a reload may change a window's columns.
    const id = `${e.table}\u0000${e.time}\u0000${JSON.stringify(e.keys)}\u0000${e.values.join(",")}`;
    let g = groups.get(id);
    if (g === undefined) {
      g = { mo: e.mo, window: e.window, table: e.table, time: e.time, keys: e.keys, values: e.values, end: p.end, top: p.top, index: new Map(), cells: [], sums: [], raw: null };
      groups.set(id, g);
    }
    if ("raw" in e) return addRaw(g, e.raw);
    const nk = e.keys.length;
    const nv = e.values.length;
    for (const row of e.rows) {
      const cells = row.slice(0, nk) as KeyValue[];
      const k = JSON.stringify(cells);
      let at = g.index.get(k);
      if (at === undefined) {
        at = g.cells.length;
        g.index.set(k, at);
        g.cells.push(cells);
        for (let v = 0; v < nv; v++) g.sums.push(0);
      }
      for (let v = 0; v < nv; v++) g.sums[at * nv + v]! += row[nk + v] as number;
    }
  }

  function addRaw(g: Group, r: RawTable): void {
    if (g.raw !== null) return g.raw.merge.add(r);
    const key = keyOf(g.table, r.signature);
    if (key === undefined || key.words !== r.keyWords) {
      lost(`window ${g.table}: no key ${r.signature} on the main thread; ${r.size} rows of one worker dropped`);
      return;
    }
    g.raw = { merge: createRawMerge(r), key };
  }

  function finish(g: Group): WindowExport {
    const head = headOf(g);
    // Rendered a slice at a time as the store asks (raw-rows.ts), never all rows at once.
    if (g.raw !== null) return { ...head, source: g.raw.merge.source(g.raw.key, g.top) };
    return { ...head, rows: renderSummedRows(g.keys, g.cells, g.sums, g.values.length, g.top) };
  }

  function take(pred: (g: Group) => boolean): WindowExport[] {
    const done = [...groups].filter(([, g]) => pred(g));
    done.sort((a, b) => a[1].time - b[1].time);
    for (const [id] of done) groups.delete(id);
    return done.map(([, g]) => finish(g));
  }

  return {
    add(_worker, parts) {
      for (const p of parts) addOne(p);
    },
    advance(worker, nowMs) {
      if (nowMs > marks[worker]!) marks[worker] = nowMs;
    },
    retire(worker) {
      live[worker] = 0;
    },
    ready() {
      if (groups.size === 0) return [];
      const m = low();
      return take((g) => g.end <= m);
    },
    drainAll: () => take(() => true),
    get pending() {
      return groups.size;
    },
  };
}
