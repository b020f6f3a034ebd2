// Issue 21 item 1, end to end: `xenoflow run` on a throwaway PostgreSQL cluster whose database
// refuses the writes, one cause after another, as an operator meets them: the role does not exist,
// then the database, then the grant on schema public (PostgreSQL 15), later a read-only database,
// a full disk (the hosts table moved to a tablespace on a 1 MiB tmpfs that a filler file fills) and
// a column changed by hand. For each cause gen feeds 1 000 flows, /healthz answers 503 naming it,
// the log has exactly one line with its fix; then the test applies the fix. At the end each table
// holds every flow gen sent, once, and nothing was dropped or dead-lettered. A second test
// writes poison exports through the spool (a value bigint cannot hold, refused before COPY; an
// address inet cannot take, refused by the server): they go to the dead-letter file and the exports
// after them are written.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import { freeTcpPort, scrape, scrapeUntil } from "../http/support.ts";
import { type Cluster, createCluster } from "../store/pg-cluster.ts";
import { BUN, MAIN, type RunningCollector, startCollector } from "../support/collector.ts";

const FLOWS_PER_CAUSE = 1000;
const MO = `
[[mo]]
name = "all"
  [[mo.window]]
  name = "proto"
  every = "1s"
  key = ["proto"]
  values = ["flows"]
  [[mo.window]]
  name = "hosts"
  every = "1s"
  key = ["src host"]
  values = ["flows"]
`;

let cluster: Cluster;
let admin: postgres.Sql;
let collector: RunningCollector | null = null;
let tmp = "";
let tiny = ""; // the tmpfs mount point, while mounted

beforeAll(async () => {
  cluster = await createCluster();
  admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  tmp = mkdtempSync(join(tmpdir(), "xf-refusals-"));
}, 60_000);

afterAll(async () => {
  collector?.cleanup();
  await admin?.end();
  cluster?.destroy();
  if (tiny) {
    Bun.spawnSync(["umount", tiny]);
    rmSync(tiny, { recursive: true, force: true });
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function healthz(base: string): Promise<{ status: number; problems: string[] }> {
  const r = await fetch(`${base}healthz`);
  return { status: r.status, problems: ((await r.json()) as { problems: string[] }).problems };
}

async function waitHealth(base: string, ok: (h: { status: number; problems: string[] }) => boolean, what: string): Promise<void> {
  const end = Date.now() + 20_000;
  let h = await healthz(base);
  while (!ok(h)) {
    if (Date.now() > end) throw new Error(`/healthz never showed ${what}: ${JSON.stringify(h)}; store log:\n${collector?.logs.filter((l) => / store: /.test(l)).join("\n")}`);
    await Bun.sleep(50);
    h = await healthz(base);
  }
}

async function feed(port: number): Promise<void> {
  const gen = Bun.spawnSync([BUN, MAIN, "gen", "--to", `127.0.0.1:${port}`, "--count", String(FLOWS_PER_CAUSE), "--fps", "4000", "--version", "9"]);
  expect(gen.exitCode).toBe(0);
  await Bun.sleep(1500); // the 1 s window holding them closes while the database still refuses
}

test(
  "each refusal keeps the windows, answers 503 with its fix, and after the fix every flow is in the table once",
  async () => {
    const http = await freeTcpPort();
    const base = `http://127.0.0.1:${http}/`;
    const url = `postgres://xf@127.0.0.1:${cluster.port}/xf_db`;
    const c = await startCollector(MO, { storage: url, http: `listen = "127.0.0.1:${http}"` });
    collector = c;
    await c.waitForLog(/http on /);
    const xfDb = () => postgres(`postgres://postgres@127.0.0.1:${cluster.port}/xf_db`, { max: 1, onnotice: () => {} });

    // Each cause: the flows arrive while it holds, /healthz names it, then the fix.
    const causes: [RegExp, () => Promise<void>, () => Promise<void>][] = [
      [/role "xf" does not exist: create it \(CREATE ROLE xf LOGIN\)/, async () => {}, async () => void (await admin`CREATE ROLE xf LOGIN`)],
      [/database "xf_db" does not exist: create it \(createdb -O xf xf_db\)/, async () => {}, async () => void (await admin`CREATE DATABASE xf_db`)],
      [
        /permission denied for schema public: GRANT USAGE, CREATE ON SCHEMA public TO xf/,
        async () => {},
        async () => {
          const db = xfDb();
          await db`GRANT USAGE, CREATE ON SCHEMA public TO xf`;
          await db.end();
        },
      ],
      [
        /the database is read-only: ALTER DATABASE\/ROLE \.\.\. RESET default_transaction_read_only/,
        async () => {
          await admin`ALTER DATABASE xf_db SET default_transaction_read_only = on`;
          await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'xf'`;
        },
        async () => void (await admin`ALTER DATABASE xf_db RESET default_transaction_read_only`),
      ],
      [
        /the database server's disk is full \(could not extend file .*No space left on device\): free space on it/,
        async () => {
          // Not under the test's private temp dir: the server must reach it.
          tiny = mkdtempSync(join(tmpdir(), "xf-tiny-"));
          const m = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", tiny]);
          if (m.exitCode !== 0) throw new Error(`mount tmpfs: ${m.stderr.toString()}`);
          const pg = Bun.spawnSync(["id", "-u", "postgres"]).stdout.toString().trim();
          chownSync(tiny, Number(pg), Number(pg));
          await admin.unsafe(`CREATE TABLESPACE tiny LOCATION '${tiny}'`);
          const db = xfDb();
          await db`ALTER TABLE all_hosts SET TABLESPACE tiny`;
          await db.end();
          // Fill what is left, so the next window's rows cannot extend the table.
          const fd = openSync(join(tiny, "filler"), "w");
          const block = Buffer.alloc(4096, 1);
          try {
            for (;;) writeSync(fd, block);
          } catch {
            // ENOSPC: full
          } finally {
            closeSync(fd);
          }
        },
        async () => rmSync(join(tiny, "filler")),
      ],
      [
        /table all_proto: column proto is inet in the database but the config needs bigint; rename the window or migrate the table/,
        async () => {
          const db = xfDb();
          await db`ALTER TABLE all_proto ALTER COLUMN proto TYPE inet USING NULL`;
          await db.end();
        },
        async () => {
          const db = xfDb();
          await db`ALTER TABLE all_proto ALTER COLUMN proto TYPE bigint USING NULL`;
          await db.end();
        },
      ],
    ];
    for (const [reason, breakIt, fix] of causes) {
      await breakIt();
      await feed(c.port);
      await waitHealth(base, (h) => h.status === 503 && h.problems.some((p) => reason.test(p)), String(reason));
      expect((await scrape(base)).samples.get("xenoflow_spool_entries")).toBeGreaterThan(0);
      // What the dashboard draws: its badge turns red ("unhealthy") on health.ok false.
      const { health } = (await (await fetch(`${base}api/summary`)).json()) as { health: { ok: boolean; problems: string[] } };
      expect([health.ok, health.problems.some((p) => reason.test(p))]).toEqual([false, true]);
      await fix();
      // The chained causes show up by themselves; after the last of a chain the spool drains.
      if (!/does not exist/.test(reason.source)) {
        await waitHealth(base, (h) => h.status === 200, "200 after the fix");
      }
    }
    // 200 comes with the first write after the fix; the rest of the spool follows.
    const m = (await scrapeUntil(base, (x) => x.samples.get("xenoflow_spool_entries") === 0)).samples;
    expect(await c.stop()).toBe(0);
    expect([m.get("xenoflow_spool_entries"), m.get("xenoflow_spool_dropped_exports_total"), m.get("xenoflow_spool_dead_letter_exports_total")]).toEqual([0, 0, 0]);
    // One error line per cause, naming its fix.
    expect(causes.map(([re]) => c.logs.filter((l) => / error store: /.test(l) && re.test(l)).length)).toEqual(causes.map(() => 1));
    expect(c.logs.filter((l) => /store: (dropped|dead_letter|rejected)/.test(l))).toEqual([]);

    const db = xfDb();
    try {
      const [sum] = await db`SELECT sum(flows)::bigint::text AS flows FROM all_proto`;
      expect(Number(sum?.flows)).toBe(causes.length * FLOWS_PER_CAUSE);
      const [hosts] = await db`SELECT sum(flows)::bigint::text AS flows FROM all_hosts`;
      expect(Number(hosts?.flows)).toBe(causes.length * FLOWS_PER_CAUSE);
      const [book] = await db`SELECT count(*)::int AS n, count(DISTINCT (tbl, "time"))::int AS t FROM xenoflow_exports`;
      expect(book?.n).toBe(book?.t); // one export per table and window
    } finally {
      await db.end();
    }
  },
  { timeout: 120_000 },
);

test("poison exports go to the dead-letter file with their reason; the ones after them are written", async () => {
  await admin`CREATE SCHEMA IF NOT EXISTS poison`;
  const dir = join(tmp, "spool");
  const events: string[] = [];
  const sink = createSpooledSink(createPostgresSink(cluster.url, { schema: "poison" }), dir, {
    maxBytes: 1 << 20,
    minBackoffMs: 1,
    maxBackoffMs: 4,
    onEvent: (k) => events.push(k),
  });
  const proto = (time: number, flows: number) => ({ mo: "all", window: "proto", table: "all_proto", time, keys: [{ name: "proto", type: "uint" as const }], values: ["flows"], rows: [[6, flows]] });
  const src = (time: number, host: string) => ({ mo: "all", window: "src", table: "all_src", time, keys: [{ name: "src_host", type: "address" as const }], values: ["flows"], rows: [[host, 3]] });
  try {
    await sink.write(proto(1_700_000_000, 1e20)); // beyond bigint: refused before COPY
    await sink.write(proto(1_700_000_060, 7));
    await sink.write(src(1_700_000_000, "10.0.0.1"));
    await sink.write(src(1_700_000_060, "not-an-address")); // refused by the server, after CopyDone
    await sink.write(src(1_700_000_120, "10.0.0.2"));
    expect(await sink.drain(20_000)).toBe(true);
  } finally {
    await sink.close();
  }
  const rows = await admin`SELECT extract(epoch FROM "time")::int AS t, proto::int, flows::int FROM poison.all_proto`;
  expect(rows.map((r) => [r.t, r.proto, r.flows])).toEqual([[1_700_000_060, 6, 7]]);
  const hosts = await admin`SELECT extract(epoch FROM "time")::int AS t, host(src_host) AS h FROM poison.all_src ORDER BY 1`;
  expect(hosts.map((r) => [r.t, r.h])).toEqual([
    [1_700_000_000, "10.0.0.1"],
    [1_700_000_120, "10.0.0.2"],
  ]);
  const dead = readFileSync(join(tmp, "dead-letter.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  const because = "the database refused this export's values 3 times while its table took other writes";
  expect(dead.map((d) => [d.reason, d.export])).toEqual([
    [`${because}: column flows (bigint) cannot hold 100000000000000000000`, proto(1_700_000_000, 1e20)],
    [`${because}: write to all_src in ${cluster.url}: invalid input syntax for type inet: "not-an-address" (22P02)`, src(1_700_000_060, "not-an-address")],
  ]);
  expect(events.filter((k) => k === "dead_letter" || k === "written")).toEqual(["dead_letter", "written", "written", "dead_letter", "written"]);
}, 30_000);
