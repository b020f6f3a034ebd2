// Issue 4 item 5: a database outage loses nothing and duplicates nothing. A throwaway cluster is
// stopped for 60 s while exports keep coming every 100 ms, started, stopped again in the middle of
// the spool replay, and started again; then every export must be in the database exactly once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { WindowExport } from "../../src/store/sink.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import { type Cluster, createCluster } from "./pg-cluster.ts";

const OUTAGE_MS = 60_000;
const ROWS = 300;
const T0 = 1_700_000_000;

let cluster: Cluster | null = null;
const spoolRoot = mkdtempSync(join(tmpdir(), "xenoflow-outage-"));

beforeAll(async () => {
  cluster = await createCluster();
});
afterAll(() => {
  cluster?.destroy();
  rmSync(spoolRoot, { recursive: true, force: true });
});

function exportNo(i: number): WindowExport {
  return {
    mo: "all",
    window: "hosts",
    table: "all_hosts",
    time: T0 + i,
    keys: [
      { name: "src_host", type: "address" },
      { name: "proto", type: "uint" },
    ],
    values: ["octets", "flows"],
    rows: Array.from({ length: ROWS }, (_, r) => [`10.${i & 255}.${r >> 8}.${r & 255}`, 6, 2 ** 33 + i * ROWS + r, 1]),
  };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await Bun.sleep(5);
  }
}

test(
  "exports during a 60 s outage and a second outage mid-replay reach the database in order, exactly once",
  async () => {
    const c = cluster!;
    let written = 0;
    const sink = createSpooledSink(createPostgresSink(c.url, { connectTimeoutS: 2, writeTimeoutMs: 15_000 }), join(spoolRoot, "spool"), {
      maxBytes: 256 << 20,
      minBackoffMs: 50,
      maxBackoffMs: 500,
      onEvent: (kind) => {
        if (kind === "written") written++;
      },
    });
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await sink.write(exportNo(produced++));
        await Bun.sleep(100);
      }
    })();

    await Bun.sleep(3000);
    expect(written).toBeGreaterThan(0);
    c.stop();
    const atStop = produced;
    await Bun.sleep(OUTAGE_MS);
    const backlog = sink.stats().entries;
    expect(backlog).toBeGreaterThanOrEqual(produced - atStop - 1);

    c.start();
    const before = written;
    await until(() => written - before >= 40, 60_000);
    c.stop(); // in the middle of the replay
    const leftMidReplay = sink.stats().entries;
    expect(leftMidReplay).toBeGreaterThan(100);
    await Bun.sleep(3000);
    c.start();
    await Bun.sleep(2000);
    producing = false;
    await producer;
    expect(await sink.drain(60_000)).toBe(true);
    const st = sink.stats();
    await sink.close();

    expect([st.droppedExports, st.deadLetterExports, st.entries]).toEqual([0, 0, 0]);
    expect(st.writeErrors).toBeGreaterThan(0);

    const sql = postgres(c.url, { max: 1, onnotice: () => {} });
    try {
      const perTime = await sql`SELECT extract(epoch FROM "time")::bigint AS t, count(*)::int AS n, sum(octets)::text AS o
        FROM all_hosts GROUP BY 1 ORDER BY 1`;
      expect(perTime.length).toBe(produced);
      for (let i = 0; i < produced; i++) {
        const want = BigInt(ROWS) * (2n ** 33n + BigInt(i * ROWS)) + BigInt((ROWS * (ROWS - 1)) / 2);
        expect([Number(perTime[i]!.t), perTime[i]!.n, perTime[i]!.o]).toEqual([T0 + i, ROWS, want.toString()]);
      }
      const book = await sql`SELECT seq::text AS seq, extract(epoch FROM "time")::bigint AS t FROM xenoflow_exports ORDER BY seq`;
      expect(book.map((b) => Number(b.t))).toEqual(Array.from({ length: produced }, (_, i) => T0 + i));
    } finally {
      await sql.end();
    }
  },
  { timeout: 240_000 },
);
