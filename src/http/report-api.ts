// The console's JSON over the store (DESIGN.md section 8): /api/report/top and /api/report/series
// answer exactly what `xenoflow report ... --json` prints (the same functions in src/report), and
// /api/alerts adds the history from `xenoflow_alerts`. Every query is bounded, so that a careless
// URL cannot stall the collector that serves it: a range of at most 31 days, at most 1000 rows and
// 2000 buckets, statements cancelled after 5 s (SQLite's in a worker thread), one at a time with
// at most 8 waiting. The reader opens on first use and again after a failure (an SQLite file the
// collector has not created yet, a database restarting).
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { ReportDb } from "../report/model.ts";
import type { AlertRow } from "../store/alerts.ts";
import { type ReportBounds, reportSeries, reportTop } from "../report/run.ts";
import { resolveTarget } from "../report/target.ts";
import { resolveRange } from "../report/time.ts";

export const BOUNDS: ReportBounds = { maxRangeSeconds: 31 * 86400, maxRows: 1000, maxBuckets: 2000 };
const MAX_ALERTS = 1000;
/** Queries waiting their turn; more are refused (503) rather than queued without end. */
const MAX_WAITING = 8;

export interface ReportSource {
  config(): Config;
  open(): ReportDb;
}

export interface ReportApi {
  top(url: URL): Promise<Response>;
  series(url: URL): Promise<Response>;
  /** What can be asked: every window with its length, key columns and values. */
  windows(): Response;
  /**
   * With ?last= or ?from=&to=: {history: rows of xenoflow_alerts in the range}, or {history: [],
   * historyError} when the store cannot answer. Without them nothing, so the live page's poll of
   * the active alerts never waits behind a console query.
   */
  history(url: URL, nowMs: number): Promise<{ history?: unknown[]; historyError?: string }>;
  close(): Promise<void>;
}

const param = (url: URL, name: string): string | undefined => url.searchParams.get(name) ?? undefined;

export function jsonResponse(body: string, status = 200): Response {
  return new Response(body, { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });
}

export function createReportApi(src: ReportSource): ReportApi {
  let db: ReportDb | null = null;
  // One query at a time: a console opening several panels waits in line instead of stacking scans.
  let line: Promise<unknown> = Promise.resolve();
  let waiting = 0;

  const run = async <T>(q: (db: ReportDb) => Promise<T>): Promise<T> => {
    if (waiting >= MAX_WAITING) throw new XenoflowError("E_STORE", `${waiting} report queries are waiting already; try again shortly`);
    waiting++;
    const next = line.then(async () => {
      db ??= src.open();
      try {
        return await q(db);
      } catch (e) {
        if (e instanceof XenoflowError && e.code === "E_STORE") {
          const old = db;
          db = null;
          await old.close().catch(() => {});
        }
        throw e;
      }
    });
    line = next.catch(() => {});
    return next.finally(() => {
      waiting--;
    });
  };

  const answer = async (text: () => Promise<string>): Promise<Response> => {
    try {
      return jsonResponse(await text());
    } catch (e) {
      if (!(e instanceof XenoflowError)) throw e;
      const status = e.code === "E_USAGE" ? 400 : e.code === "E_STORE" ? 503 : 500;
      return jsonResponse(JSON.stringify({ error: e.message }), status);
    }
  };
  const now = () => Math.floor(Date.now() / 1000);
  const common = (url: URL) => ({ mo: param(url, "mo") ?? "", window: param(url, "window") ?? "", last: param(url, "last"), from: param(url, "from"), to: param(url, "to"), where: param(url, "where"), collector: param(url, "collector"), json: true });

  return {
    windows() {
      const windows = src.config().mos.flatMap((m) =>
        m.windows.map((w) => {
          const t = resolveTarget(src.config(), m.name, w.name);
          return { mo: m.name, window: w.name, every: w.every, keys: t.keys.map((k) => k.name), values: w.values, extended: w.extended };
        }),
      );
      return jsonResponse(JSON.stringify({ windows }));
    },
    top: (url) => answer(() => run((d) => reportTop(src.config(), d, { ...common(url), by: param(url, "by"), n: param(url, "n") }, now(), BOUNDS))),
    series: (url) =>
      answer(() => run((d) => reportSeries(src.config(), d, { ...common(url), value: param(url, "value") ?? "", every: param(url, "every"), top: param(url, "top") }, now(), BOUNDS))),
    async history(url, nowMs) {
      const args = { last: param(url, "last"), from: param(url, "from"), to: param(url, "to") };
      if (args.last === undefined && args.from === undefined) return {};
      let rows: AlertRow[];
      try {
        const range = resolveRange(args, Math.floor(nowMs / 1000) + 1);
        rows = await run((d) => d.alerts(range, MAX_ALERTS));
      } catch (e) {
        if (!(e instanceof XenoflowError)) throw e;
        return { history: [], historyError: e.message };
      }
      const config = src.config();
      const history = rows.map((r) => {
        const limit = config.mos.find((m) => m.name === r.mo)?.mavgs.find((a) => a.name === r.mavg)?.limits.find((l) => l.name === r.limit);
        return {
          ...r,
          key: JSON.parse(r.key) as unknown,
          start: new Date(r.started * 1000).toISOString(),
          end: new Date(r.ended * 1000).toISOString(),
          seconds: r.ended - r.started,
          enable: limit?.enable ?? [],
        };
      });
      return { history };
    },
    async close() {
      await line;
      await db?.close();
      db = null;
    },
  };
}
