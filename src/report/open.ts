// Opens the configured store for reading, with the same URL rules as src/store/open.ts.
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { maskUrl } from "../store/store-error.ts";
import { openClickhouseReports } from "./clickhouse.ts";
import type { ReportDb } from "./model.ts";
import { openPostgresReports } from "./postgres.ts";
import { openSqliteReports } from "./sqlite.ts";
import { openSqliteReportsOffThread } from "./sqlite-off-thread.ts";

/**
 * `statementTimeoutMs` (the HTTP API's bound): PostgreSQL cancels a statement running longer;
 * SQLite queries then run in a worker thread that is ended when one runs longer.
 */
export function openReports(storage: Config["storage"], statementTimeoutMs?: number): ReportDb {
  if (storage.kind === "sqlite") {
    if (!storage.url.startsWith("sqlite:")) throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected sqlite:PATH`);
    const path = storage.url.slice("sqlite:".length);
    return statementTimeoutMs === undefined ? openSqliteReports(path) : openSqliteReportsOffThread(path, statementTimeoutMs);
  }
  if (storage.kind === "clickhouse") return openClickhouseReports(storage.url);
  if (!/^postgres(ql)?:\/\//.test(storage.url)) {
    throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected postgres://user@host:port/db`);
  }
  return openPostgresReports(storage.url, statementTimeoutMs === undefined ? {} : { statementTimeoutMs });
}
