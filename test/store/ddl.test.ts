import { describe, expect, test } from "bun:test";
import { XenoflowError } from "../../src/errors.ts";
import { addColumnSql, columnsOf, createTableSql, exportsTableSql, ident, missingColumns, tableIdent, upgradeExportsSql } from "../../src/store/ddl.ts";
import type { WindowExport } from "../../src/store/sink.ts";

const exp: WindowExport = {
  mo: "web",
  window: "talkers",
  table: "web_talkers",
  time: 1_700_000_000,
  keys: [
    { name: "src_host", type: "address" },
    { name: "src_mac", type: "mac" },
  ],
  values: ["octets", "flows"],
  rows: [],
};

describe("ddl", () => {
  test("quotes validated names and rejects everything else", () => {
    expect(ident("src_host")).toBe('"src_host"');
    for (const bad of ["", "Src", "1a", "a-b", "a b", 'a"b', "_a", "é", "a".repeat(64)]) {
      expect(() => ident(bad)).toThrow(XenoflowError);
    }
    expect(tableIdent("a".repeat(54))).toBe(`"${"a".repeat(54)}"`);
    expect(() => tableIdent("a".repeat(55))).toThrow("at most 54 characters");
  });

  test("PostgreSQL layout", () => {
    const cols = columnsOf(exp, "postgres");
    expect(createTableSql("web_talkers", cols)).toEqual([
      'CREATE TABLE IF NOT EXISTS "web_talkers" ("time" timestamptz NOT NULL, "collector" text, "src_host" inet, "src_mac" macaddr, "octets" bigint, "flows" bigint)',
      'CREATE INDEX IF NOT EXISTS "web_talkers_time_idx" ON "web_talkers" ("time")',
    ]);
    expect(exportsTableSql("postgres")).toBe(
      'CREATE TABLE IF NOT EXISTS "xenoflow_exports" ("collector" text NOT NULL, "seq" bigint NOT NULL, "tbl" text NOT NULL, "time" timestamptz NOT NULL, PRIMARY KEY ("collector", "seq"))',
    );
    expect(addColumnSql("web_talkers", cols[1]!, "postgres")).toBe('ALTER TABLE "web_talkers" ADD COLUMN IF NOT EXISTS "collector" text');
    expect(upgradeExportsSql("postgres", "pop-1.fra")).toEqual([
      `ALTER TABLE "xenoflow_exports" ADD COLUMN "collector" text NOT NULL DEFAULT 'pop-1.fra'`,
      'ALTER TABLE "xenoflow_exports" ALTER COLUMN "collector" DROP DEFAULT',
      'ALTER TABLE "xenoflow_exports" DROP CONSTRAINT IF EXISTS "xenoflow_exports_pkey", ADD PRIMARY KEY ("collector", "seq")',
    ]);
    expect(() => upgradeExportsSql("postgres", "x'; drop table t; --")).toThrow("invalid collector name");
  });

  test("SQLite layout", () => {
    expect(createTableSql("web_talkers", columnsOf(exp, "sqlite"))[0]).toBe(
      'CREATE TABLE IF NOT EXISTS "web_talkers" ("time" integer NOT NULL, "collector" text, "src_host" text, "src_mac" text, "octets" integer, "flows" integer)',
    );
  });

  test("missing columns are added, a changed type is refused", () => {
    const cols = columnsOf(exp, "postgres");
    const existing = new Map([["time", "timestamp with time zone"], ["src_host", "inet"], ["octets", "bigint"]]);
    expect(missingColumns("web_talkers", cols, existing).map((c) => c.name)).toEqual(["collector", "src_mac", "flows"]);
    existing.set("src_mac", "text");
    expect(() => missingColumns("web_talkers", cols, existing)).toThrow("table web_talkers: column src_mac is text in the database but the config needs macaddr");
  });
});
