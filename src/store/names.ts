// `xenoflow_names` (DESIGN.md section 5): what enrichment knows by name, for SQL and Grafana to
// join beside numbers: AS names, interface names and roles per exporter, network names and roles.
// The store replaces the whole table in one transaction whenever the set changes; it is small
// (tens of thousands of rows at most) and written rarely.
import { ident } from "./ddl.ts";
import type { Dialect } from "./ddl.ts";

export type NameKind = "as" | "if" | "network";

export interface NameRow {
  kind: NameKind;
  /** The exporter's address for interfaces; "" for ASes and networks. */
  exporter: string;
  /** AS number, ifIndex, or network id. */
  id: number;
  name: string;
  description: string;
  role: string;
}

export const NAMES_TABLE = "xenoflow_names";
export const NAME_COLUMNS = ["kind", "exporter", "id", "name", "description", "role"] as const;

export function namesTableSql(_dialect: Dialect): string {
  const cols = NAME_COLUMNS.map((c) => `${ident(c)} ${c === "id" ? "bigint" : "text"} NOT NULL`).join(", ");
  return `CREATE TABLE IF NOT EXISTS ${ident(NAMES_TABLE)} (${cols}, PRIMARY KEY ("kind", "exporter", "id"))`;
}

export const nameCells = (r: NameRow): (string | number)[] => [r.kind, r.exporter, r.id, r.name, r.description, r.role];

/** A multi-row INSERT for `n` rows, placeholders `?` (sqlite) or `$k` (postgres). */
export function insertNamesSql(dialect: Dialect, n: number): string {
  let k = 0;
  const one = () => `(${NAME_COLUMNS.map(() => (dialect === "sqlite" ? "?" : `$${++k}`)).join(", ")})`;
  const values = Array.from({ length: n }, one).join(", ");
  return `INSERT INTO ${ident(NAMES_TABLE)} (${NAME_COLUMNS.map((c) => ident(c)).join(", ")}) VALUES ${values}`;
}

/** Rows per INSERT statement: 6 parameters each, well under both databases' limits. */
export const NAME_ROWS_PER_INSERT = 500;
