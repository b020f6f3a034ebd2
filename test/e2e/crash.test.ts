// Issue 8 item 3: `kill -9` of the collector loses at most the windows that were still open. Two
// windows count the same flows: `fast` (1 s, closed and exported before the kill) and `slow` (1 h,
// open at the kill). The collector is killed with the database down (PostgreSQL: the fast windows
// wait in the spool) or with SQLite, then restarted on the same data_dir: the spool is replayed,
// the templates come back from disk (the datagrams after the restart carry none: gen sends its
// template only in its first datagram here), and only the open slow window's flows are missing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import dgram from "node:dgram";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { BUN, MAIN, type RunningCollector, sendAll, startCollector } from "../support/collector.ts";
import { type Cluster, createCluster } from "../store/pg-cluster.ts";

const RECORDS = 29;
const DATAGRAMS = 200;
const HALF = DATAGRAMS / 2;
const MO = `
[[mo]]
name = "all"
  [[mo.window]]
  name = "fast"
  every = "1s"
  key = ["proto"]
  values = ["flows"]
  [[mo.window]]
  name = "slow"
  every = "1h"
  key = ["proto"]
  values = ["flows"]
`;

/** gen's v9 datagrams, caught on a socket of ours, so they can be split around the crash. */
async function recordGen(): Promise<Uint8Array[]> {
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  const got: Uint8Array[] = [];
  s.on("message", (m) => got.push(new Uint8Array(m)));
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  const args = ["--count", String(RECORDS * DATAGRAMS), "--records", String(RECORDS), "--version", "9", "--fps", "20000"];
  // Not spawnSync: the socket must keep reading while gen sends.
  const p = Bun.spawn([BUN, MAIN, "gen", "--to", `127.0.0.1:${s.address().port}`, ...args, "--template-every", "1000000", "--template-interval", "24h"], { stdout: "ignore", stderr: "pipe" });
  if ((await p.exited) !== 0) throw new Error(`gen: ${await new Response(p.stderr).text()}`);
  for (let i = 0; i < 100 && got.length < DATAGRAMS; i++) await Bun.sleep(10);
  s.close();
  return got;
}

/** NetFlow v9 (RFC 3954 section 5.2): FlowSet ID 0 is a template FlowSet; the first set follows the 20-byte header. */
const firstSetId = (d: Uint8Array) => ((d[20] as number) << 8) | (d[21] as number);

let datagrams: Uint8Array[] = [];
let cluster: Cluster | null = null;
const dirs: string[] = [];
const running: RunningCollector[] = [];

beforeAll(async () => {
  datagrams = await recordGen();
  cluster = await createCluster();
}, 60_000);
afterAll(() => {
  for (const c of running) c.cleanup();
  cluster?.destroy();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await Bun.sleep(50);
  }
}

interface Store {
  storage: (dir: string) => string;
  /** sum(flows) per table, 0 for a table not created yet. */
  sums(dir: string): Promise<{ fast: number; slow: number }>;
}

const sqliteStore: Store = {
  storage: (dir) => `sqlite:${join(dir, "xf.sqlite")}`,
  async sums(dir) {
    const db = new Database(join(dir, "xf.sqlite"), { readonly: true });
    try {
      const has = (t: string) => db.query("SELECT 1 FROM sqlite_master WHERE name = ?").get(t) !== null;
      const sum = (t: string) => (has(t) ? ((db.query(`SELECT coalesce(sum(flows), 0) AS n FROM ${t}`).get() as { n: number }).n) : 0);
      return { fast: sum("all_fast"), slow: sum("all_slow") };
    } finally {
      db.close();
    }
  },
};

const pgStore: Store = {
  storage: () => cluster!.url,
  async sums() {
    const sql = postgres(cluster!.url, { max: 1, onnotice: () => {} });
    try {
      const has = async (t: string) => (await sql`SELECT to_regclass(${t}) IS NOT NULL AS e`)[0]!.e as boolean;
      const sum = async (t: string) => ((await has(t)) ? Number((await sql.unsafe(`SELECT coalesce(sum(flows), 0)::text AS n FROM ${t}`))[0]!.n) : 0);
      return { fast: await sum("all_fast"), slow: await sum("all_slow") };
    } finally {
      await sql.end();
    }
  },
};

async function crashAndRestart(store: Store, dbDown: boolean) {
  // The slow window must stay open from the first datagram to the kill: keep clear of an hour boundary.
  const toHour = 3600 - (Math.floor(Date.now() / 1000) % 3600);
  if (toHour < 60) await Bun.sleep(toHour * 1000 + 1000);
  const dir = mkdtempSync(join(tmpdir(), "xf-crash-"));
  dirs.push(dir);
  if (dbDown) cluster!.stop();

  const first = await startCollector(MO, { dir, storage: store.storage(dir) });
  running.push(first);
  await sendAll(first.port, datagrams.slice(0, HALF));
  await until(() => existsSync(join(dir, "templates.json")), "templates persisted");
  // Every flow sent is in a closed 1 s window and exported (spooled or written) after 3 s.
  await Bun.sleep(3000);
  const spooled = readdirSync(join(dir, "spool")).filter((f) => f.endsWith(".seg")).length;
  first.cleanup(); // SIGKILL
  await Bun.sleep(300);

  if (dbDown) cluster!.start();
  const second = await startCollector(MO, { dir, storage: store.storage(dir) });
  running.push(second);
  const restored = await second.waitForLog(/restored \d+ templates/);
  let afterRestart = { fast: 0, slow: 0 };
  await until(async () => (afterRestart = await store.sums(dir)).fast >= HALF * RECORDS, "spool replayed");
  await sendAll(second.port, datagrams.slice(HALF));
  await Bun.sleep(1500);
  expect(await second.stop()).toBe(0);
  return { spooled, restored, afterRestart, final: await store.sums(dir), logs: second.logs };
}

describe("kill -9 loses at most the open windows", () => {
  test("gen's datagrams: a template only in the first one", () => {
    expect(datagrams.length).toBe(DATAGRAMS);
    expect(datagrams.map(firstSetId).filter((id) => id === 0).length).toBe(1);
    expect(firstSetId(datagrams[0]!)).toBe(0);
  });

  test("PostgreSQL down at the kill: the spool is replayed after restart", async () => {
    const r = await crashAndRestart(pgStore, true);
    expect(r.spooled).toBeGreaterThan(0);
    expect(r.restored).toMatch(/restored [1-9]\d* templates/);
    // Replayed before any new datagram arrived; the open hour window died with the process.
    expect(r.afterRestart).toEqual({ fast: HALF * RECORDS, slow: 0 });
    expect(r.final).toEqual({ fast: DATAGRAMS * RECORDS, slow: HALF * RECORDS });
  }, 90_000);

  test("SQLite: committed windows survive, templates restored", async () => {
    const r = await crashAndRestart(sqliteStore, false);
    expect(r.restored).toMatch(/restored [1-9]\d* templates/);
    expect(r.afterRestart).toEqual({ fast: HALF * RECORDS, slow: 0 });
    expect(r.final).toEqual({ fast: DATAGRAMS * RECORDS, slow: HALF * RECORDS });
  }, 90_000);
});
