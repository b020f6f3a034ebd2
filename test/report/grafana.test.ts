// The Grafana dashboard and the sql/ helpers it uses: the JSON parses, calls only functions that
// sql/install.sql creates, and every query it holds runs on real PostgreSQL against data written by
// the project's sink, after the Grafana macros are replaced as Grafana would.
// PostgreSQL unreachable: skipped on a developer machine, a failure under CI=true.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { T0, loadFixtureConfig, writeData } from "./fixture.ts";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const ROOT = resolve(import.meta.dir, "../..");
const dashboard = JSON.parse(readFileSync(join(ROOT, "config/grafana/xenoflow.json"), "utf8")) as {
  uid: string;
  templating: { list: { name: string; type: string; query: string }[] };
  panels: { id: number; type: string; targets?: { rawSql: string; format: string }[] }[];
};

/** Every SQL text the dashboard runs: variable queries and panel targets. */
function queries(): { where: string; sql: string }[] {
  const out = dashboard.templating.list.filter((v) => v.type === "query").map((v) => ({ where: `variable ${v.name}`, sql: v.query }));
  for (const p of dashboard.panels) for (const t of p.targets ?? []) out.push({ where: `panel ${p.id}`, sql: t.rawSql });
  return out;
}

const defined = new Set(
  readdirSync(join(ROOT, "sql"))
    .filter((f) => f.endsWith(".sql"))
    .flatMap((f) => [...readFileSync(join(ROOT, "sql", f), "utf8").matchAll(/CREATE OR REPLACE FUNCTION (\w+)\(/g)].map((m) => m[1]!)),
);

describe("config/grafana/xenoflow.json", () => {
  test("has the variables and panels the docs describe", () => {
    expect(dashboard.uid).toBe("xenoflow-windows");
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual(["datasource:datasource", "mo:query", "window:query", "value:query", "n:custom", "collector:query", "proto_table:query"]);
    expect(dashboard.panels.map((p) => p.type)).toEqual(["timeseries", "table", "piechart", "bargauge"]);
  });

  test("calls only functions that sql/install.sql creates", () => {
    const install = readFileSync(join(ROOT, "sql/install.sql"), "utf8");
    const included = [...install.matchAll(/^\\ir (\S+)$/gm)].map((m) => m[1]);
    expect(included.sort()).toEqual(readdirSync(join(ROOT, "sql")).filter((f) => f.endsWith(".sql") && f !== "install.sql").sort());
    const called = new Set(queries().flatMap((q) => [...q.sql.matchAll(/\b(xenoflow_\w+)\s*\(/g)].map((m) => m[1]!)));
    expect([...called].sort()).toEqual(["xenoflow_proto", "xenoflow_series", "xenoflow_top", "xenoflow_value_columns"]);
    for (const f of called) expect(defined.has(f)).toBe(true);
  });
});

const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const schema = `xf_grafana_${process.pid}_${Date.now().toString(36)}`;
let q: postgres.Sql;

if (!reachable && process.env.CI === "true") {
  test(`PostgreSQL at ${URL} is reachable`, () => {
    throw new Error(`PostgreSQL at ${URL} is unreachable and CI=true: the Grafana query tests must run`);
  });
}

beforeAll(async () => {
  if (!reachable) return;
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  // Partitioned, as with `[storage] partition`: the variables must list the tables, not their partitions.
  const sink = createPostgresSink(URL, { schema, connectTimeoutS: 5, partitionSeconds: 86400, collector: "pop1" });
  await writeData(loadFixtureConfig(), sink);
  await sink.close();
  const psql = Bun.spawnSync(["psql", URL, "-q", "-X", "-f", join(ROOT, "sql/install.sql")], {
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    stderr: "pipe",
  });
  if (psql.exitCode !== 0) throw new Error(`psql -f sql/install.sql failed: ${psql.stderr.toString()}`);
  q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${schema}"` } });
});

afterAll(async () => {
  if (reachable) {
    await q?.end();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
  await admin.end();
});

/** What Grafana sends for the dashboard's range [T0, T0 + 180) and the chosen variables. */
function expand(sql: string, vars: Record<string, string>): string {
  return sql
    .replaceAll("$__timeFrom()", `'${new Date(T0 * 1000).toISOString()}'`)
    .replaceAll("$__timeTo()", `'${new Date((T0 + 180) * 1000).toISOString()}'`)
    .replaceAll("${__interval_ms}", "60000")
    .replace(/\$\{(\w+)\}/g, (_, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`no value for \${${name}}`);
      return v;
    });
}

describe.skipIf(!reachable)("dashboard queries on PostgreSQL", () => {
  // collector "": the variable's All (allValue), the whole fleet.
  const vars = { mo: "all", window: "talkers", value: "octets", n: "3", proto_table: "all_proto", collector: "" };
  const run = async (where: string, more: Record<string, string> = {}) => {
    const found = queries().find((x) => x.where === where);
    if (!found) throw new Error(`no query for ${where}`);
    return (await q.unsafe(expand(found.sql, { ...vars, ...more }))).map((r): Record<string, unknown> => ({ ...r }));
  };

  test("variables list the window tables, their windows and values", async () => {
    expect(await run("variable mo")).toEqual([{ split_part: "all" }, { split_part: "lan" }]);
    expect((await run("variable window")).map((r) => r.substr).sort()).toEqual(["nets", "proto", "talkers"]);
    expect(await run("variable value")).toEqual([{ unnest: "octets" }, { unnest: "packets" }]);
    expect(await run("variable proto_table")).toEqual([{ table_name: "all_proto" }]);
    expect(await run("variable collector")).toEqual([{ collector: "pop1" }]);
  });

  test("every panel narrows to the chosen collector", async () => {
    for (const panel of ["panel 1", "panel 2", "panel 3", "panel 4"]) expect(await run(panel, { collector: "pop1" })).toEqual(await run(panel));
    const other = { collector: "pop9" };
    // A collector that never wrote has no first window, so its series has no buckets at all.
    expect(await run("panel 1", other)).toEqual([]);
    expect(await run("panel 2", other)).toEqual([
      { key: "other", octets: "0", "%": null },
      { key: "total", octets: "0", "%": null },
    ]);
    expect([await run("panel 3", other), await run("panel 4", other)]).toEqual([[], []]);
  });

  test("traffic panel: one point per minute with the per-second rate", async () => {
    const rows = await run("panel 1");
    expect(rows.map((r) => [(r.time as Date).getTime() / 1000, r["octets/s"]])).toEqual([
      [T0, 1_210_010_777 / 60],
      [T0 + 60, 5106 / 60],
      [T0 + 120, 5000 / 60],
    ]);
  });

  test("top table: keys, other, total and shares", async () => {
    expect(await run("panel 2")).toEqual([
      { key: "10.0.0.1, 443", octets: "1210000005", "%": "100.0" },
      { key: "10.0.0.10, 53", octets: "5001", "%": "0.0" },
      { key: "10.0.0.2, 443", octets: "5000", "%": "0.0" },
      { key: "other", octets: "10877", "%": "0.0" },
      { key: "total", octets: "1210020883", "%": "100.0" },
    ]);
  });

  test("protocol pie and bars: named protocols, the remainder as other", async () => {
    const expected = [
      { name: "tcp", value: String(2 * 2 ** 52 + 8) },
      { name: "udp", value: String(2 * 2 ** 52) },
      { name: "other", value: "8000" },
      { name: "gre", value: "800" },
      { name: "icmp", value: "80" },
    ];
    expect(await run("panel 3")).toEqual(expected);
    expect(await run("panel 4")).toEqual(expected);
  });

  test("xenoflow_create_views: per-protocol and per-AS views where the columns exist", async () => {
    expect((await q`SELECT xenoflow_create_views('all_proto') AS v`).map((r) => r.v)).toEqual(["all_proto_by_proto", "all_proto_by_src_as", "all_proto_by_dst_as"]);
    expect((await q`SELECT xenoflow_create_views('all_talkers') AS v`).length).toBe(0);
    const bySrc = await q`SELECT extract(epoch FROM "time")::int AS t, src_as, bits::text, flows::text FROM all_proto_by_src_as ORDER BY 1, 2 NULLS LAST`;
    expect(bySrc.map((r): Record<string, unknown> => ({ ...r }))).toEqual([
      { t: T0, src_as: "64500", bits: String(2 * 2 ** 52), flows: "5" },
      { t: T0, src_as: null, bits: "80", flows: "1" },
      { t: T0 + 30, src_as: "64500", bits: String(2 * 2 ** 52), flows: "4" },
      { t: T0 + 30, src_as: "64511", bits: "8", flows: "1" },
      { t: T0 + 90, src_as: "64512", bits: "800", flows: "1" },
      { t: T0 + 90, src_as: null, bits: "8000", flows: "9" },
    ]);
    const byProto = await q`SELECT proto_name, sum(bits)::text AS bits FROM all_proto_by_proto GROUP BY 1 ORDER BY 1`;
    expect(byProto.map((r): Record<string, unknown> => ({ ...r }))).toEqual([
      { proto_name: "gre", bits: "800" },
      { proto_name: "icmp", bits: "80" },
      { proto_name: "other", bits: "8000" },
      { proto_name: "tcp", bits: String(2 * 2 ** 52 + 8) },
      { proto_name: "udp", bits: String(2 * 2 ** 52) },
    ]);
  });

  test("functions refuse a value column the table lacks, naming the ones it has", async () => {
    const err = await q`SELECT * FROM xenoflow_top('all_talkers', 'bits', now(), now(), 5)`.catch((e: Error) => e);
    expect((err as Error).message).toBe('xenoflow_top: table all_talkers has no value column "bits"; it has octets, packets');
    const err2 = await q`SELECT * FROM xenoflow_proto('all_talkers', 'octets', now(), now())`.catch((e: Error) => e);
    expect((err2 as Error).message).toBe("xenoflow_proto: table all_talkers has no proto column; use a window keyed by proto");
  });
});
