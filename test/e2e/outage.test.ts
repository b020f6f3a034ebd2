// Issue 8 item 3, end to end: `xenoflow run` writes 2 s windows to a throwaway PostgreSQL cluster
// while `xenoflow gen` feeds it a known number of flows. The server is stopped for 120 s, started,
// stopped again while the collector is replaying its spool, and started again; after SIGTERM every
// table must hold exactly the flows gen sent (nothing lost, nothing twice) and xenoflow_exports
// must list the windows in time order. LONG: about 3 minutes (the outage alone is 120 s).
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";
import { freeTcpPort, scrape } from "../http/support.ts";
import { type Cluster, createCluster } from "../store/pg-cluster.ts";

const OUTAGE_MS = 120_000;
const FPS = 2000;
// gen runs through the whole scenario: ~8 s before, the outage, the replay and the second outage.
const FLOWS = FPS * 150;

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

let cluster: Cluster | null = null;
let collector: RunningCollector | null = null;
let gen: ReturnType<typeof Bun.spawn> | null = null;

beforeAll(async () => {
  cluster = await createCluster();
}, 60_000);

afterAll(() => {
  gen?.kill("SIGKILL");
  collector?.cleanup();
  cluster?.destroy();
});

const metric = async (base: string, name: string) => (await scrape(base)).samples.get(name) ?? Number.NaN;

async function waitMetric(base: string, name: string, ok: (v: number) => boolean, timeoutMs: number, pollMs = 100): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await metric(base, name);
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${name} = ${v} after ${timeoutMs} ms`);
    await Bun.sleep(pollMs);
  }
}

test(
  "a 120 s outage and a second one mid-replay: every flow gen sent is in each table exactly once, in order",
  async () => {
    const pg = cluster!;
    const http = await freeTcpPort();
    const base = `http://127.0.0.1:${http}/`;
    const c = await startCollector(MO, { storage: pg.url, http: `listen = "127.0.0.1:${http}"` });
    collector = c;
    await c.waitForLog(/http on /);

    gen = Bun.spawn(
      [BUN, MAIN, "gen", "--to", `127.0.0.1:${c.port}`, "--count", String(FLOWS), "--fps", String(FPS), "--version", "9", "--hosts-src", "20000"],
      { stdout: "pipe", stderr: "pipe" },
    );
    const genOut = new Response(gen.stdout as ReadableStream).text();

    await waitMetric(base, "xenoflow_windows_exported_total", (v) => v >= 4, 20_000);
    pg.stop();
    const outageStart = Date.now();
    await Bun.sleep(OUTAGE_MS);
    const backlog = await metric(base, "xenoflow_spool_entries");
    // Two tables, a window every 2 s: about one export per second of outage waits in the spool.
    expect(backlog).toBeGreaterThanOrEqual(OUTAGE_MS / 1000 - 4);

    pg.start();
    const outageSeconds = (Date.now() - outageStart) / 1000;
    const before = await metric(base, "xenoflow_windows_exported_total");
    // The drainer retries with backoff (at most 10 s); stop the server once it has written a few.
    await waitMetric(base, "xenoflow_windows_exported_total", (v) => v >= before + 5, 30_000, 10);
    pg.stop();
    const leftMidReplay = await metric(base, "xenoflow_spool_entries");
    expect(leftMidReplay).toBeGreaterThan(20);
    await Bun.sleep(5000);
    pg.start();

    expect(await gen.exited).toBe(0);
    const sent = JSON.parse(await genOut) as { flows: number; send_errors: number };
    expect([sent.flows, sent.send_errors]).toEqual([FLOWS, 0]);
    await waitMetric(base, "xenoflow_spool_entries", (v) => v === 0, 60_000);
    await Bun.sleep(1500); // the last datagrams reach the open windows
    expect(await c.stop()).toBe(0);
    const stats = {
      dropped: c.logs.filter((l) => /store: (dropped|rejected)/.test(l)),
      writeErrors: c.logs.some((l) => /store: write_error/.test(l)),
    };
    expect(stats).toEqual({ dropped: [], writeErrors: true });

    const sql = postgres(pg.url, { max: 1, onnotice: () => {} });
    try {
      const sums = await sql`SELECT 'proto' AS t, sum(flows)::bigint::text AS flows FROM all_proto
        UNION ALL SELECT 'hosts', sum(flows)::bigint::text FROM all_hosts`;
      expect(sums.map((r) => [r.t, Number(r.flows)])).toEqual([
        ["proto", FLOWS],
        ["hosts", FLOWS],
      ]);
      const book = await sql`SELECT tbl, extract(epoch FROM "time")::bigint::text AS t, seq::text AS seq FROM xenoflow_exports ORDER BY seq`;
      const times = book.map((b) => Number(b.t));
      const sorted = [...times].sort((a, b) => a - b);
      expect(times).toEqual(sorted); // seq order is window order
      const perTable = new Map<string, number[]>();
      for (const b of book) perTable.set(b.tbl as string, [...(perTable.get(b.tbl as string) ?? []), Number(b.t)]);
      for (const [, ts] of perTable) expect(new Set(ts).size).toBe(ts.length); // one export per window
      // A window written twice would repeat its (time, proto) rows.
      const twice = await sql`SELECT "time", proto FROM all_proto GROUP BY 1, 2 HAVING count(*) > 1`;
      expect(twice.length).toBe(0);
      console.log(
        `outage e2e: ${FLOWS} flows, outage ${outageSeconds.toFixed(0)} s with ${backlog} exports spooled, ` +
          `second outage with ${leftMidReplay} exports left mid-replay, ${book.length} exports, 0 lost, 0 duplicated`,
      );
    } finally {
      await sql.end();
    }
  },
  { timeout: 300_000 },
);
