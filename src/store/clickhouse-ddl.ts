// Window tables in ClickHouse (DESIGN.md section 5): the same columns as in the other stores plus
// `seq`, the spool's sequence number of the export that wrote the row, which is what makes writes
// exactly-once here (clickhouse.ts). MergeTree, one partition per day of `time`: retention drops
// whole days (18.16 has no TTL clause; 19.6 added it), and a range query reads only its days.
import { type ColumnSpec, LEAD_COLUMNS, ident } from "./ddl.ts";
import { StoreError } from "./store-error.ts";

/** The column after `collector`: the export's spool seq (0 for an export written without one). */
export const SEQ: ColumnSpec = { name: "seq", q: '"seq"', role: "seq", sqlType: "UInt64" };

/** The table's columns in order: time, collector, seq, keys, values. */
export function clickhouseColumns(cols: readonly ColumnSpec[]): ColumnSpec[] {
  if (cols.some((c) => c.name === SEQ.name)) throw new StoreError(`a key or value column named ${SEQ.name} cannot be stored in ClickHouse, where the column holds the export's seq`, false);
  return [...cols.slice(0, LEAD_COLUMNS), SEQ, ...cols.slice(LEAD_COLUMNS)];
}

// Table names here were checked by tableIdent() (54 characters) before the `_local` suffix.

/** The MergeTree that holds the rows: the window's table, or on every shard its `_local` table. */
export const MERGE_TREE = 'MergeTree PARTITION BY toYYYYMMDD("time") ORDER BY ("time", "collector")';

/** The suffix of a Distributed table's shard tables. */
export const LOCAL = "_local";

/**
 * The Distributed table over `<table>_local` on every shard of `cluster`. Sharded by (collector,
 * seq): an export's rows all go to one shard, in one block, so a write stays whole there too.
 */
export function distributedEngine(cluster: string, database: string, table: string): string {
  return `Distributed(${cluster}, ${database}, ${table}${LOCAL}, cityHash64("collector", "seq"))`;
}

export function clickhouseTableSql(table: string, cols: readonly ColumnSpec[], engine: string = MERGE_TREE): string {
  const body = clickhouseColumns(cols)
    .map((c) => `${c.q} ${c.sqlType}`)
    .join(", ");
  return `CREATE TABLE IF NOT EXISTS ${ident(table)} (${body}) ENGINE = ${engine}`;
}

export function clickhouseAddColumnSql(table: string, col: ColumnSpec): string {
  return `ALTER TABLE ${ident(table)} ADD COLUMN ${col.q} ${col.sqlType}`;
}

/** system.columns spells types as they were declared. */
export const clickhouseType = (catalogType: string): string => catalogType;

/** Start of the UTC day a toYYYYMMDD partition id names, epoch seconds; NaN for another id. */
export function partitionDay(id: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(id);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 1000 : Number.NaN;
}

/** The partitions whose every row is older than `before` (epoch seconds): whole days before it. */
export function expiredPartitions(ids: readonly string[], before: number): string[] {
  return ids.filter((id) => partitionDay(id) + 86400 <= before);
}
