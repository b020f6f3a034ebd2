import { describe, expect, test } from "bun:test";
import { StoreError, isTransient, maskUrl, pgStoreError } from "../../src/store/store-error.ts";

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
  const cases: [string, boolean][] = [
    ["ECONNREFUSED", true],
    ["CONNECT_TIMEOUT", true],
    ["CONNECTION_CLOSED", true],
    ["57P01", true], // admin_shutdown: pg_ctl stop -m fast
    ["57014", true], // statement_timeout
    ["08006", true],
    ["53100", true], // disk full
    ["40P01", true], // deadlock
    ["22P02", false], // invalid input syntax (a bad inet)
    ["42501", false], // insufficient privilege
  ];
  for (const [code, transient] of cases) {
    test(`${code} is ${transient ? "transient" : "permanent"}`, () => {
      const err = pgStoreError(Object.assign(new Error(`boom at ${url}`), { code }), url, "write to t in");
      expect(err).toBeInstanceOf(StoreError);
      expect([err.code, err.transient, isTransient(err)]).toEqual(["E_STORE", transient, transient]);
      expect(err.message).toBe(`write to t in postgres://flow:***@db:5432/x: boom at postgres://flow:***@db:5432/x (${code})`);
    });
  }
  test("hides a password the driver quotes on its own", () => {
    const err = pgStoreError(Object.assign(new Error('password authentication failed: "s3cr@t"'), { code: "28P01" }), "postgres://flow:s3cr%40t@db/x", "connect to");
    expect([err.message, err.transient]).toEqual(['connect to postgres://flow:***@db/x: password authentication failed: "***" (28P01)', false]);
  });
  test("an error that is not a StoreError is never transient", () => {
    expect(isTransient(new Error("x"))).toBe(false);
  });
});
