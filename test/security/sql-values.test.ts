// Issue 8 item 4: values reach SQL only as parameters (SQLite) or COPY data (PostgreSQL), never as
// SQL text; identifiers only after ddl.ident(). String keys that are SQL, COPY framing or JSON
// syntax are written through the disk spool (JSON on disk) into both stores and must come back
// byte for byte, with a bystander table `x` untouched. PostgreSQL is the shared server, in a
// schema of this run's own that is dropped afterwards.
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { XenoflowError } from "../../src/errors.ts";
import { columnsOf, ident } from "../../src/store/ddl.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { Sink, WindowExport } from "../../src/store/sink.ts";
import { createSpooledSink } from "../../src/store/spool.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";

const HOSTILE = [
  "'); DROP TABLE x; --",
  "\"); DROP TABLE x; --",
  "a'b\"c`d",
  "back\\slash\\",
  "\\N",
  "\\.",
  "tab\there",
  "new\nline\r\nwindows",
  "; rm -rf / #",
  "$(touch /tmp/xf-pwned) `id`",
  "ctrl \u0001\u001b[31m\u007f",
  "ünïcødé 🚀 \u2028",
  "",
  "x".repeat(5000),
];

const T0 = 1_700_000_000;
const exp: WindowExport = {
  mo: "all",
  window: "names",
  table: "all_names",
  time: T0,
  keys: [{ name: "ifname", type: "string" }],
  values: ["flows"],
  rows: HOSTILE.map((s, i) => [s, i + 1]),
};
const want = HOSTILE.map((s, i) => [s, i + 1]);

const root = mkdtempSync(join(tmpdir(), "xf-sqlvalues-"));
const PG = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = `xf_sec_${process.pid}_${Date.now().toString(36)}`;
const admin = postgres(PG, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
afterAll(async () => {
  if (reachable) await admin.unsafe(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
  await admin.end();
  rmSync(root, { recursive: true, force: true });
});

async function throughSpool(inner: Sink, name: string): Promise<void> {
  const sink = createSpooledSink(inner, join(root, name), { maxBytes: 16 << 20, minBackoffMs: 10 });
  await sink.write(exp);
  expect(await sink.drain(10_000)).toBe(true);
  expect(sink.stats()).toMatchObject({ written: 1, deadLetterExports: 0, droppedExports: 0 });
  await sink.close();
}

describe("hostile string keys round-trip as data", () => {
  test("SQLite, through the spool", async () => {
    const path = join(root, "xf.sqlite");
    const pre = new Database(path, { create: true });
    pre.exec("CREATE TABLE x (a integer); INSERT INTO x VALUES (42)");
    pre.close();
    await throughSpool(createSqliteSink(path), "spool-sqlite");
    const db = new Database(path, { readonly: true });
    try {
      const rows = db.query("SELECT ifname, flows FROM all_names ORDER BY flows").values();
      expect(rows).toEqual(want);
      expect(db.query("SELECT a FROM x").values()).toEqual([[42]]);
    } finally {
      db.close();
    }
  });

  test.skipIf(!reachable && process.env.CI !== "true")("PostgreSQL (COPY), through the spool", async () => {
    await admin.unsafe(`CREATE SCHEMA ${ident(schema)}`);
    await admin.unsafe(`CREATE TABLE ${ident(schema)}.x (a integer)`);
    await admin.unsafe(`INSERT INTO ${ident(schema)}.x VALUES (42)`);
    await throughSpool(createPostgresSink(PG, { schema, connectTimeoutS: 5 }), "spool-pg");
    const rows = await admin.unsafe<{ ifname: string; flows: number }[]>(`SELECT ifname, flows::int AS flows FROM ${ident(schema)}.all_names ORDER BY flows`);
    expect(rows.map((r) => [r.ifname, r.flows])).toEqual(want);
    const x = await admin.unsafe<{ a: number }[]>(`SELECT a FROM ${ident(schema)}.x`);
    expect(x.map((r) => r.a)).toEqual([42]);
  });
});

describe("identifiers come only from validated names", () => {
  const BAD = ['x"; DROP TABLE x; --', "x; DROP TABLE x", "X", "all names", "all-names", "1x", "_x", "x\u0000", "x\n", "ｘ", "x".repeat(64), ""];

  test("ident() rejects every name outside [a-z][a-z0-9_]*, up to 63 characters", () => {
    const verdicts = BAD.map((b) => {
      try {
        return ident(b);
      } catch (e) {
        return e instanceof XenoflowError ? e.code : "other";
      }
    });
    expect(verdicts).toEqual(BAD.map(() => "E_INTERNAL"));
  });

  test("an export naming a bad table, key or value column is refused before any SQL or spool write", async () => {
    const bads: WindowExport[] = [
      { ...exp, table: 'all_names"; DROP TABLE x; --' },
      { ...exp, keys: [{ name: 'ifname" text); DROP TABLE x; --', type: "string" }] },
      { ...exp, values: ["flows; DROP TABLE x"] },
    ];
    for (const b of bads) for (const d of ["sqlite", "postgres"] as const) expect(() => columnsOf(b, d)).toThrow(XenoflowError);
    const inner = createSqliteSink(":memory:");
    const sink = createSpooledSink(inner, join(root, "spool-bad"), { maxBytes: 1 << 20 });
    const refused = await Promise.all(bads.map((b) => sink.write(b).then(() => "written", (e: XenoflowError) => e.code)));
    expect([refused, sink.stats().entries]).toEqual([["E_INTERNAL", "E_INTERNAL", "E_INTERNAL"], 0]);
    await sink.close();
  });
});
