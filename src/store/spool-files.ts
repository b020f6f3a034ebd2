// The spool's segment files: `<dir>/<first seq, 20 digits>.seg`, appended in order, each deleted
// once every export in it is in the database (or dropped). Files are 0600 and the directory 0700:
// exports hold the operator's traffic matrix.
//
// Durability: appends go to the page cache at once (a crash of the process loses nothing) and are
// fdatasync'ed by the owner on a timer, at each roll and at close; a power cut may lose the exports
// of the last sync interval. A new segment's directory entry is synced when it is created.
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type WindowExport, rowCount } from "./sink.ts";
import { decodeRecord, scanRecords } from "./spool-record.ts";

export interface Segment {
  readonly name: string;
  readonly path: string;
  size: number;
  /** Exports in this segment not yet written or dropped. */
  pending: number;
  fd: number | null;
}

export interface SpoolEntry {
  readonly seq: number;
  readonly at: number;
  readonly rows: number;
  readonly bytes: number;
  readonly offset: number;
  readonly seg: Segment;
  /** Kept in memory while the cache budget allows; otherwise read back from the segment. */
  exp: WindowExport | null;
}

export interface Recovered {
  entries: SpoolEntry[];
  /** Segments whose tail was torn or corrupt and has been truncated. */
  truncated: { file: string; offset: number; bytes: number }[];
}

const SEGMENT = /^(\d{20})\.seg$/;

export function createSegmentFiles(dir: string, segmentBytes: number) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let tail: Segment | null = null;

  function syncDir(): void {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  function closeTail(): void {
    if (tail?.fd != null) {
      fdatasyncSync(tail.fd);
      closeSync(tail.fd);
      tail.fd = null;
    }
    tail = null;
  }

  return {
    /** Reads every segment left by an earlier run, oldest first; never appends to them. */
    recover(): Recovered {
      const names = readdirSync(dir).filter((n) => SEGMENT.test(n)).sort();
      const entries: SpoolEntry[] = [];
      const truncated: Recovered["truncated"] = [];
      for (const name of names) {
        const path = join(dir, name);
        const buf = new Uint8Array(readFileSync(path));
        const { records, validBytes } = scanRecords(buf);
        if (validBytes < buf.length) {
          const fd = openSync(path, "r+");
          ftruncateSync(fd, validBytes);
          fsyncSync(fd);
          closeSync(fd);
          truncated.push({ file: name, offset: validBytes, bytes: buf.length - validBytes });
        }
        if (records.length === 0) {
          unlinkSync(path);
          continue;
        }
        const seg: Segment = { name, path, size: validBytes, pending: records.length, fd: null };
        for (const r of records) entries.push({ seq: r.seq, at: r.at, rows: r.rows, bytes: r.bytes, offset: r.offset, seg, exp: null });
      }
      return { entries, truncated };
    },

    /** Appends a record made by encodeRecord(seq, at, exp). */
    append(seq: number, at: number, exp: WindowExport, rec: Uint8Array): SpoolEntry {
      if (tail && tail.size >= segmentBytes) closeTail();
      if (!tail) {
        const name = `${String(seq).padStart(20, "0")}.seg`;
        const path = join(dir, name);
        tail = { name, path, size: 0, pending: 0, fd: openSync(path, "a", 0o600) };
        syncDir();
      }
      const seg: Segment = tail;
      let done = 0;
      while (done < rec.length) done += writeSync(seg.fd!, rec, done);
      const entry: SpoolEntry = { seq, at, rows: rowCount(exp), bytes: rec.length, offset: seg.size, seg, exp };
      seg.size += rec.length;
      seg.pending++;
      return entry;
    },

    read(e: SpoolEntry): WindowExport {
      const buf = new Uint8Array(e.bytes);
      const fd = openSync(e.seg.path, "r");
      try {
        let got = 0;
        while (got < buf.length) {
          const n = readSync(fd, buf, got, buf.length - got, e.offset + got);
          if (n === 0) throw new Error(`${e.seg.name}: short read at offset ${e.offset}`);
          got += n;
        }
      } finally {
        closeSync(fd);
      }
      return decodeRecord(buf);
    },

    /** Deletes a segment: all its exports written, or dropped by the size limit. */
    remove(seg: Segment): void {
      if (seg === tail) closeTail();
      unlinkSync(seg.path);
    },

    isTail(seg: Segment): boolean {
      return seg === tail;
    },

    sync(): void {
      if (tail?.fd != null) fdatasyncSync(tail.fd);
    },

    close(): void {
      closeTail();
    },
  };
}

export type SegmentFiles = ReturnType<typeof createSegmentFiles>;
