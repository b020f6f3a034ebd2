// SQLite reports for the HTTP API, in a worker thread: bun:sqlite answers synchronously, and a
// query over a month of windows (about a second per million rows, docs/PERFORMANCE.md) must not
// stop the thread that receives flows. A query still running after `timeoutMs` ends the worker
// (SQLite's own interrupt is not exposed by bun:sqlite), answers E_STORE, and the next query
// starts a fresh one: the statement timeout PostgreSQL has on its own.
import { type ErrorCode, XenoflowError } from "../errors.ts";
import { workerPath } from "../workers/path.ts";
import type { ReportDb } from "./model.ts";
import type { Answer, Method } from "./sqlite-thread.ts";

export function openSqliteReportsOffThread(path: string, timeoutMs: number): ReportDb {
  let worker: Worker | null = null;
  let next = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: ReturnType<typeof setTimeout> }>();

  const stop = (why: Error) => {
    worker?.terminate();
    worker = null;
    for (const w of waiting.values()) {
      clearTimeout(w.timer);
      w.reject(why);
    }
    waiting.clear();
  };

  const start = (): Worker => {
    const w = new Worker(workerPath("report/sqlite-thread.ts"));
    w.onmessage = (ev: MessageEvent<Answer>) => {
      const m = ev.data;
      const p = waiting.get(m.id);
      if (!p) return;
      waiting.delete(m.id);
      clearTimeout(p.timer);
      if ("error" in m) p.reject(new XenoflowError(m.error.code as ErrorCode, m.error.message));
      else p.resolve(m.result);
    };
    w.onerror = (e) => stop(new XenoflowError("E_STORE", `SQLite report thread failed: ${e.message}`));
    return w;
  };

  const ask = <T>(method: Method, ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => {
      worker ??= start();
      const id = ++next;
      const timer = setTimeout(() => stop(new XenoflowError("E_STORE", `SQLite query cancelled after ${timeoutMs / 1000} s: narrow the range or the window`)), timeoutMs);
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      worker.postMessage({ id, path, method, args });
    });

  return {
    kind: "sqlite",
    top: (q) => ask("top", q),
    series: (q) => ask("series", q),
    seriesKeys: (q, keys) => ask("seriesKeys", q, keys),
    names: () => ask("names"),
    alerts: (range, limit) => ask("alerts", range, limit),
    async close() {
      stop(new XenoflowError("E_STORE", "SQLite reports closed"));
    },
  };
}
