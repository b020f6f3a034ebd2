// Reports over a fleet: three collectors write the same windows (each its own multiple of the
// fixture's values) into one SQLite file, one PostgreSQL schema and one ClickHouse server. Without
// --collector a report sums the fleet; with it, one collector's rows; the fleet's numbers equal the
// sum of the three, and every store prints the same text.
// PostgreSQL unreachable or no clickhouse-server: skipped on a developer machine, a failure under CI=true.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import postgres from "postgres";
import type { Config } from "../../src/config/types.ts";
import { XenoflowError } from "../../src/errors.ts";
import type { ReportDb } from "../../src/report/model.ts";
import { openClickhouseReports } from "../../src/report/clickhouse.ts";
import { openPostgresReports } from "../../src/report/postgres.ts";
import { reportSeries, reportTop } from "../../src/report/run.ts";
import { openSqliteReports } from "../../src/report/sqlite.ts";
import { createClickhouseSink } from "../../src/store/clickhouse.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { Sink } from "../../src/store/sink.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { tree } from "../config/tmp.ts";
import { type ClickhouseServer, createClickhouse, haveClickhouse } from "../support/clickhouse.ts";
import { T0, loadFixtureConfig, writeData } from "./fixture.ts";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const ROOT = resolve(import.meta.dir, "../..");
const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const schema = `xf_fleet_${process.pid}_${Date.now().toString(36)}`;
const FLEET: Array<[string, number]> = [
  ["pop1", 1],
  ["pop2", 10],
  ["pop3", 100],
];
const range = { from: String(T0), to: String(T0 + 180), csv: true };

if (!reachable && process.env.CI === "true") {
  test(`PostgreSQL at ${URL} is reachable`, () => {
    throw new Error(`PostgreSQL at ${URL} is unreachable and CI=true: the fleet report tests must run`);
  });
}

let config: Config;
const stores: Array<[string, ReportDb]> = [];
let clickhouse: ClickhouseServer | null = null;

async function fill(open: (collector: string) => Sink): Promise<void> {
  for (const [name, scale] of FLEET) {
    const sink = open(name);
    await writeData(config, sink, scale);
    await sink.close();
  }
}

beforeAll(async () => {
  config = loadFixtureConfig();
  const path = join(tree({}), "fleet.sqlite");
  await fill((c) => createSqliteSink(path, c));
  stores.push(["sqlite", openSqliteReports(path)]);
  if (haveClickhouse) {
    clickhouse = await createClickhouse();
    const url = clickhouse.url;
    await fill((collector) => createClickhouseSink(url, { collector }));
    stores.push(["clickhouse", openClickhouseReports(url)]);
  }
  if (!reachable) return;
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  await fill((collector) => createPostgresSink(URL, { schema, connectTimeoutS: 5, collector }));
  const psql = Bun.spawnSync(["psql", URL, "-q", "-X", "-f", join(ROOT, "sql/install.sql")], {
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    stderr: "pipe",
  });
  if (psql.exitCode !== 0) throw new Error(`psql -f sql/install.sql failed: ${psql.stderr.toString()}`);
  stores.push(["postgres", openPostgresReports(URL, { schema })]);
}, 60_000);

afterAll(async () => {
  for (const [, db] of stores) await db.close();
  await clickhouse?.destroy();
  if (reachable) await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
}, 60_000);

/** `report top --csv` lines as label (the keys, or other / total) -> the value columns. */
function byLabel(csv: string, keyCount: number): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of csv.trimEnd().split("\n").slice(1)) {
    const cells = line.split(",");
    const label = cells[0] === "other" || cells[0] === "total" ? cells[0] : cells.slice(1, 1 + keyCount).join(",");
    out.set(label, cells.slice(1 + keyCount).map(Number));
  }
  return out;
}

/** `report series --csv` lines as bucket -> [sum] (the rate column is the sum divided, rounded). */
function byBucket(csv: string): Map<string, number[]> {
  return new Map(csv.trimEnd().split("\n").slice(1).map((line) => line.split(",")).map((c) => [c[0]!, [Number(c[2])]]));
}

function summed(maps: Map<string, number[]>[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const m of maps) for (const [k, v] of m) out.set(k, (out.get(k) ?? v.map(() => 0)).map((x, i) => x + v[i]!));
  return out;
}

if (!haveClickhouse && process.env.CI === "true") {
  test("clickhouse-server is installed", () => {
    throw new Error("clickhouse-server is missing and CI=true: .ci/run installs it");
  });
}

describe("reports over a fleet", () => {
  test("every store prints the same top and series, for the fleet and for one collector", async () => {
    expect(stores.map(([kind]) => kind)).toEqual(["sqlite", ...(haveClickhouse ? ["clickhouse"] : []), ...(reachable ? ["postgres"] : [])]);
    const [, first] = stores[0]!;
    for (const collector of [undefined, "pop2"]) {
      for (const [mo, window, by] of [["all", "talkers", "octets"], ["all", "proto", "bits"], ["all", "nets", "octets"], ["lan", "macs", "packets"]] as const) {
        for (const n of ["1", "3", "50"]) {
          const args = { mo, window, by, n, ...range, csv: false, collector };
          const want = await reportTop(config, first, args, 0);
          for (const [kind, db] of stores.slice(1)) expect([kind, await reportTop(config, db, args, 0)]).toEqual([kind, want]);
        }
      }
      const args = { mo: "all", window: "proto", value: "flows", every: "30s", from: range.from, to: String(T0 + 300), collector };
      const want = await reportSeries(config, first, args, 0);
      for (const [kind, db] of stores.slice(1)) expect([kind, await reportSeries(config, db, args, 0)]).toEqual([kind, want]);
    }
  });

  test("top over the fleet equals the sum of the per-collector tops; --collector narrows", async () => {
    for (const [kind, db] of stores) {
      for (const [mo, window, keys] of [["all", "talkers", 2], ["all", "proto", 3], ["lan", "macs", 2]] as const) {
        const top = (collector?: string) => reportTop(config, db, { mo, window, n: "50", ...range, collector }, 0);
        const fleet = byLabel(await top(), keys);
        const each = await Promise.all(FLEET.map(async ([c]) => byLabel(await top(c), keys)));
        expect([kind, fleet]).toEqual([kind, summed(each)]);
        // pop2 wrote ten times pop1's values: narrowing really selects its rows.
        expect(each[1]!.get("total")).toEqual(each[0]!.get("total")!.map((v) => v * 10));
      }
    }
  });

  test("series over the fleet equals the sum of the per-collector series", async () => {
    for (const [kind, db] of stores) {
      const series = async (collector?: string) =>
        byBucket(await reportSeries(config, db, { mo: "all", window: "talkers", value: "octets", every: "1m", ...range, collector }, 0));
      const each = await Promise.all(FLEET.map(([c]) => series(c)));
      expect([kind, await series()]).toEqual([kind, summed(each)]);
    }
  });

  test("a collector without rows is E_USAGE naming it", async () => {
    for (const [, db] of stores) {
      const err = await reportTop(config, db, { mo: "all", window: "talkers", ...range, collector: "pop9" }, 0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XenoflowError);
      expect((err as XenoflowError).message).toBe("no rows of collector pop9 in all_talkers from 2023-11-14T22:14:00Z to 2023-11-14T22:17:00Z");
    }
  });

  test.skipIf(!reachable)("sql/ functions: the fleet's total, or one collector's with only_collector", async () => {
    const q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${schema}"` } });
    try {
      const total = async (fn: string, collector: string | null) => {
        const rows = await q.unsafe(fn, [T0, T0 + 180, collector]);
        return rows.reduce((s, r) => s + Number(r.value), 0);
      };
      const top = "SELECT value FROM xenoflow_top('all_talkers', 'octets', to_timestamp($1), to_timestamp($2), 50, $3) WHERE label = 'total'";
      const series = "SELECT value FROM xenoflow_series('all_talkers', 'octets', to_timestamp($1), to_timestamp($2), '1m', $3)";
      const proto = "SELECT value FROM xenoflow_proto('all_proto', 'flows', to_timestamp($1), to_timestamp($2), $3)";
      for (const fn of [top, series, proto]) {
        const one = await total(fn, "pop1");
        expect([await total(fn, "pop2"), await total(fn, null)]).toEqual([one * 10, one * 111]);
      }
    } finally {
      await q.end();
    }
  });
});
