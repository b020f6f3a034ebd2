// Reports from PostgreSQL through the same `postgres` package the store uses. One short-lived
// connection per command; statements time out server-side so a report never hangs a terminal.
import postgres from "postgres";
import { XenoflowError } from "../errors.ts";
import { ident } from "../store/ddl.ts";
import { maskUrl } from "../store/store-error.ts";
import { seriesParams, seriesSql, topParams, topSql, totalSql } from "./dialect.ts";
import { type Bucket, type KeyedSums, type ReportDb, keyText, sumOf } from "./model.ts";

export interface PgReportOptions {
  /** Schema holding the window tables (search_path); default: the server's. */
  schema?: string;
  statementTimeoutMs?: number;
}

type Row = Record<string, unknown>;

export function openPostgresReports(url: string, opts: PgReportOptions = {}): ReportDb {
  const connection: Record<string, string | number> = { application_name: "xenoflow-report", statement_timeout: opts.statementTimeoutMs ?? 60_000 };
  if (opts.schema !== undefined) connection.search_path = ident(opts.schema);
  const sql = postgres(url, { max: 1, connect_timeout: 10, fetch_types: false, onnotice: () => {}, connection });

  async function all(text: string, params: (string | number)[]): Promise<Row[]> {
    try {
      return (await sql.unsafe(text, params)) as unknown as Row[];
    } catch (err) {
      throw new XenoflowError("E_STORE", `PostgreSQL ${maskUrl(url)}: ${(err as Error).message}`, { cause: err });
    }
  }

  async function exists(table: string): Promise<boolean> {
    const [r] = await all("SELECT to_regclass($1) IS NOT NULL AS e", [ident(table)]);
    return r?.e === true;
  }

  return {
    kind: "postgres",
    async top(q) {
      if (!(await exists(q.target.table))) return null;
      const params = topParams(q);
      const [rows, totals] = [await all(topSql("postgres", q), params), await all(totalSql("postgres", q), params)];
      const top: KeyedSums[] = rows.map((r) => ({
        keys: q.target.keys.map((k) => keyText(r[k.name])),
        sums: q.target.values.map((v) => sumOf(r[v])),
      }));
      const t = totals[0];
      return { top, total: q.target.values.map((v) => sumOf(t?.[v])), rows: Number(t?.rows ?? 0) };
    },
    async series(q) {
      if (!(await exists(q.target.table))) return null;
      let rows = 0;
      const buckets: Bucket[] = (await all(seriesSql("postgres", q), seriesParams(q))).map((r) => {
        rows += Number(r.rows);
        return { time: Number(r.bucket), sum: sumOf(r[q.value]) };
      });
      return { buckets, rows };
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
