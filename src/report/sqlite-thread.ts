// Worker entry of src/report/sqlite-off-thread.ts: the SQLite report queries, run where a month of
// rows can take a second without holding the collector's event loop (bun:sqlite is synchronous).
import { XenoflowError } from "../errors.ts";
import type { ReportDb } from "./model.ts";
import { openSqliteReports } from "./sqlite.ts";

declare const self: Worker;

export type Method = "top" | "series" | "seriesKeys" | "names" | "alerts";
export interface Ask {
  id: number;
  path: string;
  method: Method;
  args: unknown[];
}
export type Answer = { id: number; result: unknown } | { id: number; error: { code: string; message: string } };

let db: ReportDb | null = null;

self.onmessage = async (ev: MessageEvent<Ask>) => {
  const { id, path, method, args } = ev.data;
  try {
    db ??= openSqliteReports(path);
    const fn = db[method] as (...a: unknown[]) => Promise<unknown>;
    self.postMessage({ id, result: await fn(...args) } satisfies Answer);
  } catch (e) {
    const code = e instanceof XenoflowError ? e.code : "E_INTERNAL";
    self.postMessage({ id, error: { code, message: (e as Error).message } } satisfies Answer);
  }
};
