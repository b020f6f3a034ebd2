// Issue 25: three collectors write into one PostgreSQL (a throwaway cluster) through their own
// spools, in lockstep so their spool seqs collide, and the server is stopped for a few seconds in
// the middle. Every collector's every export must be stored exactly once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import type { SpooledSink } from "../../src/store/spool-types.ts";
import { talkers } from "./contract.ts";
import { type Cluster, createCluster } from "./pg-cluster.ts";

const T0 = 1_700_000_040;
const ROWS = 40;
const NAMES = ["pop1", "pop2", "pop3"];
let cluster: Cluster | null = null;
const spoolRoot = mkdtempSync(join(tmpdir(), "xenoflow-fleet-"));

beforeAll(async () => {
  cluster = await createCluster();
});
afterAll(() => {
  cluster?.destroy();
  rmSync(spoolRoot, { recursive: true, force: true });
});

test(
  "three collectors on colliding seqs through an outage: every export of each exactly once",
  async () => {
    const c = cluster!;
    const sinks: SpooledSink[] = NAMES.map((collector) =>
      createSpooledSink(createPostgresSink(c.url, { collector, connectTimeoutS: 2, writeTimeoutMs: 10_000 }), join(spoolRoot, collector), {
        maxBytes: 64 << 20,
        minBackoffMs: 50,
        maxBackoffMs: 300,
      }),
    );
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const i = produced++;
        // The same millisecond for all three: their spools number the exports alike.
        await Promise.all(sinks.map((s, k) => s.write(talkers(T0 + i, Array.from({ length: ROWS }, (_, r) => [`10.${k}.${i & 255}.${r}`, 443, 1000 + r, 1])))));
        await Bun.sleep(50);
      }
    })();
    await Bun.sleep(1500);
    c.stop();
    await Bun.sleep(3000);
    c.start();
    await Bun.sleep(1000);
    producing = false;
    await producer;
    for (const s of sinks) expect(await s.drain(60_000)).toBe(true);
    const stats = sinks.map((s) => s.stats());
    for (const s of sinks) await s.close();
    expect(stats.map((s) => [s.droppedExports, s.deadLetterExports, s.entries, s.writeErrors > 0])).toEqual(NAMES.map(() => [0, 0, 0, true]));

    const sql = postgres(c.url, { max: 1, onnotice: () => {} });
    try {
      const per = await sql`SELECT collector, count(DISTINCT "time")::int AS windows, count(*)::int AS n, sum(octets)::text AS o
        FROM web_talkers GROUP BY collector ORDER BY collector`;
      const octets = produced * (ROWS * 1000 + (ROWS * (ROWS - 1)) / 2);
      expect(per.map((r) => [r.collector, r.windows, r.n, r.o])).toEqual(NAMES.map((name) => [name, produced, produced * ROWS, String(octets)]));
      const [shared] = await sql`SELECT count(*)::int AS n FROM (SELECT seq FROM xenoflow_exports GROUP BY seq HAVING count(*) = 3) s`;
      expect(shared!.n).toBeGreaterThan(0); // the collisions that seq alone as key would have lost
    } finally {
      await sql.end();
    }
  },
  { timeout: 120_000 },
);
