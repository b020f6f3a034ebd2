import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../../src/config/types.ts";
import { openSink } from "../../src/store/open.ts";

const dir = mkdtempSync(join(tmpdir(), "xenoflow-open-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const storage = (url: string, kind: Config["storage"]["kind"]): Config["storage"] => ({ url, kind, retention: 86400, spoolMax: 1 << 20, partition: 0, collector: "test", interfaceCounters: 0 });

describe("openSink", () => {
  test("sqlite: creates the file and its directory", async () => {
    const path = join(dir, "var", "xenoflow.sqlite");
    const sink = openSink(storage(`sqlite:${path}`, "sqlite"));
    expect(sink.kind).toBe("sqlite");
    expect(existsSync(path)).toBe(true);
    await sink.close();
  });

  test("postgres: opens lazily, without contacting the server", async () => {
    const sink = openSink(storage("postgres://flow:pw@127.0.0.1:1/x", "postgres"));
    expect(sink.kind).toBe("postgres");
    await sink.close();
  });

  test("clickhouse: opens lazily, without contacting the server", async () => {
    const sink = openSink(storage("clickhouse://flow:pw@127.0.0.1:1/flows", "clickhouse"));
    expect(sink.kind).toBe("clickhouse");
    await sink.close();
    expect(() => openSink(storage("clickhouse://flow:pw@127.0.0.1:1/flo-ws", "clickhouse"))).toThrow('storage.url clickhouse://flow:***@127.0.0.1:1/flo-ws: invalid database name "flo-ws"');
  });

  test("a URL that does not match its kind is a config error, password hidden", () => {
    expect(() => openSink(storage("mysql://flow:pw@db/x", "postgres"))).toThrow("storage.url mysql://flow:***@db/x: expected postgres://user@host:port/db");
    expect(() => openSink(storage("/var/x.sqlite", "sqlite"))).toThrow("expected sqlite:PATH");
  });
});
