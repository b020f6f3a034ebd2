import { describe, expect, test } from "bun:test";
import { clickhouseCode, clickhouseStoreError, parseClickhouseUrl } from "../../src/store/clickhouse-conn.ts";

describe("clickhouse:// URLs", () => {
  test("user, password, host, port, database and cluster; defaults", () => {
    expect(parseClickhouseUrl("clickhouse://flow:p%40ss@ch.example:8124/flows?cluster=xf")).toEqual({
      http: "http://ch.example:8124",
      port: "8124",
      username: "flow",
      password: "p@ss",
      database: "flows",
      cluster: "xf",
    });
    expect(parseClickhouseUrl("clickhouse://[::1]")).toEqual({ http: "http://[::1]:8123", port: "8123", username: "default", password: "", database: "default", cluster: null });
  });

  test("what is wrong, password hidden", () => {
    expect(() => parseClickhouseUrl("clickhouse://u:pw@h/db?shards=2")).toThrow('storage.url clickhouse://u:***@h/db?shards=2: unknown parameter "shards" (known: cluster)');
    expect(() => parseClickhouseUrl("clickhouse://h/db?cluster=a-b")).toThrow('invalid cluster name "a-b"');
    expect(() => parseClickhouseUrl("clickhouse:///db")).toThrow("expected clickhouse://user@host:8123/db");
  });

  test("18.16's error text: the code read from it, transient only where a retry can help", () => {
    const err = new Error("Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1, e.what() = DB::Exception");
    expect(clickhouseCode(err)).toBe(62);
    const wrapped = clickhouseStoreError(err, "clickhouse://u:pw@h/db", "write to t in");
    expect([wrapped.message, wrapped.transient]).toEqual(["write to t in clickhouse://u:***@h/db: Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1", false]);
    expect(clickhouseStoreError(new Error("Code: 252, e.displayText() = DB::Exception: Too many parts"), "clickhouse://h", "w").transient).toBe(true);
    expect(clickhouseStoreError(new Error("connect ECONNREFUSED 127.0.0.1:8123"), "clickhouse://h", "w").transient).toBe(true);
  });
});
