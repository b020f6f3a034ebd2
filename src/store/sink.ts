// The one interface between the collector and a database (DESIGN.md section 5). The engines hand
// over closed windows as WindowExport values (src/flow/export.ts, re-exported here for store's
// modules); SQLite, PostgreSQL, ClickHouse and the disk spool implement Sink.
import type { StoreKind } from "./ddl.ts";
import type { NameRow } from "./names.ts";

export type { ExportHead, KeyColumn, KeyColumnType, RawTable, Row, RowSource, WindowExport } from "../flow/export.ts";
export { headOf, isRemainder, rowCount, rowsOf, slicesOf } from "../flow/export.ts";
import type { WindowExport } from "../flow/export.ts";

export interface Sink {
  readonly kind: StoreKind;
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
