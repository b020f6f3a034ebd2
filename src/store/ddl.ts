// Table layout for window exports (DESIGN.md section 5) in both dialects, and the one identifier
// check every statement goes through: names reach SQL text only after `ident()` accepted them.
//
// Schema evolution: when a window gains a key or value column, the store adds it with ALTER TABLE
// ADD COLUMN (old rows read NULL there); a column that exists with another type is refused with
// E_STORE, because silently mixing types in one column would corrupt reports. Columns are never
// dropped, so a downgrade of the config keeps working on the wider table.
//
// Fleet (DESIGN.md section 5): every window table has a `collector` column after `time`, and the
// exactly-once bookkeeping is keyed by (collector, seq). A table from before fleets gets the column
// on first use with NULL in its old rows: nothing records who wrote them, and a wrong name would be
// worse than none (fleet totals still count them; `--collector` does not). The operator who knows
// can claim them: UPDATE <table> SET collector = '<name>' WHERE collector IS NULL.
import { COLLECTOR_NAME } from "../config/parsers.ts";
import { XenoflowError } from "../errors.ts";
import type { KeyColumnType, WindowExport } from "./sink.ts";
import { StoreError } from "./store-error.ts";

export type Dialect = "sqlite" | "postgres";
/** Every store's column types; ClickHouse's tables are built in clickhouse-ddl.ts. */
export type StoreKind = Dialect | "clickhouse";

const IDENT = /^[a-z][a-z0-9_]*$/;
// PostgreSQL truncates identifiers beyond NAMEDATALEN-1 = 63 bytes; the index name adds "_time_idx".
const MAX_TABLE = 63 - "_time_idx".length;
const MAX_COLUMN = 63;

/** The bookkeeping table that makes spool replays exactly-once. */
export const EXPORTS_TABLE = "xenoflow_exports";

/** Returns `name` double-quoted after checking it is a validated name; anything else is a bug upstream. */
export function ident(name: string, max = MAX_COLUMN): string {
  if (!IDENT.test(name) || name.length > max) {
    throw new XenoflowError("E_INTERNAL", `invalid SQL identifier ${JSON.stringify(name)}: expected [a-z][a-z0-9_]* of at most ${max} characters`);
  }
  return `"${name}"`;
}

export function tableIdent(name: string): string {
  return ident(name, MAX_TABLE);
}

export interface ColumnSpec {
  name: string;
  /** Quoted identifier. */
  q: string;
  role: "time" | "collector" | "seq" | "key" | "value" | "rate";
  sqlType: string;
}

const PG_KEY: Record<KeyColumnType, string> = { address: "inet", uint: "bigint", string: "text", mac: "macaddr" };
const SQLITE_KEY: Record<KeyColumnType, string> = { address: "text", uint: "integer", string: "text", mac: "text" };
// 18.16 has no IPv6 type (19.3 added it as a domain): addresses are the text the other stores hold.
const CLICKHOUSE_KEY: Record<KeyColumnType, string> = { address: "Nullable(String)", uint: "Nullable(UInt64)", string: "Nullable(String)", mac: "Nullable(String)" };
const TYPES: Record<StoreKind, { time: string; collector: string; keys: Record<KeyColumnType, string>; value: string; rate: string }> = {
  postgres: { time: "timestamptz", collector: "text", keys: PG_KEY, value: "bigint", rate: "double precision" },
  sqlite: { time: "integer", collector: "text", keys: SQLITE_KEY, value: "integer", rate: "real" },
  clickhouse: { time: "DateTime", collector: "String", keys: CLICKHOUSE_KEY, value: "UInt64", rate: "Nullable(Float64)" },
};

/**
 * The export's columns in table order after validating every identifier, the row widths and the
 * uniqueness of names. Throws before anything is written or spooled.
 */
export function columnsOf(exp: WindowExport, dialect: StoreKind): ColumnSpec[] {
  tableIdent(exp.table);
  const types = TYPES[dialect];
  const cols: ColumnSpec[] = [
    { name: "time", q: '"time"', role: "time", sqlType: types.time },
    { name: "collector", q: '"collector"', role: "collector", sqlType: types.collector },
  ];
  for (const k of exp.keys) cols.push({ name: k.name, q: ident(k.name), role: "key", sqlType: types.keys[k.type] });
  // Values are sums of sampled counters: integers that pass 2^31 within minutes on a busy link.
  // Rates (xenoflow_interfaces) are fractional and may be absent.
  for (const v of exp.values) cols.push(exp.rates === true ? { name: v, q: ident(v), role: "rate", sqlType: types.rate } : { name: v, q: ident(v), role: "value", sqlType: types.value });
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: duplicate column ${c.name}`);
    seen.add(c.name);
  }
  const width = exp.keys.length + exp.values.length;
  for (const r of "rows" in exp ? exp.rows : []) {
    if (r.length !== width) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: row has ${r.length} cells, expected ${width}`);
  }
  if (!Number.isFinite(exp.time)) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: invalid window time ${exp.time}`);
  return cols;
}

/** Columns before the first key: `time`, `collector`. Row cell j goes to column j + LEAD_COLUMNS. */
export const LEAD_COLUMNS = 2;

/** A collector name as an SQL string literal, after checking it is one config accepts ([collector] name). */
export function collectorLiteral(name: string): string {
  if (!COLLECTOR_NAME.test(name)) throw new XenoflowError("E_INTERNAL", `invalid collector name ${JSON.stringify(name)}`);
  return `'${name}'`;
}

/** Identifies a table layout, for caching "already checked" and prepared statements. */
export function layoutKey(table: string, cols: readonly ColumnSpec[]): string {
  return `${table}|${cols.map((c) => `${c.name}:${c.sqlType}`).join(",")}`;
}

/** `partitioned`: PostgreSQL declarative partitions by range of "time" (pg-partitions.ts makes them). */
export function createTableSql(table: string, cols: readonly ColumnSpec[], partitioned = false): string[] {
  const t = tableIdent(table);
  const body = cols.map((c) => `${c.q} ${c.sqlType}${c.role === "time" ? " NOT NULL" : ""}`).join(", ");
  return [`CREATE TABLE IF NOT EXISTS ${t} (${body})${partitioned ? ' PARTITION BY RANGE ("time")' : ""}`, `CREATE INDEX IF NOT EXISTS ${ident(`${table}_time_idx`)} ON ${t} ("time")`];
}

export function addColumnSql(table: string, col: ColumnSpec, dialect: Dialect): string {
  return `ALTER TABLE ${tableIdent(table)} ADD COLUMN ${dialect === "postgres" ? "IF NOT EXISTS " : ""}${col.q} ${col.sqlType}`;
}

function exportsColumns(dialect: Dialect): string {
  const time = dialect === "postgres" ? "timestamptz" : "integer";
  return `("collector" text NOT NULL, "seq" bigint NOT NULL, "tbl" text NOT NULL, "time" ${time} NOT NULL, PRIMARY KEY ("collector", "seq"))`;
}

export function exportsTableSql(dialect: Dialect): string {
  return `CREATE TABLE IF NOT EXISTS ${ident(EXPORTS_TABLE)} ${exportsColumns(dialect)}`;
}

/**
 * Turns a bookkeeping table from before fleets (seq alone as primary key, no collector column) into
 * the per-collector one. Its rows go to `collector`, the first to upgrade: before fleets one
 * collector wrote the database, most likely this one, and its spool may still replay those seqs.
 */
export function upgradeExportsSql(dialect: Dialect, collector: string): string[] {
  const t = ident(EXPORTS_TABLE);
  const name = collectorLiteral(collector);
  if (dialect === "postgres") {
    return [
      `ALTER TABLE ${t} ADD COLUMN "collector" text NOT NULL DEFAULT ${name}`,
      `ALTER TABLE ${t} ALTER COLUMN "collector" DROP DEFAULT`,
      `ALTER TABLE ${t} DROP CONSTRAINT IF EXISTS ${ident(`${EXPORTS_TABLE}_pkey`)}, ADD PRIMARY KEY ("collector", "seq")`,
    ];
  }
  // SQLite cannot change a primary key in place: copy into a new table.
  const old = ident(`${EXPORTS_TABLE}_old`);
  return [
    `ALTER TABLE ${t} RENAME TO ${old}`,
    exportsTableSql(dialect),
    `INSERT INTO ${t} ("collector", "seq", "tbl", "time") SELECT ${name}, "seq", "tbl", "time" FROM ${old}`,
    `DROP TABLE ${old}`,
  ];
}

/** Normalises a type name as the catalog reports it, so it compares with ColumnSpec.sqlType. */
export function normalType(catalogType: string): string {
  const t = catalogType.toLowerCase();
  if (t === "timestamp with time zone") return "timestamptz";
  return t;
}

/**
 * Compares the table's existing columns with the export's: returns the columns to add, throws
 * E_STORE for a type conflict. `existing` maps column name to catalog type.
 */
export function missingColumns(
  table: string,
  cols: readonly ColumnSpec[],
  existing: ReadonlyMap<string, string>,
  normal: (catalogType: string) => string = normalType,
): ColumnSpec[] {
  const missing: ColumnSpec[] = [];
  for (const c of cols) {
    const have = existing.get(c.name);
    if (have === undefined) missing.push(c);
    else if (normal(have) !== c.sqlType) {
      // Refused, not data: every export of this window stops here until an operator decides.
      throw new StoreError(`table ${table}: column ${c.name} is ${have} in the database but the config needs ${c.sqlType}; rename the window or migrate the table`, "refused");
    }
  }
  return missing;
}
