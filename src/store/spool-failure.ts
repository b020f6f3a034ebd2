// What the spool's drainer (spool.ts) knows about the failures of the export in front: its fault
// (store-error.ts), its attempts and the backoff before the next one, one "refused" event per
// cause (repeated only after repeatReasonMs), and poison: an export failing on its own values
// (fault "data") a few times in a row while the same table takes an empty write goes to the
// dead-letter file (dead-letter.ts) so later exports flow.
import { appendDeadLetter } from "./dead-letter.ts";
import type { Sink, WindowExport } from "./sink.ts";
import type { SpoolEventKind, SpoolStats } from "./spool-types.ts";
import type { SpoolEntry } from "./spool-files.ts";
import { type StoreFault, StoreError, faultOf } from "./store-error.ts";

export interface FailureOptions {
  minBackoffMs: number;
  maxBackoffMs: number;
  maxRefusedBackoffMs: number;
  deadLetterFile: string;
  repeatReasonMs: number;
  permanentAttempts: number;
}

export interface SpoolFailures {
  /** Attempts at the export in front since its last success. */
  readonly attempts: number;
  /** The export in front failed (st.lastError already says how); returns its fault. */
  writeFailed(err: unknown, now: number): StoreFault;
  /** The export in front was written: "recovered" when exports were failing. */
  written(now: number): void;
  /** The export in front is gone (dropped): the next one starts counting afresh. */
  nextExport(): void;
  /** Backoff before the next attempt: capped longer while the server refuses than while it is down. */
  backoffMs(): number;
  /** Whether the export in front failed on its values often enough to probe its table. */
  suspect(): boolean;
  /** Whether the export's table takes an empty write: then the failure is this export's values. */
  tableTakesWrites(exp: WindowExport): Promise<boolean>;
  /** Moves the export to the dead-letter file; false (and it stays) when that file cannot be written. */
  deadLetter(e: SpoolEntry, exp: WindowExport, error: string): boolean;
}

export function createSpoolFailures(inner: Sink, st: SpoolStats, opts: FailureOptions, emit: (kind: SpoolEventKind, detail: Record<string, string | number>) => void, counts: () => Record<string, number>): SpoolFailures {
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
    if (fault !== "down" && (reason !== announced.reason || now - announced.atMs >= opts.repeatReasonMs)) {
      announced = { reason, atMs: now };
      emit("refused", { reason, fault, ...counts() });
    }
    return fault;
  }

  function nextExport(): void {
    attempts = 0;
    dataAttempts = 0;
  }

  function clear(): void {
    st.failing = null;
    announced = { reason: "", atMs: 0 };
  }

  return {
    get attempts() {
      return attempts;
    },
    writeFailed(err, now) {
      attempts++;
      const fault = failed(err, now);
      dataAttempts = fault === "data" ? dataAttempts + 1 : 0;
      return fault;
    },
    written(now) {
      nextExport();
      if (st.failing) {
        emit("recovered", { afterS: Math.round((now - st.failing.sinceMs) / 1000), reason: st.failing.reason, ...counts() });
        clear();
      }
    },
    nextExport,
    backoffMs() {
      const cap = st.failing?.fault === "down" ? opts.maxBackoffMs : opts.maxRefusedBackoffMs;
      return Math.min(cap, opts.minBackoffMs * 2 ** Math.min(attempts - 1, 20));
    },
    suspect: () => dataAttempts >= opts.permanentAttempts,
    async tableTakesWrites(exp) {
      const { mo, window, table, time, keys, values } = exp;
      try {
        await inner.write({ mo, window, table, time, keys, values, rows: [] });
        return true;
      } catch (err) {
        failed(err, Date.now());
        return false;
      }
    },
    deadLetter(e, exp, error) {
      const reason = `the database refused this export's values ${dataAttempts} times while its table took other writes: ${error}`;
      try {
        appendDeadLetter(opts.deadLetterFile, e.seq, reason, exp, Date.now());
      } catch (err) {
        emit("spool_error", { error: `cannot write ${opts.deadLetterFile}: ${(err as Error).message}` });
        return false;
      }
      st.deadLetterExports++;
      emit("dead_letter", { seq: e.seq, rows: e.rows, table: exp.table, file: opts.deadLetterFile, error });
      nextExport();
      clear();
      return true;
    },
  };
}
