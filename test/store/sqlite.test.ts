import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { StoreError } from "../../src/store/store-error.ts";
import { type Cell, sinkContract, talkers } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "xenoflow-sqlite-"));
let n = 0;
const T = 1_700_000_040;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

sinkContract(
  "sqlite",
  async () => {
    const path = join(dir, `db${++n}`, "xenoflow.sqlite");
    const sink = createSqliteSink(path);
    const db = new Database(path, { readonly: true });
    const q = (t: string) => `"${t.replace(/"/g, '""')}"`;
    return {
      sink,
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
      async seqs() {
        return (db.query(`SELECT seq FROM xenoflow_exports ORDER BY seq`).values() as number[][]).map((r) => r[0]!);
      },
      async close() {
        db.close();
        await sink.close();
      },
    };
  },
  { time: "integer", address: "text", uint: "integer", string: "text", mac: "text", value: "integer", rate: "real" },
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
