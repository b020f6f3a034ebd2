// `report top` and `report series` against both stores, on data written through the project's own
// sinks: the same text from SQLite and PostgreSQL, equal to a hand-written SQLite query and to the
// sql/ functions installed with `psql -f sql/install.sql` in a per-run schema.
// PostgreSQL unreachable: skipped on a developer machine, a failure under CI=true.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import postgres from "postgres";
import type { Config } from "../../src/config/types.ts";
import { XenoflowError } from "../../src/errors.ts";
import type { ReportDb } from "../../src/report/model.ts";
import { openPostgresReports } from "../../src/report/postgres.ts";
import { reportSeries, reportTop } from "../../src/report/run.ts";
import { openSqliteReports } from "../../src/report/sqlite.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { tree } from "../config/tmp.ts";
import { ALERTS, NAMES, T0, loadFixtureConfig, writeData } from "./fixture.ts";

const URL = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const ROOT = resolve(import.meta.dir, "../..");
const admin = postgres(URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
const reachable = await admin`SELECT 1`.then(
  () => true,
  () => false,
);
const schema = `xf_report_${process.pid}_${Date.now().toString(36)}`;
const FROM = String(T0);
const TO = String(T0 + 180);

if (!reachable && process.env.CI === "true") {
  test(`PostgreSQL at ${URL} is reachable`, () => {
    throw new Error(`PostgreSQL at ${URL} is unreachable and CI=true: the report tests must run`);
  });
}

let config: Config;
let sqlitePath: string;
let lite: ReportDb;
let pg: ReportDb;
let q: postgres.Sql;

beforeAll(async () => {
  config = loadFixtureConfig();
  sqlitePath = join(tree({}), "x.sqlite");
  const sink = createSqliteSink(sqlitePath);
  await writeData(config, sink);
  await sink.writeNames(NAMES);
  for (const a of ALERTS) await sink.writeAlert(a);
  await sink.close();
  lite = openSqliteReports(sqlitePath);
  if (!reachable) return;
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  const pgSink = createPostgresSink(URL, { schema, connectTimeoutS: 5 });
  await writeData(config, pgSink);
  await pgSink.writeNames(NAMES);
  for (const a of ALERTS) await pgSink.writeAlert(a);
  await pgSink.close();
  const psql = Bun.spawnSync(["psql", URL, "-q", "-X", "-f", join(ROOT, "sql/install.sql")], {
    env: { ...process.env, PGOPTIONS: `-c search_path=${schema}` },
    stderr: "pipe",
    stdout: "pipe",
  });
  if (psql.exitCode !== 0) throw new Error(`psql -f sql/install.sql failed: ${psql.stderr.toString()}`);
  pg = openPostgresReports(URL, { schema });
  q = postgres(URL, { max: 1, onnotice: () => {}, connection: { search_path: `"${schema}"` } });
});

afterAll(async () => {
  await lite?.close();
  if (reachable) {
    await pg?.close();
    await q?.end();
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
  await admin.end();
});

const top = (db: ReportDb, extra: Record<string, string | boolean>) =>
  reportTop(config, db, { mo: "all", window: "talkers", from: FROM, to: TO, ...extra }, T0 + 10_000);

describe("report top on SQLite", () => {
  test("aligned table: top 3 by octets, port names beside the numbers, other, total", async () => {
    expect(await top(lite, { n: "3" })).toBe(
      [
        "all_talkers  2023-11-14T22:14:00Z .. 2023-11-14T22:17:00Z  top 3 by octets",
        "#      src_host   dst_port      octets  packets       %",
        "1      10.0.0.1   443 (https)  1.21 GB   900001  100.0%",
        "2      10.0.0.10  53 (dns)     5.00 kB       11    0.0%",
        "3      10.0.0.2   443 (https)  5.00 kB        9    0.0%",
        "other                          10.9 kB       43    0.0%",
        "total                          1.21 GB   900064  100.0%",
        "",
      ].join("\n"),
    );
  });

  test("CSV by packets: raw numbers, a NULL key cell empty, the remainder rows in other", async () => {
    expect(await top(lite, { n: "4", by: "packets", csv: true })).toBe(
      [
        "row,src_host,dst_port,octets,packets",
        "1,10.0.0.1,443,1210000005,900001",
        "2,10.0.0.2,22,1000,20",
        "3,10.0.0.10,53,5001,11",
        "4,2001:db8::1,80,5000,10",
        "other,,,9877,22",
        "total,,,1210020883,900064",
        "",
      ].join("\n"),
    );
  });

  test("equals a hand-written query on the same table", async () => {
    const db = new Database(sqlitePath, { readonly: true, safeIntegers: true });
    const range = [T0, T0 + 180];
    const rows = db
      .query(`SELECT src_host, dst_port, sum(octets) AS o, sum(packets) AS p FROM all_talkers
        WHERE time >= ?1 AND time < ?2 AND (src_host IS NOT NULL OR dst_port IS NOT NULL)
        GROUP BY src_host, dst_port ORDER BY o DESC, src_host, dst_port LIMIT 5`)
      .all(...range) as { src_host: string | null; dst_port: bigint | null; o: bigint; p: bigint }[];
    const tot = db.query("SELECT sum(octets) AS o, sum(packets) AS p FROM all_talkers WHERE time >= ?1 AND time < ?2").get(...range) as { o: bigint; p: bigint };
    db.close();
    const lines = rows.map((r, i) => `${i + 1},${r.src_host ?? ""},${r.dst_port ?? ""},${r.o},${r.p}`);
    const so = rows.reduce((s, r) => s + r.o, 0n);
    const sp = rows.reduce((s, r) => s + r.p, 0n);
    expect(rows.length).toBe(5);
    expect(await top(lite, { n: "5", csv: true })).toBe(
      ["row,src_host,dst_port,octets,packets", ...lines, `other,,,${tot.o - so},${tot.p - sp}`, `total,,,${tot.o},${tot.p}`, ""].join("\n"),
    );
  });

  test("sums beyond 2^53 stay exact; rows with every key NULL count only in other", async () => {
    const out = await reportTop(config, lite, { mo: "all", window: "proto", from: FROM, to: TO, n: "2", csv: true }, 0);
    expect(out).toBe(
      [
        "row,proto,src_as,dst_as,bits,flows",
        "1,6,64500,64501,9007199254740992,6",
        "2,17,64500,64502,9007199254740992,3",
        "other,,,,8888,12",
        "total,,,,18014398509490872,21",
        "",
      ].join("\n"),
    );
  });
});

describe("report top names protocols", () => {
  test("a proto key reads 6 (tcp) in the table, 6 in CSV", async () => {
    const args = { mo: "all", window: "proto", by: "flows", from: FROM, to: TO };
    const table = await reportTop(config, lite, args, 0);
    expect(table.split("\n").slice(2, 7).map((l) => l.split(/\s{2,}/).slice(0, 2))).toEqual([
      ["1", "6 (tcp)"], ["2", "17 (udp)"], ["3", "1 (icmp)"], ["4", "6 (tcp)"], ["5", "47 (gre)"],
    ]);
    const csvRows = (await reportTop(config, lite, { ...args, csv: true }, 0)).split("\n");
    expect(csvRows.slice(1, 3).map((l) => l.split(",")[1])).toEqual(["6", "17"]);
  });
});

describe("report series on SQLite", () => {
  test("per bucket with empty buckets as zeros, and the rate; nothing before the first stored bucket", async () => {
    const out = await reportSeries(config, lite, { mo: "all", window: "talkers", value: "octets", from: String(T0 - 3600), to: String(T0 + 300), every: "2m", csv: true }, 0);
    expect(out).toBe(
      [
        "time,epoch,octets,octets_per_s",
        "2023-11-14T22:14:00Z,1700000040,1210015883,10083465.692",
        "2023-11-14T22:16:00Z,1700000160,5000,41.667",
        "2023-11-14T22:18:00Z,1700000280,0,0",
        "",
      ].join("\n"),
    );
  });

  test("the window length is the default bucket; the table has units", async () => {
    const out = await reportSeries(config, lite, { mo: "all", window: "proto", value: "bits", from: FROM, to: String(T0 + 120) }, 0);
    expect(out).toBe(
      [
        "all_proto  2023-11-14T22:14:00Z .. 2023-11-14T22:16:00Z  bits every 30s",
        "time                       bits      bits/s",
        "2023-11-14T22:14:00Z  9.01 Pbit  300 Tbit/s",
        "2023-11-14T22:14:30Z  9.01 Pbit  300 Tbit/s",
        "2023-11-14T22:15:00Z      0 bit     0 bit/s",
        "2023-11-14T22:15:30Z  8.80 kbit   293 bit/s",
        "",
      ].join("\n"),
    );
  });
});

// The JSON the HTTP API answers (DESIGN.md section 8): exact sums beyond 2^53, names beside keys
// (protocol, port, and the AS names written to xenoflow_names), shares of the ranked value.
const TOP_JSON =
  '{"table":"all_proto","from":"2023-11-14T22:14:00Z","to":"2023-11-14T22:17:00Z","by":"bits","keys":["proto","src_as","dst_as"],"values":["bits","flows"],' +
  '"rows":[{"proto":{"value":6,"name":"tcp"},"src_as":{"value":64500,"name":"EXAMPLE-NET"},"dst_as":{"value":64501},"bits":9007199254740992,"flows":6,"share":0.49999},' +
  '{"proto":{"value":17,"name":"udp"},"src_as":{"value":64500,"name":"EXAMPLE-NET"},"dst_as":{"value":64502,"name":"Other, \\"quoted\\""},"bits":9007199254740992,"flows":3,"share":0.49999}],' +
  '"other":{"bits":8888,"flows":12,"share":0},"total":{"bits":18014398509490872,"flows":21,"share":1}}\n';
const SERIES_JSON =
  '{"table":"all_talkers","from":"2023-11-14T22:14:00Z","to":"2023-11-14T22:17:00Z","value":"octets","every":60,' +
  '"keys":[{"src_host":{"value":"10.0.0.1"},"dst_port":{"value":443,"name":"https"}},{"src_host":{"value":"10.0.0.10"},"dst_port":{"value":53,"name":"dns"}}],' +
  '"buckets":[{"time":1700000040,"values":[1210000000,5000],"other":5777,"total":1210010777},{"time":1700000100,"values":[5,1],"other":5100,"total":5106},' +
  '{"time":1700000160,"values":[0,0],"other":5000,"total":5000}]}\n';
const topJson = (db: ReportDb) => reportTop(config, db, { mo: "all", window: "proto", by: "bits", n: "2", from: FROM, to: TO, json: true }, 0);
const seriesJson = (db: ReportDb) => reportSeries(config, db, { mo: "all", window: "talkers", value: "octets", top: "2", from: FROM, to: TO, json: true }, 0);

describe("report --json on SQLite", () => {
  test("top: key objects with names, exact sums, shares, other and total", async () => {
    expect(await topJson(lite)).toBe(TOP_JSON);
  });

  test("series --top 2: each top key per bucket, other and the bucket total that `report series` prints", async () => {
    expect(await seriesJson(lite)).toBe(SERIES_JSON);
    const csv = await reportSeries(config, lite, { mo: "all", window: "talkers", value: "octets", from: FROM, to: TO, csv: true }, 0);
    const totals = (JSON.parse(await seriesJson(lite)) as { buckets: { total: number }[] }).buckets.map((b) => String(b.total));
    expect(totals).toEqual(csv.trimEnd().split("\n").slice(1).map((l) => l.split(",")[2]!));
  });

  test("--where keeps rows with those key values: the table, other and total over them only", async () => {
    const out = await reportTop(config, lite, { mo: "all", window: "talkers", where: "dst_port=443", from: FROM, to: TO, csv: true }, 0);
    expect(out).toBe("row,src_host,dst_port,octets,packets\n1,10.0.0.1,443,1210000005,900001\n2,10.0.0.2,443,5000,9\nother,,,0,0\ntotal,,,1210005005,900010\n");
    const series = await reportSeries(config, lite, { mo: "all", window: "talkers", value: "octets", where: "src_host=2001:db8::1,dst_port=80", from: FROM, to: TO, csv: true }, 0);
    expect(series).toBe("time,epoch,octets,octets_per_s\n2023-11-14T22:14:00Z,1700000040,5000,83.333\n2023-11-14T22:15:00Z,1700000100,0,0\n2023-11-14T22:16:00Z,1700000160,0,0\n");
  });

  test("alert history overlapping a range, latest first", async () => {
    expect(await lite.alerts({ from: T0, to: T0 + 180 }, 10)).toEqual([ALERTS[1]!, ALERTS[0]!]);
    expect(await lite.alerts({ from: T0 + 100, to: T0 + 180 }, 10)).toEqual([ALERTS[1]!]);
  });
});

describe("report errors are E_USAGE with one line", () => {
  const cases: Array<[string, () => Promise<string>, RegExp]> = [
    ["unknown mo", () => reportTop(config, lite, { mo: "nope", window: "talkers", last: "1h" }, T0), /^unknown monitoring object "nope"; the config has: all, lan$/],
    ["unknown window", () => reportTop(config, lite, { mo: "all", window: "x", last: "1h" }, T0), /^monitoring object "all" has no window "x"; it has: talkers, proto, nets$/],
    ["unknown --by", () => top(lite, { by: "bits" }), /^--by "bits": window all_talkers has values octets, packets$/],
    ["unknown --value", () => reportSeries(config, lite, { mo: "all", window: "talkers", value: "flows", last: "1h" }, T0), /^--value "flows": window all_talkers has values octets, packets$/],
    ["no rows in range", () => reportTop(config, lite, { mo: "all", window: "talkers", last: "1h" }, T0), /^no rows in all_talkers from 2023-11-14T21:14:00Z to 2023-11-14T22:14:00Z$/],
    ["from after to", () => top(lite, { from: TO, to: FROM }), /^empty range: --from 2023-11-14T22:17:00Z is not before --to 2023-11-14T22:14:00Z$/],
    ["bad -n", () => top(lite, { n: "ten" }), /^-n "ten": expected a positive integer$/],
    ["-n 0", () => top(lite, { n: "0" }), /^-n must be an integer 1..100000, not 0$/],
  ];
  for (const [name, run, message] of cases) {
    test(name, async () => {
      const err = await run().then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(XenoflowError);
      expect((err as XenoflowError).code).toBe("E_USAGE");
      expect((err as XenoflowError).message).toMatch(message);
    });
  }
});

describe.skipIf(!reachable)("PostgreSQL: same output as SQLite and as the sql/ functions", () => {
  const windows: Array<[string, string, string]> = [
    ["all", "talkers", "octets"],
    ["all", "talkers", "packets"],
    ["all", "proto", "bits"],
    ["all", "nets", "octets"],
    ["lan", "macs", "packets"],
  ];
  for (const [mo, window, by] of windows) {
    for (const n of ["1", "3", "50"]) {
      test(`top ${mo}_${window} by ${by} -n ${n}: table and CSV identical in both stores`, async () => {
        for (const csv of [false, true]) {
          const args = { mo, window, by, n, from: FROM, to: TO, csv };
          const a = await reportTop(config, lite, args, 0);
          const b = await reportTop(config, pg, args, 0);
          expect(b).toBe(a);
        }
      });

      test(`top ${mo}_${window} by ${by} -n ${n}: equals xenoflow_top()`, async () => {
        const csv = await reportTop(config, pg, { mo, window, by, n, from: FROM, to: TO, csv: true }, 0);
        const [head, ...body] = csv.trimEnd().split("\n");
        const keyCols = head!.split(",").slice(1, -config.mos.find((m) => m.name === mo)!.windows.find((w) => w.name === window)!.values.length);
        const valueCols = head!.split(",").slice(1 + keyCols.length);
        const rows = await q.unsafe(
          `SELECT pos, label,
             (SELECT json_object_agg(key, value) FROM jsonb_each_text(keys)) AS k,
             (SELECT json_object_agg(key, value) FROM jsonb_each_text(vals)) AS v, value::text AS value
           FROM xenoflow_top($1, $2, to_timestamp($3), to_timestamp($4), $5)`,
          [`${mo}_${window}`, by, T0, T0 + 180, Number(n)],
        );
        const fromSql = rows.map((r) => {
          const k = (r.k ?? {}) as Record<string, string | null>;
          const v = r.v as Record<string, string>;
          expect(r.value).toBe(v[by]);
          const first = r.label === "other" || r.label === "total" ? r.label : String(r.pos);
          return [first, ...keyCols.map((c) => k[c] ?? ""), ...valueCols.map((c) => v[c])].join(",");
        });
        expect(fromSql).toEqual(body);
      });
    }
  }

  test("series identical in both stores and equal to xenoflow_series()", async () => {
    // From an hour before the first window: both start at the first stored bucket.
    for (const [mo, window, value, every, from] of [["all", "talkers", "octets", "2m", T0 - 3600], ["all", "proto", "flows", "30s", T0], ["lan", "macs", "octets", "1m", T0]] as const) {
      const args = { mo, window, value, every, from: String(from), to: String(T0 + 300), csv: true };
      const a = await reportSeries(config, lite, args, 0);
      expect(await reportSeries(config, pg, args, 0)).toBe(a);
      const rows = await q.unsafe(
        `SELECT extract(epoch FROM "time")::bigint::text AS t, value::text AS v, per_second FROM xenoflow_series($1, $2, to_timestamp($3), to_timestamp($4), $5::interval)`,
        [`${mo}_${window}`, value, from, T0 + 300, every],
      );
      const body = a.trimEnd().split("\n").slice(1).map((l) => l.split(","));
      expect(rows.map((r) => [r.t, r.v])).toEqual(body.map((c) => [c[1]!, c[2]!]));
      expect(rows.map((r) => Math.round(Number(r.per_second) * 1000) / 1000)).toEqual(body.map((c) => Number(c[3])));
    }
  });

  test("JSON and alert history identical in both stores", async () => {
    expect(await topJson(pg)).toBe(TOP_JSON);
    expect(await seriesJson(pg)).toBe(SERIES_JSON);
    expect(await pg.alerts({ from: T0, to: T0 + 180 }, 10)).toEqual([ALERTS[1]!, ALERTS[0]!]);
    for (const where of ["dst_port=443", "src_host=2001:db8::1,dst_port=80", "src_host=10.0.0.2"]) {
      const args = { mo: "all", window: "talkers", value: "octets", top: "3", where, from: FROM, to: TO, json: true };
      expect(await reportSeries(config, pg, args, 0)).toBe(await reportSeries(config, lite, args, 0));
      expect(await reportTop(config, pg, args, 0)).toBe(await reportTop(config, lite, args, 0));
    }
  });

  test("a missing table is E_USAGE in both stores", async () => {
    const dir = tree({});
    const empty = createSqliteSink(join(dir, "e.sqlite"));
    await empty.close();
    const db = openSqliteReports(join(dir, "e.sqlite"));
    for (const [kind, store] of [["sqlite", db], ["postgres", pg]] as const) {
      const err = await reportTop(config, store, { mo: "all", window: "talkers", last: "1h" }, T0).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(XenoflowError);
      if (kind === "sqlite") expect((err as XenoflowError).message).toBe("table all_talkers does not exist in the sqlite store: the collector has not exported this window yet");
    }
    await db.close();
  });
});
