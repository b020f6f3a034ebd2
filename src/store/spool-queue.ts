// The spool's unsent exports in seq order, with their size accounting. Exports leave only from
// the front: written (ack) or dropped with their whole segment (a dropped export must stay
// dropped after a restart, and deleting its segment file is what makes that durable).
import type { SegmentFiles, SpoolEntry } from "./spool-files.ts";

export interface Dropped {
  segment: string;
  exports: number;
  rows: number;
  /** The entry being written right now was in the dropped segment (not counted above). */
  tookInflight: boolean;
}

export function createSpoolQueue(files: SegmentFiles, cacheMax: number) {
  let queue: SpoolEntry[] = [];
  let head = 0;
  let bytes = 0;
  let cached = 0;

  function forget(e: SpoolEntry): void {
    bytes -= e.bytes;
    if (e.exp) cached -= e.bytes;
    e.exp = null;
  }

  function compact(): void {
    if (head > 1024 && head * 2 > queue.length) {
      queue = queue.slice(head);
      head = 0;
    }
  }

  return {
    get bytes() {
      return bytes;
    },
    get length() {
      return queue.length - head;
    },
    peek(): SpoolEntry | undefined {
      return queue[head];
    },

    /** Adds an entry; keeps its export in memory while the cache budget allows. */
    push(e: SpoolEntry): void {
      if (e.exp && cached + e.bytes <= cacheMax) cached += e.bytes;
      else e.exp = null;
      queue.push(e);
      bytes += e.bytes;
    },

    /** Removes the front entry once the database has it; deletes its segment when that was the last. */
    ack(e: SpoolEntry): void {
      if (queue[head] !== e) return; // already dropped with its segment
      head++;
      forget(e);
      if (--e.seg.pending === 0) files.remove(e.seg);
      compact();
    },

    /** Drops every unsent export of the oldest segment; null when the queue is empty. */
    dropOldest(inflight: SpoolEntry | null): Dropped | null {
      const first = queue[head];
      if (!first) return null;
      const seg = first.seg;
      const d: Dropped = { segment: seg.name, exports: 0, rows: 0, tookInflight: false };
      while (head < queue.length && queue[head]!.seg === seg) {
        const e = queue[head++]!;
        forget(e);
        if (e === inflight) d.tookInflight = true;
        else {
          d.exports++;
          d.rows += e.rows;
        }
      }
      seg.pending = 0;
      files.remove(seg);
      compact();
      return d;
    },
  };
}

export type SpoolQueue = ReturnType<typeof createSpoolQueue>;
