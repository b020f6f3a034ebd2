import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StoreError, type StoreFault, isTransient, maskUrl, pgStoreError, sqliteStoreError } from "../../src/store/store-error.ts";

describe("maskUrl", () => {
  test("hides the password and nothing else", () => {
    expect(maskUrl("postgres://flow:s3cr%40t@db.example:5432/xenoflow?sslmode=require")).toBe("postgres://flow:***@db.example:5432/xenoflow?sslmode=require");
    expect(maskUrl("postgresql://flow:p@ss:word@10.0.0.5/db")).toBe("postgresql://flow:***@10.0.0.5/db");
    expect(maskUrl("postgres://flow@db.example/xenoflow")).toBe("postgres://flow@db.example/xenoflow");
    expect(maskUrl("sqlite:/var/lib/xenoflow/xenoflow.sqlite")).toBe("sqlite:/var/lib/xenoflow/xenoflow.sqlite");
  });
});

describe("pgStoreError", () => {
  const url = "postgres://flow:hunter2@db:5432/x";
  const cases: [string, StoreFault][] = [
    ["ECONNREFUSED", "down"],
    ["CONNECT_TIMEOUT", "down"],
    ["CONNECTION_CLOSED", "down"],
    ["57P01", "down"], // admin_shutdown: pg_ctl stop -m fast
    ["57014", "down"], // statement_timeout
    ["08006", "down"],
    ["40P01", "down"], // deadlock
    ["53300", "down"], // too many connections
    ["53100", "refused"], // disk full
    ["3D000", "refused"], // database does not exist
    ["28000", "refused"], // role does not exist
    ["28P01", "refused"], // wrong password
    ["42501", "refused"], // insufficient privilege
    ["3F000", "refused"], // no schema to create in
    ["25006", "refused"], // read-only transaction
    ["42703", "refused"], // a column renamed by hand
    ["23502", "refused"], // a NOT NULL column added by hand
    ["22P02", "data"], // invalid input syntax (a bad inet)
    ["22003", "data"], // out of range for bigint
  ];
  for (const [code, fault] of cases) {
    test(`${code} is ${fault}`, () => {
      const err = pgStoreError(Object.assign(new Error(`boom at ${url}`), { code }), url, "write to t in");
      expect(err).toBeInstanceOf(StoreError);
      expect([err.code, err.fault, isTransient(err)]).toEqual(["E_STORE", fault, fault !== "data"]);
      expect(err.message).toBe(`write to t in postgres://flow:***@db:5432/x: boom at postgres://flow:***@db:5432/x (${code})`);
      expect(err.reason).not.toContain("hunter2");
    });
  }
  const reason = (code: string, msg: string, table = "") => pgStoreError(Object.assign(new Error(msg), { code }), url, "write to all_proto in", table).reason;
  test("each refusal names its cause and its fix", () => {
    expect([
      reason("3D000", 'database "xf_typo" does not exist'),
      reason("28000", 'role "flow" does not exist'),
      reason("28P01", 'password authentication failed for user "flow"'),
      reason("28000", 'no pg_hba.conf entry for host "10.0.0.9", user "flow", database "x", no encryption'),
      reason("42501", "permission denied for schema public"),
      reason("42501", "permission denied for table all_proto", "all_proto"),
      reason("3F000", "no schema has been selected to create in"),
      reason("25006", "cannot execute INSERT in a read-only transaction"),
      reason("53100", 'could not extend file "base/16384/16390": No space left on device'),
      reason("42703", 'column "flows" of relation "all_proto" does not exist', "all_proto"),
      reason("22003", 'value "100000000000000000000" is out of range for type bigint', "all_proto"),
      reason("ECONNREFUSED", "connect ECONNREFUSED 10.0.0.5:5432"),
    ]).toEqual([
      'database "xf_typo" does not exist: create it (createdb -O flow xf_typo) or fix the database name in storage.url',
      'role "flow" does not exist: create it (CREATE ROLE flow LOGIN) or fix the user in storage.url',
      `password authentication failed for user "flow": fix the password in storage.url or the role's (ALTER ROLE flow PASSWORD ...)`,
      'no pg_hba.conf entry for host "10.0.0.9", user "flow", database "x", no encryption: fix the user or password in storage.url, or allow the collector\'s host in pg_hba.conf',
      "permission denied for schema public: GRANT USAGE, CREATE ON SCHEMA public TO flow",
      "permission denied for table all_proto: GRANT SELECT, INSERT, DELETE ON all_proto TO flow (or make flow their owner)",
      "no schema has been selected to create in: create the schema (CREATE SCHEMA name AUTHORIZATION flow) or fix the schema in the config",
      "the database is read-only: ALTER DATABASE/ROLE ... RESET default_transaction_read_only, or point storage.url at the primary",
      `the database server's disk is full (could not extend file "base/16384/16390": No space left on device): free space on it`,
      'table all_proto: column "flows" of relation "all_proto" does not exist: the table was changed by hand; restore the column or constraint as xenoflow created it, or rename the window',
      'table all_proto: value "100000000000000000000" is out of range for type bigint (22003)',
      "database unreachable: connect ECONNREFUSED 10.0.0.5:5432",
    ]);
  });
  test("hides a password the driver quotes on its own", () => {
    const err = pgStoreError(Object.assign(new Error('password authentication failed: "s3cr@t"'), { code: "28P01" }), "postgres://flow:s3cr%40t@db/x", "connect to");
    expect([err.message, err.fault]).toEqual(['connect to postgres://flow:***@db/x: password authentication failed: "***" (28P01)', "refused"]);
    expect(err.reason).not.toContain("s3cr");
  });
  test("an error that is not a StoreError is never transient", () => {
    expect(isTransient(new Error("x"))).toBe(false);
  });
});

describe("sqliteStoreError, on errors bun:sqlite really throws", () => {
  const dir = mkdtempSync(join(tmpdir(), "xf-sqlite-err-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const thrown = (run: () => void): unknown => {
    try {
      run();
    } catch (err) {
      return err;
    }
    throw new Error("did not throw");
  };
  const classify = (err: unknown) => {
    const e = sqliteStoreError(err, "/var/lib/xenoflow/xf.sqlite", "all_proto");
    return [e.fault, e.reason.split(" (/var/lib")[0]];
  };
  test("read-only, disk full, locked: refused, each with its fix; a constraint: data", () => {
    const path = join(dir, "a.sqlite");
    const w = new Database(path, { create: true });
    w.exec("CREATE TABLE t (v INTEGER NOT NULL)");
    const ro = new Database(path, { readonly: true });
    const readOnly = thrown(() => ro.exec("INSERT INTO t VALUES (1)"));
    ro.close();
    w.exec("PRAGMA max_page_count = 3");
    const full = thrown(() => w.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000) INSERT INTO t SELECT i FROM n"));
    w.exec("PRAGMA max_page_count = 1000000");
    const other = new Database(path);
    other.exec("PRAGMA busy_timeout = 0");
    w.exec("BEGIN EXCLUSIVE");
    const locked = thrown(() => other.exec("INSERT INTO t VALUES (1)"));
    w.exec("ROLLBACK");
    const constraint = thrown(() => other.exec("INSERT INTO t VALUES (NULL)"));
    other.close();
    w.close();
    expect([readOnly, full, locked, constraint].map(classify)).toEqual([
      ["refused", "the SQLite file or its directory is read-only: make both writable by the collector's user"],
      ["refused", "the disk holding the SQLite file is full: free space on it"],
      ["refused", "the SQLite file is locked by another process: stop whatever holds it"],
      ["data", "table all_proto: NOT NULL constraint failed: t.v"],
    ]);
  });
});
