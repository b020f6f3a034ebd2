// /api/report/* and the alert history over a real SQLite store written through the project's sink:
// the same text as `xenoflow report ... --json`, the token off loopback, and the per-query bounds.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Config } from "../../src/config/types.ts";
import { type HttpServer, startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/log.ts";
import { openReports } from "../../src/report/open.ts";
import { reportSeries, reportTop } from "../../src/report/run.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { tree } from "../config/tmp.ts";
import { ALERTS, NAMES, T0, loadFixtureConfig, writeData } from "../report/fixture.ts";
import { freeTcpPort } from "./support.ts";
import { view } from "./view.ts";

const TOKEN = "s3cret-token";
let config: Config;
let server: HttpServer;
let path: string;
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  config = loadFixtureConfig();
  path = join(tree({}), "x.sqlite");
  const sink = createSqliteSink(path);
  await writeData(config, sink);
  await sink.writeNames(NAMES);
  for (const a of ALERTS) await sink.writeAlert(a);
  await sink.close();
  const storage = { ...config.storage, kind: "sqlite" as const, url: `sqlite:${path}` };
  const log = createLogger({ write: () => {}, isTTY: false, journal: true });
  const v = view({ droppedExports: 0 });
  server = startHttpServer({ ...v, alerts: { counters: v.alerts.counters, active: () => [] } }, {
    listen: { host: "127.0.0.1", port: await freeTcpPort() },
    token: TOKEN,
    configFile: "/x.toml",
    log,
    reports: { config: () => config, open: () => openReports(storage) },
  });
});

afterAll(async () => {
  await server?.stop();
});

const get = (q: string, headers: Record<string, string> = auth) => fetch(`${server.url}${q}`, { headers });
const range = `from=${T0}&to=${T0 + 180}`;

describe("/api/report", () => {
  test("top answers what `report top --json` prints, only with the token", async () => {
    expect((await get(`api/report/top?mo=all&window=proto&by=bits&n=2&${range}`, {})).status).toBe(401);
    const r = await get(`api/report/top?mo=all&window=proto&by=bits&n=2&${range}`);
    expect(r.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const db = openReports({ ...config.storage, url: `sqlite:${path}` });
    const want = await reportTop(config, db, { mo: "all", window: "proto", by: "bits", n: "2", from: String(T0), to: String(T0 + 180), json: true }, 0);
    expect(await r.text()).toBe(want);
    const series = await get(`api/report/series?mo=all&window=talkers&value=octets&top=2&every=1m&${range}`);
    expect(await series.text()).toBe(
      await reportSeries(config, db, { mo: "all", window: "talkers", value: "octets", top: "2", every: "1m", from: String(T0), to: String(T0 + 180), json: true }, 0),
    );
    await db.close();
  });

  test("bounds: range, rows, buckets; user errors are 400 with one message", async () => {
    const cases: Array<[string, number, string]> = [
      ["top?mo=all&window=proto&last=32d", 400, "range of 2764800s: at most 2678400s (31 days) per query"],
      ["top?mo=all&window=proto&last=1h&n=5000", 400, "-n 5000: at most 1000 rows per query"],
      ["series?mo=all&window=proto&value=bits&last=30d&every=1m", 400, "every 60s gives 43200 buckets over this range; at most 2000: give a longer every"],
      ["top?mo=nope&window=proto", 400, 'unknown monitoring object "nope"; the config has: all, lan'],
      ["top?mo=all&window=proto&last=1h&collector=a%20b", 400, '--collector "a b": not a collector name (letters, digits, ".", "_" and "-")'],
    ];
    for (const [q, status, error] of cases) {
      const r = await get(`api/report/${q}`);
      expect([r.status, await r.json()]).toEqual([status, { error }]);
    }
  });

  test("/api/alerts lists active alerts and the history over the range", async () => {
    const r = (await (await get(`api/alerts?${range}`)).json()) as { alerts: unknown[]; history: Record<string, unknown>[] };
    expect(r.alerts).toHaveLength(0);
    expect(r.history.map((h) => [h.limit, h.direction, h.key, h.peak, h.start, h.end, h.seconds])).toEqual([
      ["quiet", "below", { dst_port: "53" }, 0.5, "2023-11-14T22:16:00.000Z", "2023-11-14T22:16:30.000Z", 30],
      ["flood", "exceed", { dst_host: "10.0.0.1" }, 1.5e9, "2023-11-14T22:14:00.250Z", "2023-11-14T22:15:35.500Z", 95.25],
    ]);
    // Without a range only the active alerts: the live page's poll never waits for the store.
    expect(await (await get("api/alerts")).json()).toEqual({ alerts: [] });
    expect(await (await get("api/alerts?last=soon")).json()).toEqual({
      alerts: [],
      history: [],
      historyError: '--last "soon": expected a duration of whole seconds like 30s, 5m, 1h, 30d',
    });
  });
});
