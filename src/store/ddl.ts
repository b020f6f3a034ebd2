// Table layout for window exports (DESIGN.md section 5) in both dialects, and the one identifier
// check every statement goes through: names reach SQL text only after `ident()` accepted them.
//
// Schema evolution: when a window gains a key or value column, the store adds it with ALTER TABLE
// ADD COLUMN (old rows read NULL there); a column that exists with another type is refused with
// E_STORE, because silently mixing types in one column would corrupt reports. Columns are never
// dropped, so a downgrade of the config keeps working on the wider table.
import { XenoflowError } from "../errors.ts";
import type { KeyColumnType, WindowExport } from "./sink.ts";
import { StoreError } from "./store-error.ts";

export type Dialect = "sqlite" | "postgres";

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
  role: "time" | "key" | "value" | "rate";
  sqlType: string;
}

const PG_KEY: Record<KeyColumnType, string> = { address: "inet", uint: "bigint", string: "text", mac: "macaddr" };
const SQLITE_KEY: Record<KeyColumnType, string> = { address: "text", uint: "integer", string: "text", mac: "text" };

/**
 * The export's columns in table order after validating every identifier, the row widths and the
 * uniqueness of names. Throws before anything is written or spooled.
 */
export function columnsOf(exp: WindowExport, dialect: Dialect): ColumnSpec[] {
  tableIdent(exp.table);
  const cols: ColumnSpec[] = [{ name: "time", q: '"time"', role: "time", sqlType: dialect === "postgres" ? "timestamptz" : "integer" }];
  const keyTypes = dialect === "postgres" ? PG_KEY : SQLITE_KEY;
  for (const k of exp.keys) cols.push({ name: k.name, q: ident(k.name), role: "key", sqlType: keyTypes[k.type] });
  // Values are sums of sampled counters: integers that pass 2^31 within minutes on a busy link.
  for (const v of exp.values) {
    if (exp.rates === true) cols.push({ name: v, q: ident(v), role: "rate", sqlType: dialect === "postgres" ? "double precision" : "real" });
    else cols.push({ name: v, q: ident(v), role: "value", sqlType: dialect === "postgres" ? "bigint" : "integer" });
  }
  const seen = new Set<string>();
  for (const c of cols) {
    if (seen.has(c.name)) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: duplicate column ${c.name}`);
    seen.add(c.name);
  }
  const width = exp.keys.length + exp.values.length;
  for (const r of exp.rows) {
    if (r.length !== width) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: row has ${r.length} cells, expected ${width}`);
  }
  if (!Number.isFinite(exp.time)) throw new XenoflowError("E_INTERNAL", `table ${exp.table}: invalid window time ${exp.time}`);
  return cols;
}

/** Identifies a table layout, for caching "already checked" and prepared statements. */
export function layoutKey(table: string, cols: readonly ColumnSpec[]): string {
  return `${table}|${cols.map((c) => `${c.name}:${c.sqlType}`).join(",")}`;
}

export function createTableSql(table: string, cols: readonly ColumnSpec[]): string[] {
  const t = tableIdent(table);
  const body = cols.map((c) => `${c.q} ${c.sqlType}${c.role === "time" ? " NOT NULL" : ""}`).join(", ");
  return [`CREATE TABLE IF NOT EXISTS ${t} (${body})`, `CREATE INDEX IF NOT EXISTS ${ident(`${table}_time_idx`)} ON ${t} ("time")`];
}

export function addColumnSql(table: string, col: ColumnSpec): string {
  return `ALTER TABLE ${tableIdent(table)} ADD COLUMN ${col.q} ${col.sqlType}`;
}

export function exportsTableSql(dialect: Dialect): string {
  const time = dialect === "postgres" ? "timestamptz" : "integer";
  return `CREATE TABLE IF NOT EXISTS ${ident(EXPORTS_TABLE)} ("seq" bigint PRIMARY KEY, "tbl" text NOT NULL, "time" ${time} NOT NULL)`;
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
export function missingColumns(table: string, cols: readonly ColumnSpec[], existing: ReadonlyMap<string, string>): ColumnSpec[] {
  const missing: ColumnSpec[] = [];
  for (const c of cols) {
    const have = existing.get(c.name);
    if (have === undefined) missing.push(c);
    else if (normalType(have) !== c.sqlType) {
      // Refused, not data: every export of this window stops here until an operator decides.
      throw new StoreError(`table ${table}: column ${c.name} is ${have} in the database but the config needs ${c.sqlType}; rename the window or migrate the table`, "refused");
    }
  }
  return missing;
}
