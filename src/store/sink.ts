// The one interface between the monitors and a database (DESIGN.md section 5). Monitors hand
// over closed windows as WindowExport values; SQLite, PostgreSQL and the disk spool implement Sink.

import type { NameRow } from "./names.ts";

export type KeyColumnType = "address" | "uint" | "string" | "mac";

export interface KeyColumn {
  /** Column name: the key field with spaces and dashes turned into "_" ("src_host", "tcp_flags"). */
  name: string;
  type: KeyColumnType;
}

/** One closed window of one `[[mo.window]]`: every row shares the window start time. */
export interface WindowExport {
  mo: string;
  window: string;
  /** `<mo>_<window>`, from validated names only. */
  table: string;
  /** Window start, epoch seconds. */
  time: number;
  keys: readonly KeyColumn[];
  /** Value column names in config order ("octets", "packets", "bits", "flows"). */
  values: readonly string[];
  /**
   * The values are rates (xenoflow_interfaces): fractional, stored as double precision (REAL in
   * SQLite) and never rounded. Otherwise they are sums of counters, stored as integers.
   */
  rates?: boolean;
  /**
   * Rows: key values (address as text, uint as number, string, mac "aa:bb:..", null in the
   * top-N remainder row) followed by the values as numbers.
   */
  rows: ReadonlyArray<ReadonlyArray<string | number | null>>;
  /**
   * Set only between a window and what hands its export on (src/pipeline.ts, and with workers
   * src/workers/merge-windows.ts), which turn it into a `source` before any Sink sees the
   * export; `rows` is then empty.
   */
  raw?: RawTable;
  /**
   * The rows rendered on demand, a slice at a time, from a closed window's raw table
   * (src/monitor/raw-rows.ts); `rows` is then empty. Read rows through rowsOf().
   */
  source?: RowSource;
}

export type Row = ReadonlyArray<string | number | null>;

/** An export's rows, by index: an export of 100 000 keys is never all rows at once. */
export interface RowSource {
  readonly count: number;
  /** The index of the top-N remainder row (every key null), -1 when there is none. */
  readonly remainder: number;
  /** Row i's first value, for ranking. */
  first(i: number): number;
  /** Rows from .. to - 1. */
  slice(from: number, to: number): Row[];
}

/** How many rows the export has, without rendering them. */
export const rowCount = (e: WindowExport): number => (e.source !== undefined ? e.source.count : e.rows.length);

/** The export's rows: its source, or its `rows` array seen as one (the remainder looked up only when asked for). */
export function rowsOf(e: WindowExport): RowSource {
  if (e.source !== undefined) return e.source;
  const rows = e.rows;
  const nk = e.keys.length;
  return {
    count: rows.length,
    get remainder() {
      for (let i = rows.length - 1; i >= 0; i--) if (isRemainder(rows[i]!, nk)) return i;
      return -1;
    },
    first: (i) => Number(rows[i]?.[nk] ?? 0),
    slice: (from, to) => rows.slice(from, to),
  };
}

/** The rows of `src`, `n` at a time, in order; each slice after the first is rendered only once `pause()` settled. */
export async function* slicesOf(src: RowSource, n: number, pause: () => Promise<void>): AsyncGenerator<Row[]> {
  for (let from = 0; from < src.count; from += n) {
    if (from > 0) await pause();
    yield src.slice(from, Math.min(src.count, from + n));
  }
}

/** The remainder row of a top-N window: every key cell null. */
export function isRemainder(r: Row, keyCount: number): boolean {
  if (keyCount === 0) return false;
  for (let k = 0; k < keyCount; k++) if (r[k] !== null) return false;
  return true;
}

/** A closed window's table as numbers: entry e's key words at words[e * keyWords ..], its values at vals[e * values.length ..]. */
export interface RawTable {
  /** The window key's signature (src/monitor/key.ts): the main thread renders with the same key. */
  signature: string;
  keyWords: number;
  size: number;
  words: Uint32Array;
  vals: Float64Array;
  /** Sums of the records that found the table full, and how many there were. */
  overflow: Float64Array;
  overflowRecords: number;
}

export interface Sink {
  readonly kind: "sqlite" | "postgres";
  /**
   * Writes one window export atomically: all its rows or none. Rejects when the store is unreachable.
   * With `seq` (the spool's sequence number) the sink records it in `xenoflow_exports` in the same
   * transaction and skips an export whose seq is already there, so a replay is written exactly once.
   */
  write(exp: WindowExport, seq?: number): Promise<void>;
  /** Replaces the contents of `xenoflow_names` with `rows`, atomically (src/store/names.ts). */
  writeNames(rows: readonly NameRow[]): Promise<void>;
  /** Deletes rows older than `before` (epoch seconds) from the given tables and the seq bookkeeping. */
  prune(tables: readonly string[], before: number): Promise<void>;
  close(): Promise<void>;
}
