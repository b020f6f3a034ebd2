// Opens the configured store for reading, with the same URL rules as src/store/open.ts.
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { maskUrl } from "../store/store-error.ts";
import { openClickhouseReports } from "./clickhouse.ts";
import type { ReportDb } from "./model.ts";
import { openPostgresReports } from "./postgres.ts";
import { openSqliteReports } from "./sqlite.ts";

export function openReports(storage: Config["storage"]): ReportDb {
  if (storage.kind === "sqlite") {
    if (!storage.url.startsWith("sqlite:")) throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected sqlite:PATH`);
    return openSqliteReports(storage.url.slice("sqlite:".length));
  }
  if (storage.kind === "clickhouse") return openClickhouseReports(storage.url);
  if (!/^postgres(ql)?:\/\//.test(storage.url)) {
    throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected postgres://user@host:port/db`);
  }
  return openPostgresReports(storage.url);
}
