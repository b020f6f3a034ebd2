// Writes every ended alert to the store's `xenoflow_alerts` (DESIGN.md section 5), so the console
// and SQL can list incidents after the fact. A row the store refused is kept and written before
// the next one, in order, once the store answers again; the queue is bounded so an outage that
// lasts days costs memory in proportion to the cap, not the incidents.
import type { AlertRow } from "../store/alerts.ts";
import type { Sink } from "../store/sink.ts";
import type { AlertState } from "./event.ts";
import type { LogFn } from "./scripts.ts";

const MAX_PENDING = 10_000;
const RETRY_MS = 5000;

export interface AlertHistory {
  /** The engine's onEnd: queues the row and writes what is queued. */
  ended(a: AlertState, endedMs: number): void;
  readonly pending: number;
  /** Resolves when nothing is being written (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

export function alertRow(a: AlertState, endedMs: number, collector: string): AlertRow {
  return {
    started: a.startMs / 1000,
    ended: endedMs / 1000,
    collector,
    mo: a.mo,
    mavg: a.mavg,
    limit: a.limit,
    direction: a.direction,
    key: JSON.stringify(Object.fromEntries(a.keyFields.map((f, i) => [f, a.key[i] ?? ""]))),
    metric: a.metric,
    peak: a.peak,
    threshold: a.threshold,
  };
}

export function createAlertHistory(sink: Pick<Sink, "writeAlert">, collector: string, log: LogFn): AlertHistory {
  const queue: AlertRow[] = [];
  let running: Promise<void> | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;
  let failing = false;

  const drain = async () => {
    while (queue.length > 0) {
      try {
        await sink.writeAlert(queue[0]!);
      } catch (e) {
        if (!failing) log("warn", `alert history: ${(e as Error).message}; ${queue.length} alert(s) kept, retrying every ${RETRY_MS / 1000}s`);
        failing = true;
        retry ??= setTimeout(() => {
          retry = null;
          flush();
        }, RETRY_MS);
        retry.unref?.();
        return;
      }
      queue.shift();
      failing = false;
    }
  };
  const flush = () => {
    running ??= drain().finally(() => {
      running = null;
    });
  };

  return {
    ended(a, endedMs) {
      if (queue.length >= MAX_PENDING) {
        queue.shift();
        log("warn", `alert history: more than ${MAX_PENDING} alerts not written; dropping the oldest`);
      }
      queue.push(alertRow(a, endedMs, collector));
      flush();
    },
    get pending() {
      return queue.length;
    },
    idle: async () => {
      while (running) await running;
    },
    stop() {
      if (retry) clearTimeout(retry);
      retry = null;
    },
  };
}
