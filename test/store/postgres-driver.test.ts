// The guard scripts/patch-postgres.mjs applies (porsager/postgres#1208): a query on a connection
// whose backend died must reject, not throw an uncaught exception from a timer.
import { expect, test } from "bun:test";
import postgres from "postgres";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

test("a reserved connection whose backend was terminated rejects later queries instead of crashing", async () => {
  const sql = postgres(URL, { max: 2, onnotice: () => {} });
  const killer = postgres(URL, { max: 1 });
  try {
    const reserved = await sql.reserve();
    const [row] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await killer`select pg_terminate_backend(${row?.pid ?? 0})`;
    await reserved`select 1`.catch(() => {});
    await expect(reserved`select 1`).rejects.toMatchObject({ code: "CONNECTION_CLOSED" });
    reserved.release();
  } finally {
    await sql.end({ timeout: 1 });
    await killer.end({ timeout: 1 });
  }
});
