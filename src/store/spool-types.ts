// The spool's contract (spool.ts): its options, its stats for /health and the dashboard, and the
// events its log lines come from (spool-log.ts).
import type { Sink } from "./sink.ts";
import type { StoreFault } from "./store-error.ts";

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
