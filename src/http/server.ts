// The HTTP side of the appliance ([http] listen): /metrics for Prometheus, /healthz, the JSON API
// and the live dashboard at /. Handlers read the collector's counters when asked; the only
// timers sample the 15-minute chart history and the store's health every few seconds.
import type { Server } from "bun";
import type { ListenAddress } from "../config/types.ts";
import { ConfigError } from "../errors.ts";
import { PROTOCOL_NAMES } from "../filter/names.ts";
import type { Logger } from "../log.ts";
import { formatListen, isLoopback } from "../net/listen.ts";
import { VERSION } from "../version.ts";
import { type ApiContext, alerts, exporters, summary, topAll, topOf } from "./api.ts";
import { createAuthorizer, unauthorized } from "./auth.ts";
import page from "./dashboard.html" with { type: "text" };
import explorePage from "./explore.html" with { type: "text" };
import common from "./page-common.txt" with { type: "text" };
import { CONTENT_TYPE } from "./exposition.ts";
import { createHealth } from "./health.ts";
import { createHistory } from "./history.ts";
import { createBusiestInterfaces } from "./interfaces.ts";
import { readKernelDrops } from "./kernel-drops.ts";
import { startLoopLag } from "./loop-lag.ts";
import { renderMetrics } from "./metrics.ts";
import { type ReportSource, createReportApi } from "./report-api.ts";
import type { CollectorView } from "./sources.ts";

export interface HttpOptions {
  listen: ListenAddress;
  token: string | null;
  /** The config file, for the error when the address cannot be bound. */
  configFile: string;
  log: Logger;
  /** Chart sample interval; 5 s gives 15 minutes in 180 points. */
  sampleEveryMs?: number;
  /** The store to report from (/api/report/*, alert history); without it those answer 404. */
  reports?: ReportSource;
}

export interface HttpServer {
  readonly url: string;
  stop(): Promise<void>;
}

const HISTORY_POINTS = 180;
const TOP_ROWS = 10;
const MAX_TOP_ROWS = 1000;
const BUSIEST_PER_AGENT = 5; // interfaces per sFlow agent on the dashboard
// The page may talk only to this server: no CDN, no font, no tracker can load even by mistake.
const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const withCommon = (html: unknown): string => (html as string).replace("/*COMMON_JS*/", common as unknown as string);
const DASHBOARD = withCommon(page).replace("/*PROTOCOL_NAMES*/{}", JSON.stringify(Object.fromEntries(PROTOCOL_NAMES)));
const EXPLORE = withCommon(explorePage);
const PAGE_HEADERS = { "content-type": "text/html; charset=utf-8", "content-security-policy": CSP, "cache-control": "no-store", "x-content-type-options": "nosniff" };

export function startHttpServer(c: CollectorView, o: HttpOptions): HttpServer {
  const startMs = Date.now();
  const every = o.sampleEveryMs ?? 5000;
  const history = createHistory(HISTORY_POINTS, every);
  const health = createHealth(c.config.storage.spoolMax);
  const lag = startLoopLag();
  const busiest = createBusiestInterfaces();
  const authorize = createAuthorizer(o.token);
  const sample = () => {
    const now = Date.now();
    history.sample(c.monitor.counters, now);
    health.observe(c.sink.stats(), now);
  };
  sample();
  const sampler = setInterval(sample, every);
  sampler.unref?.();

  const sockets = () => readKernelDrops(c.receiver.bound.map((b) => b.port));
  const healthNow = (now: number) => {
    health.observe(c.sink.stats(), now);
    return health.check(now);
  };
  const context = (now: number): ApiContext => ({ c, history, health: healthNow(now), sockets: sockets(), startMs, nowMs: now, version: VERSION });

  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

  const reports = o.reports ? createReportApi(o.reports) : null;
  const noStore = () => json({ error: "this server has no store to report from" }, 404);

  const route = async (url: URL): Promise<Response> => {
    const now = Date.now();
    switch (url.pathname) {
      case "/":
        return new Response(DASHBOARD, { headers: PAGE_HEADERS });
      case "/explore":
        return new Response(EXPLORE, { headers: PAGE_HEADERS });
      case "/healthz": {
        const h = healthNow(now);
        return json({ status: h.ok ? "ok" : "unhealthy", uptimeSeconds: (now - startMs) / 1000, problems: h.problems }, h.ok ? 200 : 503);
      }
      case "/metrics": {
        const cpu = process.cpuUsage();
        const text = renderMetrics(c, sockets(), {
          version: VERSION,
          uptimeSeconds: (now - startMs) / 1000,
          cpuUserSeconds: cpu.user / 1e6,
          cpuSystemSeconds: cpu.system / 1e6,
          rssBytes: process.memoryUsage().rss,
          loopLagSeconds: lag.takeMaxSeconds(),
          healthy: healthNow(now).ok,
        });
        return new Response(text, { headers: { "content-type": CONTENT_TYPE, "cache-control": "no-store" } });
      }
      case "/api/summary":
        return json(summary(context(now)));
      case "/api/series":
        return json(history.series());
      case "/api/top": {
        const n = Math.min(MAX_TOP_ROWS, Math.max(1, Number(url.searchParams.get("n") ?? TOP_ROWS) || TOP_ROWS));
        const path = url.searchParams.get("window");
        if (path === null) return json(topAll(c, n));
        const t = topOf(c, path, n);
        return t ? json(t) : json({ error: `no window "${path}"; expected mo/window` }, 404);
      }
      case "/api/alerts":
        return json({ ...alerts(c, now), ...(reports ? await reports.history(url, now) : {}) });
      case "/api/report/windows":
        return reports ? reports.windows() : noStore();
      case "/api/report/top":
        return reports ? reports.top(url) : noStore();
      case "/api/report/series":
        return reports ? reports.series(url) : noStore();
      case "/api/exporters":
        return json(exporters(c, now));
      case "/api/interfaces":
        return json({ agents: busiest(c.decoder.sflowAgents, BUSIEST_PER_AGENT) });
      default:
        return new Response("404 not found\n", { status: 404, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
  };

  let server: Server<undefined>;
  try {
    server = Bun.serve({
      hostname: o.listen.host,
      port: o.listen.port,
      development: false,
      async fetch(req) {
        if (!authorize(req.headers.get("authorization"))) return unauthorized();
        if (req.method !== "GET" && req.method !== "HEAD") return new Response("405 method not allowed\n", { status: 405, headers: { allow: "GET, HEAD" } });
        try {
          return await route(new URL(req.url));
        } catch (e) {
          o.log.error(`http: ${req.method} ${new URL(req.url).pathname}: ${(e as Error).message}`, "http-error");
          return new Response("500 internal error\n", { status: 500 });
        }
      },
      error(e) {
        o.log.error(`http: ${e.message}`, "http-error");
        return new Response("500 internal error\n", { status: 500 });
      },
    });
  } catch (e) {
    clearInterval(sampler);
    lag.stop();
    const message = (e as Error).message;
    const hint = /in use|EADDRINUSE/i.test(message) ? ` (see which program: ss -ltnp 'sport = :${o.listen.port}')` : "";
    throw new ConfigError([{ file: o.configFile, path: "http.listen", message: `cannot listen on ${formatListen(o.listen)}: ${message}${hint}` }]);
  }
  const url = `http://${formatListen({ host: o.listen.host, port: server.port ?? o.listen.port })}/`;
  o.log.info(`http on ${url}${o.token !== null ? " (token required)" : isLoopback(o.listen.host) ? "" : " (no token: reachable from other machines)"}`);
  return {
    url,
    async stop() {
      clearInterval(sampler);
      lag.stop();
      await server.stop(true);
      await reports?.close();
    },
  };
}
