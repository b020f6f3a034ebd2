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
// layout all fine): it goes to the dead-letter file so later exports flow (spool-failure.ts).
import { dirname, join } from "node:path";
import { columnsOf } from "./ddl.ts";
import type { Sink, WindowExport } from "./sink.ts";
import { createSpoolFailures } from "./spool-failure.ts";
import { type SpoolEntry, createSegmentFiles } from "./spool-files.ts";
import { createSpoolQueue } from "./spool-queue.ts";
import { encodeRecordSliced } from "./spool-record.ts";
import type { SpoolEventKind, SpoolOptions, SpoolStats, SpooledSink } from "./spool-types.ts";
import { StoreError } from "./store-error.ts";
import { ROWS_PER_TURN, betweenSlices, createSerial, nextTurn } from "./turn.ts";

export function createSpooledSink(inner: Sink, dir: string, opts: SpoolOptions): SpooledSink {
  const maxBytes = opts.maxBytes;
  const maxBackoff = opts.maxBackoffMs ?? 10_000;
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

  const failures = createSpoolFailures(
    inner,
    st,
    {
      minBackoffMs: opts.minBackoffMs ?? 200,
      maxBackoffMs: maxBackoff,
      maxRefusedBackoffMs: Math.max(maxBackoff, opts.maxRefusedBackoffMs ?? 30_000),
      deadLetterFile: opts.deadLetterFile ?? join(dirname(dir), "dead-letter.jsonl"),
      repeatReasonMs: opts.repeatReasonMs ?? 60_000,
      permanentAttempts: opts.permanentAttempts ?? 3,
    },
    emit,
    counts,
  );

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
      failures.written(Date.now());
      if (!inflightGone) acknowledge(e);
      else settle();
      emit("written", { seq: e.seq, rows: e.rows, latencyMs: st.lastLatencyMs, ...counts() });
    } catch (err) {
      inflight = null;
      st.writeErrors++;
      const error = err instanceof Error ? err.message : String(err);
      st.lastError = error;
      const fault = failures.writeFailed(err, Date.now());
      emit("write_error", { seq: e.seq, attempts: failures.attempts, fault, error, ...counts() });
      if (inflightGone) {
        lost(1, e.rows, e.seg.name);
        failures.nextExport();
        settle();
      } else if (failures.suspect() && !closing && (await failures.tableTakesWrites(exp)) && queue.peek() === e && failures.deadLetter(e, exp, error)) {
        acknowledge(e);
      } else if (!closing) {
        await sleep(failures.backoffMs());
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
