// Merges the closed windows of several workers into one export per (window, start): rows with
// equal keys are summed, then top-N and the remainder row are applied once, over the merged rows
// (a key that is small in each worker may still be large in total).
//
// Workers export every row (their windows run with top = 0), as numbers (WindowExport.raw) where
// the key has no string field: those are summed in a hash table on the key words (a part with
// no other to sum is taken as it came) and rendered with the main thread's own compiled key, a
// slice at a time as the store asks (raw-rows.ts): all rows of a 100 000-key window at once were
// ~50 MiB of arrays and strings in this thread's heap. Rows rendered by a worker are merged by text.
// An export is complete when every live worker has collected past the window's end: each worker
// sends its exports before the watermark that covers them, and messages from one worker arrive
// in order.
import type { KeyColumn, RawTable, WindowExport } from "../store/sink.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { KeyValue } from "../monitor/keyspec.ts";
import { rawRowTable, tableRowSource } from "../monitor/raw-rows.ts";
import { createStringTable } from "../monitor/strings.ts";
import { createHashTable, type HashTable } from "../monitor/table.ts";
import { renderRows } from "../monitor/topn.ts";

/** One worker's closed window: every row, plus what the merge needs to finish it. */
export interface PartialExport {
  /** Window end, epoch ms: the export is complete once every worker collected at or after it. */
  end: number;
  /** The window's configured top-N (0 = every row). */
  top: number;
  exp: WindowExport;
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
interface Group extends Pick<WindowExport, "mo" | "window" | "table" | "time" | "keys" | "values"> {
  end: number;
  top: number;
  index: Map<string, number>;
  cells: KeyValue[][];
  sums: number[];
  /**
   * Raw parts and the key that renders them: the first part as it came, until a second one
   * needs summing with it in `table`, by key words.
   */
  raw: { first: RawTable; table: HashTable | null; key: CompositeKey; overflow: Float64Array; overflowRecords: number } | null;
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
    if (e.raw) return addRaw(g, e.raw);
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
    const nv = g.values.length;
    if (g.raw === null) {
      const key = keyOf(g.table, r.signature);
      if (key === undefined || key.words !== r.keyWords) {
        lost(`window ${g.table}: no key ${r.signature} on the main thread; ${r.size} rows of one worker dropped`);
        return;
      }
      // One worker's part has each key once: it needs no summing until another part comes.
      g.raw = { first: r, table: null, key, overflow: r.overflow.slice(), overflowRecords: r.overflowRecords };
      return;
    }
    const m = g.raw;
    for (let v = 0; v < nv; v++) m.overflow[v] = m.overflow[v]! + (r.overflow[v] ?? 0);
    m.overflowRecords += r.overflowRecords;
    if (r.size === 0) return;
    if (m.table === null && m.first.size === 0) {
      m.first = r;
      return;
    }
    if (m.table === null) {
      m.table = createHashTable(r.keyWords, nv, 1 << 30, Math.max(16, m.first.size + r.size));
      sumInto(m.table, m.first, nv);
    }
    sumInto(m.table, r, nv);
  }

  function finish(g: Group): WindowExport {
    const head = { mo: g.mo, window: g.window, table: g.table, time: g.time, keys: g.keys, values: g.values };
    const m = g.raw;
    if (m !== null) {
      // Rendered a slice at a time as the store asks (raw-rows.ts), never all rows at once.
      const t = m.table ?? rawRowTable(m.first);
      return { ...head, rows: [], source: tableRowSource(t, m.key, g.top, m.overflow, m.overflowRecords) };
    }
    const nv = g.values.length;
    const n = g.cells.length;
    // The merged rows go through the monitor's own top-N renderer: a table whose one-word key is
    // the merged row's index, and a key that renders that index back to the row's cells.
    const t = createHashTable(1, nv, Math.max(1, n), Math.max(16, n));
    const word = new Uint32Array(1);
    for (let i = 0; i < n; i++) {
      word[0] = i;
      const e = t.upsert(word, 0);
      const vb = t.valBase(e);
      for (let v = 0; v < nv; v++) t.vals[vb + v] = g.sums[i * nv + v]!;
    }
    const rows = renderRows(t, cellsKey(g.keys, g.cells), createStringTable(), g.top, new Float64Array(nv), 0);
    return { ...head, rows };
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

/** A key over merged rows: word 0 is the row's index into `cells`; only columns and render are used by renderRows. */
function cellsKey(columns: readonly KeyColumn[], cells: readonly KeyValue[][]): CompositeKey {
  const unused = () => {
    throw new Error("merged window rows are rendered only");
  };
  return {
    words: 1,
    columns,
    specs: [],
    write: unused,
    render(key, off, _strings, row) {
      for (const c of cells[key[off]!]!) row.push(c);
    },
    hasStrings: false,
    writeBatch: unused,
    writeByRecord: unused,
    signature: "",
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
