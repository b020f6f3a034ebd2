// One MaxMind-format database file (DB-IP Lite, GeoLite2, IPinfo Lite, iptoasn), read with
// mmdb-lib and reloaded when it changes (file-poll.ts). A reload swaps the reader in one
// assignment, so receive never pauses; a file that is missing, truncated or not an .mmdb is one
// log line and the previous reader stays in use.
import { Reader, type Response } from "mmdb-lib";
import type { Logger } from "../log.ts";
import { pollFile, readError, readFileNow } from "./file-poll.ts";

export interface MmdbFile {
  readonly path: string;
  /** The reader in use; null until a valid file has been read. */
  current(): Reader<Response> | null;
  /** Bumped by every successful load, so caches know their answers are stale. */
  generation(): number;
  /** Stats the file and reloads it when it changed; true when a new reader is in use. */
  check(): Promise<boolean>;
  close(): void;
}

export const MMDB_POLL_MS = 5000;

/** Decoded records kept per data-section offset; a database has few distinct ones (countries). */
const RECORD_CACHE_MAX = 1 << 16;

type RecordCache = NonNullable<NonNullable<ConstructorParameters<typeof Reader>[1]>["cache"]>;

function recordCache(): RecordCache {
  const m = new Map<string | number, unknown>();
  return {
    get: (k: string | number) => m.get(k),
    set(k: string | number, v: unknown) {
      if (m.size >= RECORD_CACHE_MAX) m.clear();
      m.set(k, v);
    },
  };
}

/** A reader over `buf`, or why it is not a usable database. */
export function parseMmdb(buf: Buffer): Reader<Response> | string {
  try {
    // The record cache spares decoding the same record (a country, an AS) on every miss.
    const r = new Reader<Response>(buf, { cache: recordCache() });
    const m = r.metadata;
    if (m.ipVersion !== 4 && m.ipVersion !== 6) return `unsupported ip_version ${String(m.ipVersion)}`;
    // The search tree must fit inside the file: a truncated file passes the metadata check above.
    const treeBytes = (m.nodeCount * m.recordSize) / 4;
    if (treeBytes + 16 > buf.length) return `truncated: the search tree needs ${treeBytes} bytes, the file has ${buf.length}`;
    return r;
  } catch (err) {
    return (err as Error).message;
  }
}

export function openMmdb(path: string, log: Logger, pollMs = MMDB_POLL_MS): MmdbFile {
  let reader: Reader<Response> | null = null;
  let gen = 0;

  const use = (buf: Buffer, initial: boolean): boolean => {
    const r = parseMmdb(buf);
    if (typeof r === "string") {
      log.warn(`enrich: ${path}: not a usable MaxMind database (${r}); ${reader ? "keeping the previous one" : "no data until it is fixed"}`, `mmdb:${path}`);
      return false;
    }
    reader = r;
    gen++;
    if (!initial) log.info(`enrich: reloaded ${path} (${r.metadata.databaseType}, ${r.metadata.nodeCount} nodes)`, `mmdb:${path}`);
    return true;
  };
  const failed = (err: unknown): void => {
    log.warn(`enrich: cannot read ${path}: ${readError(err)}${reader ? "; keeping the previous data" : ""}`, `mmdb:${path}`);
  };

  const first = readFileNow(path);
  if ("buf" in first) use(first.buf, true);
  else failed(first.err);
  const poll = pollFile(path, pollMs, first.sig, (buf) => use(buf, false), failed);
  return {
    path,
    current: () => reader,
    generation: () => gen,
    check: poll.check,
    close: poll.close,
  };
}
