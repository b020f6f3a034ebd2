// Issue 25, done when: three `xenoflow run` collectors (pop1..pop3), each fed over UDP by its own
// real exporter's capture (softflowd NetFlow v9, pmacctd IPFIX, nfdump's nfreplay NetFlow v5, each
// 40 flows and 106719 octets a loop), write 2 s windows into one PostgreSQL database (a throwaway
// cluster) that is stopped for 60 s while the traffic flows. After the restart and the spools'
// drain, every collector's flows and octets are in each table exactly once: sums equal what was
// sent, one bookkeeping row per window, no window written twice. /healthz stays 200 through the
// outage: a server that is merely unreachable has a grace period (src/http/health.ts,
// STORE_GRACE_MS = 5 min) that a one-minute restart is well inside. LONG: about 80 s.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import postgres from "postgres";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort, scrape } from "../http/support.ts";
import { type Cluster, createCluster } from "../store/pg-cluster.ts";
import { STORE_GRACE_MS } from "../../src/http/health.ts";

const OUTAGE_MS = 60_000;
const FIXTURES = join(import.meta.dir, "../fixtures/exporters");
// A capture loop every 200 ms (--pps = its datagrams x 5) for 76 s: the traffic starts before the
// outage (about 4 s in), runs through it and ends some 10 s after the restart.
const LOOPS = 380;
const PER_LOOP = { flows: 40, octets: 106719 };
const POPS = [
  { name: "pop1", capture: "softflowd-v9.pcap", pps: 10 },
  { name: "pop2", capture: "pmacct-v10.pcap", pps: 30 },
  { name: "pop3", capture: "nfreplay-v5.pcap", pps: 10 },
];
const TABLES = ["all_proto", "all_hosts"];

const MO = `
[[mo]]
name = "all"
  [[mo.window]]
  name = "proto"
  every = "2s"
  key = ["proto"]
  values = ["flows", "octets"]
  [[mo.window]]
  name = "hosts"
  every = "2s"
  key = ["src host"]
  values = ["flows", "octets"]
`;

interface Pop {
  name: string;
  c: RunningCollector;
  base: string;
  replay: ReturnType<typeof Bun.spawn> | null;
}

let cluster: Cluster | null = null;
const pops: Pop[] = [];

beforeAll(async () => {
  cluster = await createCluster();
}, 60_000);

afterAll(() => {
  for (const p of pops) {
    p.replay?.kill("SIGKILL");
    p.c.cleanup();
  }
  cluster?.destroy();
});

const metric = async (base: string, name: string) => (await scrape(base)).samples.get(name) ?? Number.NaN;

async function waitMetric(base: string, name: string, ok: (v: number) => boolean, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await metric(base, name);
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${base}: ${name} = ${v} after ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}

test(
  "three collectors, their own exporters, one PostgreSQL stopped for 60 s: every flow stored exactly once",
  async () => {
    const pg = cluster!;
    expect(OUTAGE_MS).toBeLessThan(STORE_GRACE_MS); // else /healthz going 503 would be right
    for (const { name } of POPS) {
      const http = await freeTcpPort();
      const c = await startCollector(MO, { collector: `name = "${name}"`, storage: pg.url, http: `listen = "127.0.0.1:${http}"` });
      pops.push({ name, c, base: `http://127.0.0.1:${http}/`, replay: null });
      await c.waitForLog(/http on /);
    }
    POPS.forEach(({ capture, pps }, i) => {
      const p = pops[i]!;
      p.replay = Bun.spawn([BUN, MAIN, "replay", join(FIXTURES, capture), "--to", `127.0.0.1:${p.c.port}`, "--pps", String(pps), "--loop", String(LOOPS)], {
        stdout: "pipe",
        stderr: "pipe",
      });
    });
    const replaysDone = Promise.all(pops.map((p) => p.replay!.exited));
    let replaying = true;
    void replaysDone.then(() => (replaying = false));

    // Each collector has written windows before the server goes away.
    await Promise.all(pops.map((p) => waitMetric(p.base, "xenoflow_windows_exported_total", (v) => v >= 2, 20_000)));
    pg.stop();
    const outageStart = Date.now();
    const health: number[] = [];
    while (Date.now() - outageStart < OUTAGE_MS) {
      for (const p of pops) health.push((await fetch(new URL("healthz", p.base))).status);
      await Bun.sleep(2000);
    }
    const during = await Promise.all(
      pops.map(async (p) => {
        const s = (await scrape(p.base)).samples;
        return { entries: s.get("xenoflow_spool_entries") ?? 0, failed: (s.get("xenoflow_store_write_errors_total") ?? 0) > 0 };
      }),
    );
    const trafficThroughOutage = replaying;
    pg.start();
    const outageSeconds = (Date.now() - outageStart) / 1000;

    expect(await replaysDone).toEqual([0, 0, 0]);
    const sentLines = await Promise.all(pops.map(async (p) => (await new Response(p.replay!.stdout as ReadableStream).text()).trim()));
    await Promise.all(pops.map((p) => waitMetric(p.base, "xenoflow_spool_entries", (v) => v === 0, 60_000)));
    await Bun.sleep(1500); // the last datagrams reach the open windows
    const exported = await Promise.all(pops.map((p) => metric(p.base, "xenoflow_windows_exported_total")));
    expect(await Promise.all(pops.map((p) => p.c.stop()))).toEqual([0, 0, 0]);

    // Traffic flowed through the whole outage; the spools held it (about one export a second of
    // outage per collector: two tables, a window every 2 s); /healthz said ok throughout.
    expect(trafficThroughOutage).toBe(true);
    for (const d of during) expect(d.failed).toBe(true);
    for (const d of during) expect(d.entries).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 10);
    expect(health.length).toBeGreaterThanOrEqual(3 * 10);
    expect(health.filter((s) => s !== 200)).toEqual([]);
    for (const line of sentLines) expect(line).toMatch(/^sent \d+ datagrams/);
    for (const p of pops) expect(p.c.logs.filter((l) => /store: (dropped|rejected)|dead.letter/.test(l))).toEqual([]);

    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const want = { flows: LOOPS * PER_LOOP.flows, octets: LOOPS * PER_LOOP.octets };
      for (const tbl of TABLES) {
        const sums = await sql`SELECT collector, sum(flows)::bigint::text AS flows, sum(octets)::bigint::text AS octets,
          count(DISTINCT "time")::int AS windows FROM ${sql(tbl)} GROUP BY collector ORDER BY collector`;
        expect(sums.map((r) => [r.collector, Number(r.flows), Number(r.octets)])).toEqual(pops.map((p) => [p.name, want.flows, want.octets]));
        const [total] = await sql`SELECT sum(flows)::bigint::text AS flows, sum(octets)::bigint::text AS octets FROM ${sql(tbl)}`;
        expect([Number(total!.flows), Number(total!.octets)]).toEqual([3 * want.flows, 3 * want.octets]);
        // One bookkeeping row per window of each collector, none twice.
        const book = await sql`SELECT collector, count(*)::int AS n, count(DISTINCT "time")::int AS times FROM xenoflow_exports
          WHERE tbl = ${tbl} GROUP BY collector ORDER BY collector`;
        expect(book.map((b) => [b.collector, b.n, b.times])).toEqual(sums.map((r) => [r.collector, r.windows, r.windows]));
      }
      // A window written twice would repeat its (collector, time, key) rows.
      const twice = await sql`SELECT collector, "time", proto::text FROM all_proto GROUP BY 1, 2, 3 HAVING count(*) > 1
        UNION ALL SELECT collector, "time", src_host::text FROM all_hosts GROUP BY 1, 2, 3 HAVING count(*) > 1`;
      expect(twice.length).toBe(0);
      // Every export counted before SIGTERM is bookkept; the shutdown adds at most the open windows.
      const books = await sql`SELECT collector, count(*)::int AS n FROM xenoflow_exports GROUP BY collector ORDER BY collector`;
      books.forEach((b, i) => {
        expect(b.collector).toBe(pops[i]!.name);
        expect(b.n).toBeGreaterThanOrEqual(exported[i]!);
        expect(b.n).toBeLessThanOrEqual(exported[i]! + TABLES.length);
      });
      console.log(
        `fleet e2e: 3 collectors x ${want.flows} flows, outage ${outageSeconds.toFixed(0)} s with ` +
          `${during.map((d) => d.entries).join("/")} exports spooled, ${books.map((b) => b.n).join("/")} exports, 0 lost, 0 duplicated`,
      );
    } finally {
      await sql.end();
    }
  },
  { timeout: 150_000 },
);
