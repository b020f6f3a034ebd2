// Reports from the embedded store. Read-only and with 64-bit integers kept exact (safeIntegers):
// the collector may be writing the same file, which WAL allows.
import { Database } from "bun:sqlite";
import { existsSync } from "node:fs";
import { XenoflowError } from "../errors.ts";
import { seriesParams, seriesSql, topParams, topSql, totalSql } from "./dialect.ts";
import { type Bucket, type KeyedSums, type ReportDb, keyText, sumOf } from "./model.ts";

type Row = Record<string, unknown>;

export function openSqliteReports(path: string): ReportDb {
  if (path !== ":memory:" && !existsSync(path)) {
    throw new XenoflowError("E_USAGE", `no SQLite database at ${path}: the collector has not written anything yet`);
  }
  let db: Database;
  try {
    db = new Database(path, { readonly: path !== ":memory:", safeIntegers: true });
    db.exec("PRAGMA busy_timeout = 5000");
  } catch (err) {
    throw new XenoflowError("E_STORE", `cannot open SQLite database ${path}: ${(err as Error).message}`, { cause: err });
  }
  const exists = (table: string): boolean => db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1").get(table) !== null;

  function all(sql: string, params: (number | string)[]): Row[] {
    try {
      return db.query(sql).all(...params) as Row[];
    } catch (err) {
      throw new XenoflowError("E_STORE", `SQLite query failed: ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    kind: "sqlite",
    async top(q) {
      if (!exists(q.target.table)) return null;
      const params = topParams(q);
      const top: KeyedSums[] = all(topSql("sqlite", q), params).map((r) => ({
        keys: q.target.keys.map((k) => keyText(r[k.name])),
        sums: q.target.values.map((v) => sumOf(r[v])),
      }));
      const [t] = all(totalSql("sqlite", q), params);
      return { top, total: q.target.values.map((v) => sumOf(t?.[v])), rows: Number(t?.rows ?? 0) };
    },
    async series(q) {
      if (!exists(q.target.table)) return null;
      let rows = 0;
      const buckets: Bucket[] = all(seriesSql("sqlite", q), seriesParams(q)).map((r) => {
        rows += Number(r.rows);
        return { time: Number(r.bucket), sum: sumOf(r[q.value]) };
      });
      return { buckets, rows };
    },
    async close() {
      db.close();
    },
  };
}
