// The connection to ClickHouse shared by the sink and the reports: `clickhouse://user[:password]@
// host:8123/db` (DESIGN.md section 3) turned into the official client's options, and its errors
// into StoreErrors. ClickHouse speaks HTTP on that port; the client sends every statement there.
//
// Written against Debian's clickhouse-server 18.16 and kept to what it understands: no query
// parameters ({name:Type} came in 19.x), so only numbers and validated names reach the text.
// Its error text ("Code: 62, e.displayText() = DB::Exception: ...") predates the format the client
// parses, so the code is read from the message here.
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { XenoflowError } from "../errors.ts";
import { StoreError, maskUrl } from "./store-error.ts";

export interface ClickhouseTarget {
  /** http://host:port for the client. */
  http: string;
  port: string;
  username: string;
  password: string;
  database: string;
  /** `?cluster=NAME`: window tables are Distributed over the shards of that cluster (remote_servers). */
  cluster: string | null;
}

/** Parses a clickhouse:// URL; throws E_CONFIG naming what is wrong. */
export function parseClickhouseUrl(url: string): ClickhouseTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(url)}: not a valid URL`);
  }
  if (u.protocol !== "clickhouse:" || u.hostname === "") {
    throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(url)}: expected clickhouse://user@host:8123/db`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, "")) || "default";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(database)) throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(url)}: invalid database name "${database}"`);
  const cluster = u.searchParams.get("cluster");
  if (cluster !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster)) throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(url)}: invalid cluster name "${cluster}"`);
  for (const k of u.searchParams.keys()) if (k !== "cluster") throw new XenoflowError("E_CONFIG", `storage.url ${maskUrl(url)}: unknown parameter "${k}" (known: cluster)`);
  const port = u.port || "8123";
  return {
    http: httpOf(u.hostname, port),
    port,
    username: decodeURIComponent(u.username) || "default",
    password: decodeURIComponent(u.password),
    database,
    cluster,
  };
}

/** The client's URL for a host (a name, an IPv4 or an IPv6 address) and port. */
export function httpOf(host: string, port: string): string {
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;
}

export function connectClickhouse(url: string, requestTimeoutMs: number): ClickHouseClient {
  return connectTarget(parseClickhouseUrl(url), requestTimeoutMs);
}

export function connectTarget(t: ClickhouseTarget, requestTimeoutMs: number): ClickHouseClient {
  return createClient({
    url: t.http,
    username: t.username,
    password: t.password,
    database: t.database,
    request_timeout: requestTimeoutMs,
    application: "xenoflow",
    log: { level: ClickHouseLogLevel.OFF }, // errors reach the caller as StoreErrors
  });
}

// Server error codes (src/Common/ErrorCodes.cpp) where the same statement may succeed later.
const TRANSIENT_CODES = new Set([
  159, // TIMEOUT_EXCEEDED
  164, // READONLY
  202, // TOO_MANY_SIMULTANEOUS_QUERIES
  209, // SOCKET_TIMEOUT
  210, // NETWORK_ERROR
  216, // QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING
  241, // MEMORY_LIMIT_EXCEEDED
  242, // TABLE_IS_READ_ONLY
  252, // TOO_MANY_PARTS
  279, // ALL_CONNECTION_TRIES_FAILED
  319, // UNKNOWN_STATUS_OF_INSERT
  394, // QUERY_WAS_CANCELLED
]);

// Codes where the server answers but refuses until an operator fixes something (DESIGN.md section 5:
// kept in the spool and retried, like PostgreSQL's missing database, role, grant or full disk).
const REFUSED_CODES = new Map<number, string>([
  [81, "create the database (CREATE DATABASE) or fix its name in storage.url"], // UNKNOWN_DATABASE
  [192, "create the user in users.xml or fix the user in storage.url"], // UNKNOWN_USER
  [193, "fix the password in storage.url"], // WRONG_PASSWORD
  [194, "set the password in storage.url"], // REQUIRED_PASSWORD
  [195, "allow the collector's address in the user's <networks> in users.xml"], // IP_ADDRESS_NOT_ALLOWED
  [497, "grant the user INSERT, CREATE and ALTER on the database"], // ACCESS_DENIED
  [516, "fix the user or password in storage.url"], // AUTHENTICATION_FAILED
  [243, "free disk space on the server"], // NOT_ENOUGH_SPACE
  [16, "a column was changed by hand: restore it or rename the window"], // NO_SUCH_COLUMN_IN_TABLE
]);

/** The server's error code in an error from the client, or null when the server did not answer with one. */
export function clickhouseCode(err: unknown): number | null {
  const m = /\bCode: (\d+)/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : null;
}

/** Wraps a client error: transient unless the server answered with a code about the statement or its data. */
export function clickhouseStoreError(err: unknown, url: string, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = clickhouseCode(err);
  const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.replace(/, e\.what\(\) = DB::Exception$/, "");
  const fix = code === null ? undefined : REFUSED_CODES.get(code);
  const text = `${what} ${maskUrl(url)}: ${msg}`;
  if (fix !== undefined) return new StoreError(text, "refused", { cause: err, reason: `${maskUrl(url)}: ${msg}: ${fix}` });
  return new StoreError(text, code === null || TRANSIENT_CODES.has(code), { cause: err });
}

/** A statement's rows as objects (JSONEachRow: 64-bit integers arrive as text). */
export async function rowsOf<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: "JSONEachRow" });
  return rs.json<T>();
}
