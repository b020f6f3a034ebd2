// PostgreSQL window tables partitioned by time (`[storage] partition`): partitions made ahead of
// need, retention dropping whole partitions only, range queries reading only their partitions, a
// table from before partitioning left working with one log line, collectors creating the same
// partitions at once. Against the shared server, in schemas of its own.
import { afterAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { type Bounds, expired, partitionName, rangeFor } from "../../src/store/pg-partitions.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { talkers } from "./contract.ts";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const prefix = `xf_part_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
let n = 0;
const DAY = 86400;
const D = 19675 * DAY; // 2023-11-14T00:00:00Z

afterAll(async () => {
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
});

if (!reachable && process.env.CI === "true") {
  test(`PostgreSQL at ${URL} is reachable`, () => {
    throw new Error(`PostgreSQL at ${URL} is unreachable and CI=true: the partition tests must run`);
  });
}

describe("partition ranges", () => {
  test("a period of its own, shrunk to the gap between existing partitions; expiry by upper bound", () => {
    const b = (from: number, to: number): Bounds => ({ name: partitionName("t", from), from, to });
    expect(partitionName("all_talkers", D)).toBe("all_talkers_20231114");
    expect(rangeFor(D + 5, DAY, [])).toEqual({ from: D, to: D + DAY });
    expect(rangeFor(D + 5, DAY, [b(D, D + DAY)])).toBeNull();
    // 7-day periods after 1-day partitions: the gap only, no overlap.
    expect(rangeFor(D + 2 * DAY, 7 * DAY, [b(D, D + DAY), b(D + DAY, D + 2 * DAY), b(D + 4 * DAY, D + 5 * DAY)])).toEqual({ from: D + 2 * DAY, to: D + 4 * DAY });
    expect(expired([b(D, D + DAY), b(D + DAY, D + 2 * DAY)], D + DAY + 5).map((x) => x.name)).toEqual(["t_20231114"]);
  });
});

describe.skipIf(!reachable)("partitioned PostgreSQL tables", () => {
  async function schema() {
    const s = `${prefix}_${++n}`;
    schemas.push(s);
    await admin.unsafe(`CREATE SCHEMA "${s}"`);
    const q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${s}"` } });
    const partitions = async (table: string) =>
      (await q`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ${table}::regclass ORDER BY 1`).map((r) => r.relname as string);
    return { s, q, partitions };
  }

  test("partitions ahead of need; retention drops whole partitions only; a range query reads only its partition", async () => {
    const { s, q, partitions } = await schema();
    const sink = createPostgresSink(URL, { schema: s, collector: "pop1", partitionSeconds: DAY });
    for (const [i, t] of [D - 2 * DAY + 60, D + 60, D + 7200, D + DAY + 60].entries()) await sink.write(talkers(t, [[`10.0.0.${i}`, 443, 100, 1]]), i + 1);
    const [kind] = await q`SELECT relkind::text AS k FROM pg_class WHERE oid = 'web_talkers'::regclass`;
    expect(kind?.k).toBe("p");
    expect(await partitions("web_talkers")).toEqual(["web_talkers_20231112", "web_talkers_20231113", "web_talkers_20231114", "web_talkers_20231115", "web_talkers_20231116"]);
    const plan = (await q.unsafe(`EXPLAIN SELECT sum(octets) FROM web_talkers WHERE "time" >= to_timestamp($1) AND "time" < to_timestamp($2)`, [D + 60, D + 3600])).map((r) => String(r["QUERY PLAN"])).join("\n");
    expect([...new Set(plan.match(/web_talkers_\d{8}/g))]).toEqual(["web_talkers_20231114"]);
    // The cutoff falls inside D: that partition stays whole, with its row older than the cutoff.
    await sink.prune(["web_talkers"], D + 3600);
    expect(await partitions("web_talkers")).toEqual(["web_talkers_20231114", "web_talkers_20231115", "web_talkers_20231116"]);
    const rows = await q`SELECT extract(epoch FROM "time")::int AS t FROM web_talkers ORDER BY 1`;
    expect(rows.map((r) => r.t)).toEqual([D + 60, D + 7200, D + DAY + 60]);
    await sink.close();
    await q.end();
  });

  test("collectors creating the same partitioned table and partitions at once all succeed", async () => {
    const { s, q } = await schema();
    const sinks = ["a", "b", "c", "d"].map((collector) => createPostgresSink(URL, { schema: s, collector, partitionSeconds: DAY }));
    await Promise.all(sinks.map((sink, i) => sink.write(talkers(D + 60, [[`10.0.0.${i}`, 443, 100, 1]]), 1)));
    await Promise.all(sinks.map((sink, i) => sink.write(talkers(D + 3 * DAY, [[`10.0.0.${i}`, 443, 100, 1]]), 2)));
    const [r] = await q`SELECT count(*)::int AS n, count(DISTINCT collector)::int AS c FROM web_talkers`;
    expect([r?.n, r?.c]).toEqual([8, 4]);
    for (const sink of sinks) await sink.close();
    await q.end();
  });

  test("a table from before partitioning keeps working, with one log line; retention deletes its rows", async () => {
    const { s, q } = await schema();
    const plain = createPostgresSink(URL, { schema: s, collector: "pop1" });
    await plain.write(talkers(D - DAY, [["10.0.0.1", 443, 100, 1]]), 1);
    await plain.close();
    const said: string[] = [];
    const sink = createPostgresSink(URL, { schema: s, collector: "pop1", partitionSeconds: DAY, warn: (m) => said.push(m) });
    await sink.write(talkers(D, [["10.0.0.2", 443, 100, 1]]), 2);
    await sink.write(talkers(D + 60, [["10.0.0.3", 443, 100, 1]]), 3);
    expect(said).toEqual([
      "table web_talkers is not partitioned (it predates [storage] partition): it keeps working and retention deletes its old rows; docs/FLEET.md shows how to partition it",
    ]);
    await sink.prune(["web_talkers"], D);
    const rows = await q`SELECT extract(epoch FROM "time")::int AS t FROM web_talkers ORDER BY 1`;
    expect(rows.map((r) => r.t)).toEqual([D, D + 60]);
    await sink.close();
    // docs/FLEET.md's commands: the old table becomes the partition of everything before tomorrow.
    const tomorrow = new Date((D + DAY) * 1000).toISOString();
    await q.begin(async (tx) => {
      await tx.unsafe("ALTER TABLE web_talkers RENAME TO web_talkers_unpartitioned");
      await tx.unsafe("ALTER INDEX web_talkers_time_idx RENAME TO web_talkers_unpartitioned_time_idx");
      await tx.unsafe('CREATE TABLE web_talkers (LIKE web_talkers_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE ("time")');
      await tx.unsafe(`ALTER TABLE web_talkers ATTACH PARTITION web_talkers_unpartitioned FOR VALUES FROM (MINVALUE) TO ('${tomorrow}')`);
    });
    const after = createPostgresSink(URL, { schema: s, collector: "pop1", partitionSeconds: DAY, warn: (m) => said.push(m) });
    await after.write(talkers(D + DAY + 60, [["10.0.0.4", 443, 100, 1]]), 4);
    await after.prune(["web_talkers"], D + DAY);
    const left = await q`SELECT extract(epoch FROM "time")::int AS t FROM web_talkers ORDER BY 1`;
    expect([said.length, left.map((r) => r.t)]).toEqual([1, [D + DAY + 60]]);
    const [idx] = await q`SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = ${s} AND tablename = 'web_talkers_20231115'`;
    expect(idx?.n).toBe(1);
    await after.close();
    await q.end();
  });
});
