// Store failures carry whether a retry can help: the spool retries transient ones (server down,
// connection lost, timeouts) forever, and sets aside permanent ones (data the database rejects)
// after a few attempts instead of blocking every later export behind them.
import { XenoflowError } from "../errors.ts";

export class StoreError extends XenoflowError {
  readonly transient: boolean;
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super("E_STORE", message, options);
    this.transient = transient;
    this.name = "StoreError";
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof StoreError && err.transient;
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

// SQLSTATE classes where the same statement may succeed later (PostgreSQL appendix A): connection
// exceptions, transaction rollbacks, insufficient resources, operator intervention (shutdown,
// statement_timeout), system errors. Everything else is about the statement or its data.
const TRANSIENT_CLASSES = new Set(["08", "40", "53", "57", "58"]);

/** Wraps an error from the `postgres` package, masking the URL's password in the message. */
export function pgStoreError(err: unknown, url: string, what: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "";
  const msg = err instanceof Error ? err.message : String(err);
  const isSqlState = /^[0-9A-Z]{5}$/.test(code);
  // Socket-level failures (ECONNREFUSED, CONNECT_TIMEOUT, CONNECTION_CLOSED ...) are not SQLSTATEs.
  const transient = !isSqlState || TRANSIENT_CLASSES.has(code.slice(0, 2));
  const detail = hidePassword(code && !msg.includes(code) ? `${msg} (${code})` : msg, url);
  return new StoreError(`${what} ${maskUrl(url)}: ${detail}`, transient, { cause: err });
}
