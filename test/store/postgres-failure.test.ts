// Failure paths of the PostgreSQL sink that need no server: nothing listening, and a peer that
// accepts the connection and never answers. Both must reject as transient E_STORE, password hidden.
import { afterAll, describe, expect, test } from "bun:test";
import { type Socket, createServer } from "node:net";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { WindowExport } from "../../src/store/sink.ts";
import { StoreError } from "../../src/store/store-error.ts";

const exp: WindowExport = { mo: "all", window: "proto", table: "all_proto", time: 1_700_000_000, keys: [{ name: "proto", type: "uint" }], values: ["flows"], rows: [[6, 1]] };

const sockets: Socket[] = [];
const silent = createServer((s) => sockets.push(s));
await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
const silentPort = (silent.address() as { port: number }).port;
afterAll(() => {
  for (const s of sockets) s.destroy();
  silent.close();
});

async function failure(url: string, opts: Parameters<typeof createPostgresSink>[1]): Promise<StoreError> {
  const sink = createPostgresSink(url, opts);
  try {
    const err = await sink.write(exp, 1).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  } finally {
    await sink.close();
  }
}

describe("postgres sink failures", () => {
  test("connection refused", async () => {
    const err = await failure("postgres://flow:hunter2@127.0.0.1:1/x", { connectTimeoutS: 2 });
    expect([err.code, err.transient]).toEqual(["E_STORE", true]);
    expect(err.message).toStartWith("write to all_proto in postgres://flow:***@127.0.0.1:1/x: ");
    expect(err.message).not.toContain("hunter2");
  });

  test("a peer that never answers hits connect_timeout", async () => {
    const err = await failure(`postgres://flow:hunter2@127.0.0.1:${silentPort}/x`, { connectTimeoutS: 1 });
    expect([err.code, err.transient]).toEqual(["E_STORE", true]);
    expect(err.message).toContain("CONNECT_TIMEOUT");
    expect(err.message).not.toContain("hunter2");
  });

  test("the write deadline rebuilds the pool when connect_timeout is longer", async () => {
    const err = await failure(`postgres://flow:hunter2@127.0.0.1:${silentPort}/x`, { connectTimeoutS: 60, writeTimeoutMs: 300 });
    expect([err.code, err.transient, err.message]).toEqual(["E_STORE", true, `write to all_proto in postgres://flow:***@127.0.0.1:${silentPort}/x: no answer within 300 ms`]);
  });
});
