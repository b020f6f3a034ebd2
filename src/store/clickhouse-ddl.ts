// Window tables in ClickHouse (DESIGN.md section 5): the same columns as in the other stores plus
// `seq`, the spool's sequence number of the export that wrote the row, which is what makes writes
// exactly-once here (clickhouse.ts). MergeTree, one partition per day of `time`: retention drops
// whole days (18.16 has no TTL clause; 19.6 added it), and a range query reads only its days.
import { type ColumnSpec, LEAD_COLUMNS, tableIdent } from "./ddl.ts";

/** The column after `collector`: the export's spool seq (0 for an export written without one). */
export const SEQ: ColumnSpec = { name: "seq", q: '"seq"', role: "seq", sqlType: "UInt64" };

/** The table's columns in order: time, collector, seq, keys, values. */
export function clickhouseColumns(cols: readonly ColumnSpec[]): ColumnSpec[] {
  return [...cols.slice(0, LEAD_COLUMNS), SEQ, ...cols.slice(LEAD_COLUMNS)];
}

export function clickhouseTableSql(table: string, cols: readonly ColumnSpec[]): string {
  const body = clickhouseColumns(cols)
    .map((c) => `${c.q} ${c.sqlType}`)
    .join(", ");
  return `CREATE TABLE IF NOT EXISTS ${tableIdent(table)} (${body}) ENGINE = MergeTree PARTITION BY toYYYYMMDD("time") ORDER BY ("time", "collector")`;
}

export function clickhouseAddColumnSql(table: string, col: ColumnSpec): string {
  return `ALTER TABLE ${tableIdent(table)} ADD COLUMN ${col.q} ${col.sqlType}`;
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
