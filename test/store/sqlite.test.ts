import { Database } from "bun:sqlite";
import { afterAll } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { type Cell, sinkContract } from "./contract.ts";

const dir = mkdtempSync(join(tmpdir(), "xenoflow-sqlite-"));
let n = 0;
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
  { time: "integer", address: "text", uint: "integer", string: "text", mac: "text", value: "integer" },
);
