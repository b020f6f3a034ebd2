// One MaxMind-format database file (DB-IP Lite, GeoLite2, IPinfo Lite, iptoasn), read with
// mmdb-lib and reloaded when it changes. The file is polled with stat rather than fs.watch:
// databases are usually replaced by a download-then-rename, which some watchers lose, and a poll
// every few seconds costs nothing. A reload reads the file asynchronously and swaps the reader in
// one assignment, so receive never pauses; a file that is missing, truncated or not an .mmdb is
// one log line and the previous reader stays in use.
import { readFileSync, statSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { Reader, type Response } from "mmdb-lib";
import type { Logger } from "../log.ts";

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
  let seen = "";
  let checking: Promise<boolean> | null = null;

  const use = (buf: Buffer, sig: string, initial: boolean): boolean => {
    seen = sig;
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
  const signature = (s: { mtimeMs: number; size: number; ino: number }) => `${s.mtimeMs}/${s.size}/${s.ino}`;
  const fail = (err: unknown, sig: string): false => {
    if (sig !== seen) {
      const code = (err as { code?: string }).code;
      log.warn(`enrich: cannot read ${path}: ${code === "ENOENT" ? "no such file" : (err as Error).message}${reader ? "; keeping the previous data" : ""}`, `mmdb:${path}`);
    }
    seen = sig;
    return false;
  };

  try {
    const sig = signature(statSync(path));
    use(readFileSync(path), sig, true);
  } catch (err) {
    fail(err, "missing");
  }

  async function reload(): Promise<boolean> {
    let sig: string;
    try {
      sig = signature(await stat(path));
    } catch (err) {
      return fail(err, "missing");
    }
    if (sig === seen) return false;
    try {
      return use(await readFile(path), sig, false);
    } catch (err) {
      return fail(err, sig);
    }
  }

  const timer = setInterval(() => void self.check(), pollMs);
  timer.unref?.();
  const self: MmdbFile = {
    path,
    current: () => reader,
    generation: () => gen,
    check() {
      checking ??= reload().finally(() => {
        checking = null;
      });
      return checking;
    },
    close: () => clearInterval(timer),
  };
  return self;
}
