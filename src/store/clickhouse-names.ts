// `xenoflow_names` in ClickHouse (DESIGN.md section 5). 18.16 has no transactions, so the whole set
// is written to a fresh table that then takes the name in one RENAME of both tables (atomic for
// readers), instead of a DELETE and INSERT that a report could see half done. A small Log table: a
// few tens of thousands of rows read whole by joins. With `?cluster=` it lives on the server the
// sink talks to, which is where reports ask.
import type { ClickHouseClient } from "@clickhouse/client";
import { ident } from "./ddl.ts";
import { NAMES_TABLE, NAME_COLUMNS, type NameRow } from "./names.ts";

const columns = NAME_COLUMNS.map((c) => `${ident(c)} ${c === "id" ? "UInt64" : "String"}`).join(", ");
const tableSql = (name: string) => `CREATE TABLE IF NOT EXISTS ${ident(name)} (${columns}) ENGINE = Log`;

export async function replaceNames(client: ClickHouseClient, rows: readonly NameRow[]): Promise<void> {
  const fresh = `${NAMES_TABLE}_new`;
  const old = `${NAMES_TABLE}_old`;
  await client.command({ query: tableSql(NAMES_TABLE) });
  await client.command({ query: `DROP TABLE IF EXISTS ${ident(fresh)}` });
  await client.command({ query: `DROP TABLE IF EXISTS ${ident(old)}` });
  await client.command({ query: tableSql(fresh) });
  if (rows.length > 0) {
    await client.insert({ table: ident(fresh), values: rows.map((r) => ({ ...r })), format: "JSONEachRow" });
  }
  await client.command({ query: `RENAME TABLE ${ident(NAMES_TABLE)} TO ${ident(old)}, ${ident(fresh)} TO ${ident(NAMES_TABLE)}` });
  await client.command({ query: `DROP TABLE IF EXISTS ${ident(old)}` });
}
