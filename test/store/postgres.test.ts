// Runs against the shared server; every run works in its own schema and drops it afterwards.
// Unreachable server: skipped on a developer machine, a failure under CI=true.
import { afterAll, describe, test } from "bun:test";
import postgres from "postgres";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { type Cell, sinkContract } from "./contract.ts";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const prefix = `xf_test_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const schemas: string[] = [];

afterAll(async () => {
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

if (!reachable && process.env.CI === "true") {
  test(`PostgreSQL at ${URL} is reachable`, () => {
    throw new Error(`PostgreSQL at ${URL} is unreachable and CI=true: the store tests must run`);
  });
}

function normal(v: unknown): Cell {
  if (v === null || typeof v === "number") return v as Cell;
  if (v instanceof Date) return v.getTime() / 1000;
  if (typeof v === "string" && /^-?\d+$/.test(v)) return Number(v); // bigint arrives as text
  return String(v);
}

describe.skipIf(!reachable)("postgres", () => {
  sinkContract(
    "postgres",
    async () => {
      const schema = `${prefix}_${++n}`;
      schemas.push(schema);
      await admin.unsafe(`CREATE SCHEMA "${schema}"`);
      const sink = createPostgresSink(URL, { schema, connectTimeoutS: 5 });
      const q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${schema}"` } });
      return {
        sink,
        async columns(table) {
          const r = await q`SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = ${schema} AND table_name = ${table} ORDER BY ordinal_position`;
          return Object.fromEntries(r.map((c) => [c.column_name as string, c.data_type as string]));
        },
        async timeIndexes(table) {
          const r = await q`SELECT indexname FROM pg_indexes WHERE schemaname = ${schema} AND tablename = ${table}
            AND indexdef LIKE '%USING btree ("time")'`;
          return r.map((x) => x.indexname as string);
        },
        async rows(table) {
          const r = await q.unsafe(`SELECT * FROM "${table}" ORDER BY ctid`).values();
          return r.map((row) => (row as unknown[]).map(normal));
        },
        async seqs() {
          const r = await q`SELECT seq FROM xenoflow_exports ORDER BY seq`;
          return r.map((x) => Number(x.seq));
        },
        async close() {
          await sink.close();
          await q.end();
        },
      };
    },
    { time: "timestamp with time zone", address: "inet", uint: "bigint", string: "text", mac: "macaddr", value: "bigint", rate: "double precision" },
  );
});
