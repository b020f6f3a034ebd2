import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { StoreError } from "../../src/store/store-error.ts";
import type { Sink } from "../../src/store/sink.ts";
import { COLLECTOR, type Cell, sinkContract, talkers } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "xenoflow-sqlite-"));
let n = 0;
const T = 1_700_000_040;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LEGACY = [
  'CREATE TABLE web_talkers ("time" integer NOT NULL, src_host text, dst_port integer, octets integer, packets integer)',
  "INSERT INTO web_talkers VALUES (1700000040, '10.0.0.1', 443, 100, 1)",
  'DROP TABLE xenoflow_exports',
  'CREATE TABLE xenoflow_exports (seq bigint PRIMARY KEY, tbl text NOT NULL, "time" integer NOT NULL)',
  "INSERT INTO xenoflow_exports VALUES (5, 'web_talkers', 1700000040)",
];

sinkContract(
  "sqlite",
  async () => {
    const path = join(dir, `db${++n}`, "xenoflow.sqlite");
    let sink = createSqliteSink(path, COLLECTOR);
    const peers: Sink[] = [];
    const db = new Database(path, { readonly: true });
    const q = (t: string) => `"${t.replace(/"/g, '""')}"`;
    return {
      get sink() {
        return sink;
      },
      peer(collector) {
        const p = createSqliteSink(path, collector);
        peers.push(p);
        return p;
      },
      // The sink checks the bookkeeping when it opens: reopen it on the changed file.
      async exec(statements) {
        await sink.close();
        const rw = new Database(path);
        for (const s of statements) rw.exec(s);
        rw.close();
        sink = createSqliteSink(path, COLLECTOR);
      },
      async columns(table) {
        const info = db.query(`PRAGMA table_info(${q(table)})`).all() as { name: string; type: string }[];
        return Object.fromEntries(info.map((c) => [c.name, c.type.toLowerCase()]));
      },
      async timeIndexes(table) {
        const list = db.query(`PRAGMA index_list(${q(table)})`).all() as { name: string }[];
        return list
          .filter((i) => {
            const cols = db.query(`PRAGMA index_info(${q(i.name)})`).all() as { name: string }[];
            return cols.length === 1 && cols[0]!.name === "time";
          })
          .map((i) => i.name);
      },
      async rows(table) {
        return db.query(`SELECT * FROM ${q(table)} ORDER BY rowid`).values() as Cell[][];
      },
      async seqs(collector = COLLECTOR) {
        return (db.query(`SELECT seq FROM xenoflow_exports WHERE collector = ?1 ORDER BY seq`).values(collector) as number[][]).map((r) => r[0]!);
      },
      async close() {
        db.close();
        for (const s of [sink, ...peers]) await s.close();
      },
    };
  },
  { time: "integer", address: "text", uint: "integer", string: "text", mac: "text", value: "integer", rate: "real", legacy: LEGACY },
);

describe("sqlite sink, sliced writes", () => {
  const rowsOf = (n: number): Cell[][] => Array.from({ length: n }, (_, i) => [`10.1.${i >> 8}.${i & 255}`, 80, 100 + i, 1]);
  const open = () => {
    const path = join(dir, `sliced${++n}`, "xenoflow.sqlite");
    return { path, sink: createSqliteSink(path) };
  };
  const count = (path: string, table: string) => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.query(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  test("an export that fails in its last slice leaves no row, and the next export is written", async () => {
    const { path, sink } = open();
    await sink.write(talkers(T, rowsOf(3)));
    const bad = rowsOf(9_000);
    // Not a value SQLite can bind: the insert of the last slice throws.
    bad[8_999] = ["10.9.9.9", 80, { not: "bindable" } as unknown as number, 1];
    const err = await sink.write(talkers(T + 60, bad), 41).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as StoreError).transient).toBe(false);
    expect(count(path, "web_talkers")).toBe(3);
    await sink.write(talkers(T + 120, rowsOf(5_000)), 42);
    expect(count(path, "web_talkers")).toBe(5_003);
    await sink.close();
  });

  test("a prune issued during a sliced write runs after it, not inside its transaction", async () => {
    const { path, sink } = open();
    const writing = sink.write(talkers(T, rowsOf(12_000)));
    const pruning = sink.prune(["web_talkers"], T + 1);
    await Promise.all([writing, pruning]);
    // Had the prune run between two slices, it would have deleted only the rows written so far.
    expect(count(path, "web_talkers")).toBe(0);
    await sink.write(talkers(T + 60, rowsOf(2)));
    expect(count(path, "web_talkers")).toBe(2);
    await sink.close();
  });
});
