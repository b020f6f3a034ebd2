// The window-export contract shared by monitor (which closes windows), the engines (which hand
// them on) and store (which writes them): DESIGN.md section 5. An export carries its rows in one
// of two forms, never both: an array, or a source that renders them a slice at a time. Between
// a window and its engine a third form exists, the closed table's numbers (ClosedWindow's raw),
// which no Sink ever sees.

export type KeyColumnType = "address" | "uint" | "string" | "mac";

export interface KeyColumn {
  /** Column name: the key field with spaces and dashes turned into "_" ("src_host", "tcp_flags"). */
  name: string;
  type: KeyColumnType;
}

/**
 * A row: key values (address as text, uint as number, string, mac "aa:bb:..", null in the top-N
 * remainder row) followed by the values as numbers.
 */
export type Row = ReadonlyArray<string | number | null>;

/** What every form of a closed window of one `[[mo.window]]` says about it. */
export interface ExportHead {
  mo: string;
  window: string;
  /** `<mo>_<window>`, from validated names only. */
  table: string;
  /** Window start, epoch seconds: every row shares it. */
  time: number;
  keys: readonly KeyColumn[];
  /** Value column names in config order ("octets", "packets", "bits", "flows"). */
  values: readonly string[];
  /**
   * The values are rates (xenoflow_interfaces): fractional, stored as double precision (REAL in
   * SQLite, Float64 in ClickHouse) and never rounded. Otherwise they are sums of counters, stored
   * as integers.
   */
  rates?: boolean;
}

/** The rows, rendered. */
export interface RowsBody {
  rows: ReadonlyArray<Row>;
}

/** The rows rendered on demand from a closed window's table (src/monitor/raw-rows.ts). Read them through rowsOf(). */
export interface SourceBody {
  source: RowSource;
}

/** A closed table's numbers, before any key is rendered to text. */
export interface RawBody {
  raw: RawTable;
}

/** One closed window as a Sink takes it. */
export type WindowExport = ExportHead & (RowsBody | SourceBody);

/** One closed window as a monitor's window gives it (numbers where the window runs raw). */
export type ClosedWindow = ExportHead & (RowsBody | RawBody);

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

/** The head of any form, without its rows. */
export function headOf(e: ExportHead): ExportHead {
  const head: ExportHead = { mo: e.mo, window: e.window, table: e.table, time: e.time, keys: e.keys, values: e.values };
  if (e.rates === true) head.rates = true;
  return head;
}

/** How many rows the export has, without rendering them. */
export const rowCount = (e: WindowExport): number => ("source" in e ? e.source.count : e.rows.length);

/** The export's rows: its source, or its `rows` array seen as one (the remainder looked up only when asked for). */
export function rowsOf(e: WindowExport): RowSource {
  if ("source" in e) return e.source;
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
