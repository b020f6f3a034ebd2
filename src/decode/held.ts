// Data sets held until their template arrives (over UDP a data set may overtake its template,
// RFC 7011 section 8). Spoofed sources make this attacker-sized state, so it is bounded per
// exporter and in total, in payload bytes and in entries: an entry costs memory of its own (the
// object, the copy's header), which a budget of payload bytes alone would let 1-byte sets hold for
// free. Every entry sits in three intrusive lists (all held, its exporter's, its template key's),
// each in arrival order, so holding, taking, evicting and expiring touch only the entries they
// move: never a scan of what is held.
import type { Faults } from "./faults.ts";

/**
 * What one held entry really costs beyond its payload (measured with bun:jsc heapStats: the
 * entry object with its links, the copied body's typed array and buffer headers, rounded up).
 * Per-exporter and total entry counts are their byte budgets divided by this.
 */
export const HELD_ENTRY_BYTES = 256;

export interface Held {
  readonly key: number; // templateKey(version, domain, template id)
  readonly body: Uint8Array; // the data set's records, copied
  readonly exportMs: number;
  readonly uptime: number;
  readonly arrivalMs: number;
  owner: HeldOwner | null;
  gPrev: Held | null;
  gNext: Held | null;
  ePrev: Held | null;
  eNext: Held | null;
  /** Next entry of the same owner and key; kept after take(), which hands the chain out by it. */
  tNext: Held | null;
}

/** The held-data part of an exporter's state. */
export interface HeldOwner {
  heldHead: Held | null;
  heldTail: Held | null;
  heldBytes: number;
  heldCount: number;
  /** Template key -> [oldest, newest] of that key's chain. */
  readonly heldByKey: Map<number, [Held, Held]>;
}

export interface HeldBounds {
  pendingBytesPerExporter: number;
  pendingBytesTotal: number;
  pendingMs: number;
}

export function createHeldQueue(bounds: HeldBounds, faults: Faults) {
  const perBytes = bounds.pendingBytesPerExporter;
  const perCount = Math.max(1, Math.floor(perBytes / HELD_ENTRY_BYTES));
  const totalBytes = bounds.pendingBytesTotal;
  const totalCount = Math.max(1, Math.floor(totalBytes / HELD_ENTRY_BYTES));
  let head: Held | null = null;
  let tail: Held | null = null;
  let bytes = 0;
  let count = 0;

  // Every removal but take() is of an owner's oldest entry, hence also the head of its key's chain.
  function unlink(h: Held): void {
    const o = h.owner!;
    if (h.gPrev) h.gPrev.gNext = h.gNext; else head = h.gNext;
    if (h.gNext) h.gNext.gPrev = h.gPrev; else tail = h.gPrev;
    if (h.ePrev) h.ePrev.eNext = h.eNext; else o.heldHead = h.eNext;
    if (h.eNext) h.eNext.ePrev = h.ePrev; else o.heldTail = h.ePrev;
    h.gPrev = h.gNext = h.ePrev = h.eNext = null;
    h.owner = null;
    o.heldBytes -= h.body.length;
    o.heldCount--;
    bytes -= h.body.length;
    count--;
  }

  function dropOldest(h: Held): void {
    const o = h.owner!;
    const chain = o.heldByKey.get(h.key);
    if (chain && chain[0] === h) {
      if (h.tNext) chain[0] = h.tNext;
      else o.heldByKey.delete(h.key);
    }
    unlink(h);
  }

  /** Whether a body of this size may be held at all (the same answer for every output). */
  function fits(size: number): boolean {
    return bounds.pendingMs > 0 && size > 0 && size <= perBytes && size <= totalBytes;
  }

  /** Appends an entry (fits() must be true), pushing out the oldest beyond the bounds, counted. */
  function hold(o: HeldOwner, h: Held): void {
    const size = h.body.length;
    while (o.heldHead && (o.heldBytes + size > perBytes || o.heldCount + 1 > perCount)) {
      dropOldest(o.heldHead);
      faults.heldEvicted++;
    }
    while (head && (bytes + size > totalBytes || count + 1 > totalCount)) {
      dropOldest(head);
      faults.heldEvicted++;
    }
    h.owner = o;
    h.gPrev = tail;
    if (tail) tail.gNext = h; else head = h;
    tail = h;
    h.ePrev = o.heldTail;
    if (o.heldTail) o.heldTail.eNext = h; else o.heldHead = h;
    o.heldTail = h;
    const chain = o.heldByKey.get(h.key);
    if (chain) { chain[1].tNext = h; chain[1] = h; }
    else o.heldByKey.set(h.key, [h, h]);
    o.heldBytes += size;
    o.heldCount++;
    bytes += size;
    count++;
  }

  /** Removes and returns (linked by tNext, oldest first) the owner's entries for a key, or null. */
  function take(o: HeldOwner, key: number): Held | null {
    const chain = o.heldByKey.get(key);
    if (!chain) return null;
    o.heldByKey.delete(key);
    for (let h: Held | null = chain[0]; h; h = h.tNext) unlink(h);
    return chain[0];
  }

  /**
   * Drops entries held longer than pendingMs at `nowMs`, counted in heldExpired; O(expired).
   * Arrival order is the caller's clock order; an out-of-order older entry waits for the front.
   */
  function expire(nowMs: number): void {
    while (head && nowMs - head.arrivalMs > bounds.pendingMs) {
      dropOldest(head);
      faults.heldExpired++;
    }
  }

  return {
    fits, hold, take, expire,
    get bytes(): number {
      return bytes;
    },
    get count(): number {
      return count;
    },
  };
}

export type HeldQueue = ReturnType<typeof createHeldQueue>;
