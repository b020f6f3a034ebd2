// Store failures carry what a retry can do (DESIGN.md section 5). The spool keeps every export a
// retry may still write, for as long as it takes: a server that is down comes back by itself, and
// a refusal (missing database, role, grant or schema, a read-only database, a full disk, a table
// changed by hand) is a mistake an operator fixes in minutes. Only an export whose own values the
// database cannot take ("data") may be set aside, and only after the spool saw the table accept a
// write (spool.ts); it then goes to the dead-letter file, never away.
import { XenoflowError } from "../errors.ts";

/** down: unreachable, restarting, timing out. refused: answers, but no. data: this export's values. */
export type StoreFault = "down" | "refused" | "data";

export class StoreError extends XenoflowError {
  readonly fault: StoreFault;
  /** One line naming the cause and its fix, the same for every export it stops: logged once per cause. */
  readonly reason: string;
  /** `true` is a server that is down, `false` data the database rejects. */
  constructor(message: string, fault: StoreFault | boolean, options?: { cause?: unknown; reason?: string }) {
    super("E_STORE", message, options);
    this.fault = fault === true ? "down" : fault === false ? "data" : fault;
    this.reason = options?.reason ?? message;
    this.name = "StoreError";
  }
  get transient(): boolean {
    return this.fault !== "data";
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof StoreError && err.transient;
}

/** An error from a sink that is not a StoreError is a bug rendering this export: data. */
export function faultOf(err: unknown): StoreFault {
  return err instanceof StoreError ? err.fault : "data";
}

/** The URL with any password replaced, for every message and log line that names the database. */
export function maskUrl(url: string): string {
  // Greedy up to the authority's last "@", as URL parsers do with an unencoded "@" in a password.
  return url.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^/?#\s]*)@/gi, "$1***@");
}

/** Driver messages may quote the connection string or its parts; none of them shows the password. */
function hidePassword(text: string, url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^/?#\s]*)@/i.exec(url);
  const pw = m?.[1];
  const masked = maskUrl(text);
  if (!pw) return masked;
  let decoded = pw;
  try {
    decoded = decodeURIComponent(pw);
  } catch {
    // not percent-encoded
  }
  return masked.split(pw).join("***").split(decoded).join("***");
}

// SQLSTATE classes where the same statement succeeds once the server is back (PostgreSQL appendix
// A): connection exceptions, transaction rollbacks, insufficient resources (53100 disk full aside),
// operator intervention (shutdown, statement_timeout), system errors. Class 22 is the export's data.
const DOWN_CLASSES = new Set(["08", "40", "53", "57", "58"]);

/** The role the URL connects as, for the GRANT an operator has to run. */
function roleOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || "the collector's role";
  } catch {
    return "the collector's role";
  }
}

/** The refusal's cause in the server's words and the fix, by SQLSTATE; null when the server is down. */
function pgReason(code: string, msg: string, url: string, table: string): string | null {
  const role = roleOf(url);
  const on = table ? `table ${table}: ` : "";
  if (code === "3D000") return `${msg}: create it (createdb -O ${role} ${/database "([^"]+)"/.exec(msg)?.[1] ?? "NAME"}) or fix the database name in storage.url`;
  if (code === "28000" && /role .* does not exist/.test(msg)) return `${msg}: create it (CREATE ROLE ${role} LOGIN) or fix the user in storage.url`;
  if (code === "28P01") return `${msg}: fix the password in storage.url or the role's (ALTER ROLE ${role} PASSWORD ...)`;
  if (code.startsWith("28")) return `${msg}: fix the user or password in storage.url, or allow the collector's host in pg_hba.conf`;
  if (code === "42501") {
    const schema = /permission denied for schema (\S+)/.exec(msg)?.[1];
    if (schema) return `${msg}: GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}`;
    const rel = /permission denied for (?:table|relation) (\S+)/.exec(msg)?.[1] ?? table;
    return `${msg}: GRANT SELECT, INSERT, DELETE ON ${rel || "the window tables"} TO ${role} (or make ${role} their owner)`;
  }
  if (code === "3F000") return `${msg}: create the schema (CREATE SCHEMA name AUTHORIZATION ${role}) or fix the schema in the config`;
  // Not the server's words: they name the statement ("cannot execute INSERT ..."), one cause.
  if (code === "25006") return "the database is read-only: ALTER DATABASE/ROLE ... RESET default_transaction_read_only, or point storage.url at the primary";
  if (code === "53100") return `the database server's disk is full (${msg}): free space on it`;
  if (DOWN_CLASSES.has(code.slice(0, 2)) || code.startsWith("22")) return null;
  if (code.startsWith("42") || code.startsWith("23")) return `${on}${msg}: the table was changed by hand; restore the column or constraint as xenoflow created it, or rename the window`;
  return `${on}${msg} (${code}): fix it on the database server`;
}

/** Wraps an error from the `postgres` package, masking the URL's password in the message. */
export function pgStoreError(err: unknown, url: string, what: string, table = ""): StoreError {
  if (err instanceof StoreError) return err;
  const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "";
  const msg = hidePassword(err instanceof Error ? err.message : String(err), url);
  const detail = code && !msg.includes(code) ? `${msg} (${code})` : msg;
  const message = `${what} ${maskUrl(url)}: ${detail}`;
  // Socket-level failures (ECONNREFUSED, CONNECT_TIMEOUT, CONNECTION_CLOSED ...) are not SQLSTATEs.
  if (!/^[0-9A-Z]{5}$/.test(code)) return new StoreError(message, "down", { cause: err, reason: `database unreachable: ${detail}` });
  const reason = pgReason(code, msg, url, table);
  if (reason !== null) return new StoreError(message, "refused", { cause: err, reason });
  const fault = code.startsWith("22") ? "data" : "down";
  return new StoreError(message, fault, { cause: err, reason: fault === "data" ? `${table ? `table ${table}: ` : ""}${detail}` : `database unavailable: ${detail}` });
}

// SQLite result codes (https://www.sqlite.org/rescode.html) an operator fixes or that pass:
// a read-only file or directory, a full disk, a lock held by another process, I/O errors.
const SQLITE_REASONS: [RegExp, string][] = [
  [/READONLY/, "the SQLite file or its directory is read-only: make both writable by the collector's user"],
  [/FULL/, "the disk holding the SQLite file is full: free space on it"],
  [/BUSY|LOCKED/, "the SQLite file is locked by another process: stop whatever holds it"],
  [/IOERR|CANTOPEN|PERM|NOTADB|CORRUPT/, "the SQLite file cannot be read or written: check its disk and permissions"],
];

/** Wraps an error from bun:sqlite; a constraint or type error on this export's values is data. */
export function sqliteStoreError(err: unknown, path: string, table: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = String((err as { code?: unknown }).code ?? "");
  const msg = err instanceof Error ? err.message : String(err);
  const message = `SQLite write to ${table} failed: ${msg}`;
  for (const [re, fix] of SQLITE_REASONS) if (re.test(code)) return new StoreError(message, "refused", { cause: err, reason: `${fix} (${path}: ${msg})` });
  // Not from SQLite itself (a value it cannot bind), or about the values: this export's data.
  if (!code.startsWith("SQLITE") || /CONSTRAINT|MISMATCH|TOOBIG|RANGE/.test(code)) return new StoreError(message, "data", { cause: err, reason: `table ${table}: ${msg}` });
  return new StoreError(message, "refused", { cause: err, reason: `table ${table}: ${msg}: the table was changed by hand; restore it as xenoflow created it, or rename the window` });
}
