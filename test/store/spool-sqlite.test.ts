// The spool over the real SQLite sink: a crash that left already-written exports in the spool
// must not duplicate them, because the sink's xenoflow_exports bookkeeping skips their seqs.
import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { WindowExport } from "../../src/store/sink.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";

const root = mkdtempSync(join(tmpdir(), "xenoflow-spool-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const exp = (i: number): WindowExport => ({
  mo: "all",
  window: "proto",
  table: "all_proto",
  time: 1_700_000_000 + 30 * i,
  keys: [{ name: "proto", type: "uint" }],
  values: ["octets", "flows"],
  rows: [[6, 2 ** 35 + i, 1], [17, i, 2], [null, 5, 3]],
});

test("replaying a spool snapshot taken before its exports were deleted writes nothing twice", async () => {
  const dbPath = join(root, "xenoflow.sqlite");
  const spoolDir = join(root, "spool");
  const failing = createSqliteSink(dbPath);
  // A first run whose every write fails leaves 4 exports spooled.
  const a = createSpooledSink({ ...failing, write: () => Promise.reject(new Error("down")) }, spoolDir, { maxBytes: 1 << 20, minBackoffMs: 1, maxBackoffMs: 2, permanentAttempts: 1e9 });
  for (let i = 0; i < 4; i++) await a.write(exp(i));
  await a.close();
  cpSync(spoolDir, join(root, "snapshot"), { recursive: true });

  const b = createSpooledSink(createSqliteSink(dbPath), spoolDir, { maxBytes: 1 << 20 });
  expect(await b.drain(5000)).toBe(true);
  await b.close();
  expect(readdirSync(spoolDir)).toEqual([]);

  const c = createSpooledSink(createSqliteSink(dbPath), join(root, "snapshot"), { maxBytes: 1 << 20 });
  expect(c.stats().entries).toBe(4);
  expect(await c.drain(5000)).toBe(true);
  await c.close();

  const db = new Database(dbPath, { readonly: true });
  const rows = db.query(`SELECT "time", count(*), sum(octets) FROM all_proto GROUP BY "time" ORDER BY "time"`).values();
  const book = db.query(`SELECT tbl, "time" FROM xenoflow_exports ORDER BY seq`).values();
  db.close();
  expect(rows).toEqual([0, 1, 2, 3].map((i) => [exp(i).time, 3, 2 ** 35 + 2 * i + 5]));
  expect(book).toEqual([0, 1, 2, 3].map((i) => ["all_proto", exp(i).time]));
});
