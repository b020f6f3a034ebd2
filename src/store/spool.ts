// The write-ahead spool in front of the database (DESIGN.md section 5): `write()` appends the
// export to a segment file and returns at once, so a slow or absent database never stalls the
// receiver; one drainer writes the spooled exports to the inner sink strictly in order, deletes them
// only after the database committed, and retries with backoff while it is down.
//
// Exactly once: every export gets a seq, stored with it; the inner sink records the seq in
// xenoflow_exports in the same transaction as the rows and skips a seq it already has. So a crash
// between "committed" and "deleted from the spool" (or a lost commit acknowledgement) only replays
// exports the database then ignores. seq = max(last + 1, now in microseconds): monotonic across
// restarts even if the spool directory was wiped, as long as the clock does not jump back.
//
// Bounded: when unsent exports exceed maxBytes, whole segments are dropped OLDEST first; during a
// long outage the latest windows are what an operator looks at. Drops are counted and logged.
//
// Nothing else lets go of an export: a server that is down or refuses (store-error.ts) is retried
// with backoff for as long as it takes. An export failing on its own values (fault "data") a few
// times in a row is poison only if the same table then takes an empty write (connection, grants,
// layout all fine): it goes to the dead-letter file (dead-letter.ts) so later exports flow.
import { dirname, join } from "node:path";
import { appendDeadLetter } from "./dead-letter.ts";
import { columnsOf } from "./ddl.ts";
import type { Sink, WindowExport } from "./sink.ts";
import { type SpoolEntry, createSegmentFiles } from "./spool-files.ts";
import { createSpoolQueue } from "./spool-queue.ts";
import { encodeRecordSliced } from "./spool-record.ts";
import { type StoreFault, StoreError, faultOf } from "./store-error.ts";
import { ROWS_PER_TURN, betweenSlices, createSerial, nextTurn } from "./turn.ts";

export type SpoolEventKind = "spooled" | "written" | "write_error" | "refused" | "recovered" | "dropped" | "dead_letter" | "corrupt" | "spool_error";

/** Why exports are not being written right now, since the first failure after the last write. */
export interface StoreFailure {
  fault: StoreFault;
  /** The cause and its fix (StoreError.reason). */
  reason: string;
  sinceMs: number;
}

export interface SpoolStats {
  bytes: number; // unsent exports, as stored
  entries: number;
  written: number;
  droppedExports: number;
  droppedRows: number;
  deadLetterExports: number;
  writeErrors: number;
  lastError: string | null;
  failing: StoreFailure | null;
  lastLatencyMs: number; // spool append to database commit, of the last export written
}

export interface SpoolOptions {
  maxBytes: number;
  onEvent?: (kind: SpoolEventKind, detail: Record<string, string | number>) => void;
  minBackoffMs?: number;
  /** Backoff cap while the server is down. */
  maxBackoffMs?: number;
  /** Backoff cap while it refuses (an operator has to act; retrying faster would only add noise). */
  maxRefusedBackoffMs?: number;
  /** Default: dead-letter.jsonl beside the spool directory (in data_dir). */
  deadLetterFile?: string;
  /** A cause is logged again after this long. */
  repeatReasonMs?: number;
  fsyncIntervalMs?: number;
  /** Exports kept in memory for the drainer instead of re-read from disk. */
  cacheBytes?: number;
  /** Attempts for an export the database rejects as data before the spool probes its table. */
  permanentAttempts?: number;
}

export interface SpooledSink extends Sink {
  /** Waits until every spooled export is written; false when `timeoutMs` passed first. */
  drain(timeoutMs: number): Promise<boolean>;
  stats(): SpoolStats;
}

export function createSpooledSink(inner: Sink, dir: string, opts: SpoolOptions): SpooledSink {
  const maxBytes = opts.maxBytes;
  const minBackoff = opts.minBackoffMs ?? 200;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
  const maxRefusedBackoff = Math.max(maxBackoff, opts.maxRefusedBackoffMs ?? 30_000);
  const deadLetterFile = opts.deadLetterFile ?? join(dirname(dir), "dead-letter.jsonl");
  const repeatReasonMs = opts.repeatReasonMs ?? 60_000;
  const permanentAttempts = opts.permanentAttempts ?? 3;
  const onEvent = opts.onEvent;
  // A failing logger must not stop the drainer.
  const emit = (kind: SpoolEventKind, detail: Record<string, string | number>) => {
    try {
      onEvent?.(kind, detail);
    } catch {
      // ignored on purpose
    }
  };
  const files = createSegmentFiles(dir, Math.min(16 << 20, Math.max(64 << 10, Math.floor(maxBytes / 16))));
  const st: SpoolStats = { bytes: 0, entries: 0, written: 0, droppedExports: 0, droppedRows: 0, deadLetterExports: 0, writeErrors: 0, lastError: null, failing: null, lastLatencyMs: 0 };

  const queue = createSpoolQueue(files, opts.cacheBytes ?? 16 << 20);
  let lastSeq = 0;
  let inflight: SpoolEntry | null = null;
  let inflightGone = false; // its segment was dropped while the write was running
  // Appends run one at a time, in the order write() numbered them.
  const inOrder = createSerial();
  let appendsPending = 0;
  let dirty = false;
  let closing = false;
  // New exports wake an idle drainer; only close() cuts a backoff short, so an outage is not
  // hammered with a retry per export.
  let wakeIdle: (() => void) | null = null;
  let wakeSleep: (() => void) | null = null;
  const drainWaiters = new Set<() => void>();

  const recovered = files.recover();
  for (const t of recovered.truncated) emit("corrupt", { file: t.file, offset: t.offset, bytes: t.bytes });
  for (const e of recovered.entries) {
    queue.push(e);
    lastSeq = Math.max(lastSeq, e.seq);
  }

  const syncTimer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    try {
      files.sync();
    } catch (err) {
      emit("spool_error", { error: (err as Error).message });
    }
  }, opts.fsyncIntervalMs ?? 1000);
  syncTimer.unref?.();

  function counts(): Record<string, number> {
    return { spoolBytes: queue.bytes, spoolEntries: queue.length };
  }

  function settle(): void {
    if (queue.length === 0 && inflight === null && appendsPending === 0) for (const w of drainWaiters) w();
  }

  function lost(exports: number, rows: number, segment: string): void {
    st.droppedExports += exports;
    st.droppedRows += rows;
    emit("dropped", { exports, rows, segment, ...counts() });
  }

  function dropOldest(): boolean {
    const d = queue.dropOldest(inflight);
    if (!d) return false;
    if (d.tookInflight) inflightGone = true;
    lost(d.exports, d.rows, d.segment);
    settle();
    return true;
  }

  function acknowledge(e: SpoolEntry): void {
    queue.ack(e);
    settle();
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        wakeSleep = null;
        resolve();
      }, ms);
      wakeSleep = () => {
        clearTimeout(t);
        wakeSleep = null;
        resolve();
      };
    });

  let attempts = 0;
  let dataAttempts = 0; // consecutive "data" faults of the export in front
  let announced = { reason: "", atMs: 0 };

  /** Records the failure; one "refused" event per cause, repeated only after repeatReasonMs. */
  function failed(err: unknown, now: number): StoreFault {
    const fault = faultOf(err);
    const reason = err instanceof StoreError ? err.reason : (st.lastError ?? "unknown error");
    // A new cause means someone is at work on the database: answer their next step soon.
    if (fault !== "down" && reason !== st.failing?.reason) attempts = 1;
    st.failing = { fault, reason, sinceMs: st.failing?.sinceMs ?? now };
    if (fault !== "down" && (reason !== announced.reason || now - announced.atMs >= repeatReasonMs)) {
      announced = { reason, atMs: now };
      emit("refused", { reason, fault, ...counts() });
    }
    return fault;
  }

  /** Whether the export's table takes an empty write: then the failure is this export's values. */
  async function tableTakesWrites(exp: WindowExport): Promise<boolean> {
    const { mo, window, table, time, keys, values } = exp;
    try {
      await inner.write({ mo, window, table, time, keys, values, rows: [] });
      return true;
    } catch (err) {
      failed(err, Date.now());
      return false;
    }
  }

  /** Moves the export to the dead-letter file; false (and it stays) when that file cannot be written. */
  function deadLetter(e: SpoolEntry, exp: WindowExport, error: string): boolean {
    const reason = `the database refused this export's values ${dataAttempts} times while its table took other writes: ${error}`;
    try {
      appendDeadLetter(deadLetterFile, e.seq, reason, exp, Date.now());
    } catch (err) {
      emit("spool_error", { error: `cannot write ${deadLetterFile}: ${(err as Error).message}` });
      return false;
    }
    st.deadLetterExports++;
    emit("dead_letter", { seq: e.seq, rows: e.rows, table: exp.table, file: deadLetterFile, error });
    return true;
  }

  /** Writes the oldest spooled export, or waits for one. */
  async function step(): Promise<void> {
    // Not in the turn of the append that woke the drainer (together they held the loop too long),
    // and before taking the entry, which a full spool may drop meanwhile.
    await nextTurn();
    if (closing) return;
    const e = queue.peek();
    if (!e) {
      await new Promise<void>((resolve) => (wakeIdle = resolve));
      wakeIdle = null;
      return;
    }
    let exp: WindowExport;
    try {
      exp = e.exp ?? files.read(e);
    } catch (err) {
      emit("corrupt", { file: e.seg.name, offset: e.offset, error: (err as Error).message });
      lost(1, e.rows, e.seg.name);
      acknowledge(e);
      return;
    }
    inflight = e;
    inflightGone = false;
    try {
      await inner.write(exp, e.seq);
      inflight = null;
      st.written++;
      st.lastLatencyMs = Math.max(0, Date.now() - e.at);
      attempts = 0;
      dataAttempts = 0;
      if (st.failing) {
        emit("recovered", { afterS: Math.round((Date.now() - st.failing.sinceMs) / 1000), reason: st.failing.reason, ...counts() });
        st.failing = null;
        announced = { reason: "", atMs: 0 };
      }
      if (!inflightGone) acknowledge(e);
      else settle();
      emit("written", { seq: e.seq, rows: e.rows, latencyMs: st.lastLatencyMs, ...counts() });
    } catch (err) {
      inflight = null;
      attempts++;
      st.writeErrors++;
      st.lastError = err instanceof Error ? err.message : String(err);
      const fault = failed(err, Date.now());
      dataAttempts = fault === "data" ? dataAttempts + 1 : 0;
      emit("write_error", { seq: e.seq, attempts, fault, error: st.lastError, ...counts() });
      if (inflightGone) {
        lost(1, e.rows, e.seg.name);
        attempts = 0;
        dataAttempts = 0;
        settle();
      } else if (dataAttempts >= permanentAttempts && !closing && (await tableTakesWrites(exp)) && queue.peek() === e && deadLetter(e, exp, st.lastError)) {
        attempts = 0;
        dataAttempts = 0;
        st.failing = null;
        announced = { reason: "", atMs: 0 };
        acknowledge(e);
      } else if (!closing) {
        const cap = st.failing?.fault === "down" ? maxBackoff : maxRefusedBackoff;
        await sleep(Math.min(cap, minBackoff * 2 ** Math.min(attempts - 1, 20)));
      }
    }
  }

  async function drainer(): Promise<void> {
    while (!closing) {
      try {
        await step();
      } catch (err) {
        // The spool directory itself failed (unlink, read): keep going, the next pass retries.
        emit("spool_error", { error: (err as Error).message });
        await sleep(maxBackoff);
      }
    }
  }

  async function append(seq: number, exp: WindowExport): Promise<void> {
    let entry: SpoolEntry;
    try {
      const at = Date.now();
      const rec = await encodeRecordSliced(seq, at, exp, betweenSlices, ROWS_PER_TURN);
      while (queue.bytes + rec.length > maxBytes && dropOldest()) {}
      entry = files.append(seq, at, exp, rec);
    } catch (err) {
      emit("spool_error", { error: (err as Error).message });
      throw new StoreError(`cannot spool export of ${exp.table} in ${dir}: ${(err as Error).message}`, false, { cause: err });
    }
    dirty = true;
    queue.push(entry);
    emit("spooled", { seq, rows: entry.rows, ...counts() });
    wakeIdle?.();
  }

  const running = drainer();

  return {
    kind: inner.kind,
    // The spool numbers exports itself; a caller's seq would break the monotonic order.
    write(exp) {
      if (closing) return Promise.reject(new StoreError("spool is closed", false));
      try {
        columnsOf(exp, inner.kind); // a malformed export is a bug: refuse it now, not at replay
      } catch (err) {
        return Promise.reject(err);
      }
      // Numbered now, appended in this order: a big export is encoded over several turns.
      const seq = Math.max(lastSeq + 1, Date.now() * 1000);
      lastSeq = seq;
      appendsPending++;
      return inOrder(() => append(seq, exp)).finally(() => {
        appendsPending--;
        settle();
      });
    },
    // Names are not windows: written straight through, never spooled; the caller writes the
    // whole set again after a failure.
    writeNames(rows) {
      return inner.writeNames(rows);
    },
    // One finished alert: straight through like names; src/alert/history.ts keeps it until written.
    writeAlert(row) {
      return inner.writeAlert(row);
    },
    prune(tables, before) {
      return inner.prune(tables, before);
    },
    drain(timeoutMs) {
      if (queue.length === 0 && inflight === null && appendsPending === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = (ok: boolean) => {
          clearTimeout(timer);
          drainWaiters.delete(onEmpty);
          resolve(ok);
        };
        const onEmpty = () => done(true);
        const timer = setTimeout(() => done(false), timeoutMs);
        drainWaiters.add(onEmpty);
      });
    },
    stats: () => ({ ...st, bytes: queue.bytes, entries: queue.length }),
    async close() {
      closing = true;
      await inOrder(async () => {}); // what write() accepted is on disk before the files close
      wakeIdle?.();
      wakeSleep?.();
      await running;
      clearInterval(syncTimer);
      files.close();
      await inner.close();
    },
  };
}
