// Opens the configured store (DESIGN.md section 3, [storage]): `sqlite:PATH`, a postgres:// or a
// clickhouse:// URL.
// The config loader already resolved XENOFLOW_DB_URL and made the SQLite path absolute.
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { type Logger, createLogger } from "../log.ts";
import { createClickhouseSink } from "./clickhouse.ts";
import { createPostgresSink } from "./postgres.ts";
import type { Sink } from "./sink.ts";
import { createSqliteSink } from "./sqlite.ts";
import { maskUrl } from "./store-error.ts";

/** `log`: where a store says what the operator should know (default: a logger of its own on stderr). */
export function openSink(storage: Config["storage"], log: Logger = createLogger()): Sink {
  if (storage.kind === "sqlite") {
    if (!storage.url.startsWith("sqlite:")) throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected sqlite:PATH`);
    return createSqliteSink(storage.url.slice("sqlite:".length), storage.collector);
  }
  if (storage.kind === "clickhouse") return createClickhouseSink(storage.url, { collector: storage.collector });
  if (!/^postgres(ql)?:\/\//.test(storage.url)) {
    throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(storage.url)}: expected postgres://user@host:port/db`);
  }
  return createPostgresSink(storage.url, { collector: storage.collector, partitionSeconds: storage.partition, warn: (m) => log.warn(m, "store") });
}
