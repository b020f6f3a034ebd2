// The guard scripts/patch-postgres.mjs applies (porsager/postgres#1208): queries on a connection
// whose backend died must settle or stay pending, never throw an uncaught exception from a timer
// (which would take the collector down). Whether Linux delivers the backend's end as FIN or RST
// decides which of the two the driver does, so both are accepted; a crash fails the test.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

const settle = (p: Promise<unknown>): Promise<string> =>
  Promise.race([p.then(() => "ok", (e: { code?: string }) => e.code ?? "error"), Bun.sleep(1500).then(() => "pending")]);

test("the installed driver carries the guard", () => {
  const src = readFileSync(join(import.meta.dir, "../../node_modules/postgres/src/connection.js"), "utf8");
  expect(src).toContain("xenoflow: guard a closed socket");
});

test("queries on a reserved connection whose backend was terminated do not crash the process", async () => {
  const sql = postgres(URL, { max: 2, onnotice: () => {} });
  const killer = postgres(URL, { max: 1 });
  try {
    const reserved = await sql.reserve();
    const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await killer`select pg_terminate_backend(${row?.pid ?? 0})`;
    const first = await settle(reserved`select 1`);
    const second = await settle(reserved`select 1`);
    await Bun.sleep(100); // a timer-thrown TypeError would surface here and fail the test
    for (const r of [first, second]) expect(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "ECONNRESET", "pending", "57P01"]).toContain(r);
  } finally {
    await Promise.race([Promise.all([sql.end({ timeout: 1 }), killer.end({ timeout: 1 })]), Bun.sleep(3000)]);
  }
}, 15_000);
