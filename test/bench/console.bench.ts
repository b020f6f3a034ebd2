// The console's API over a month of stored windows (issue 26): one million rows in all_talkers
// (5-minute windows for 30 days, 116 keys each, sources and ports skewed like real traffic), made
// directly in SQL after the project's sink created the table, then /api/report/top and
// /api/report/series over 30 days through the real HTTP server, in SQLite and PostgreSQL; and
// the transfer size of the two pages. Prints markdown for docs/PERFORMANCE.md.
//   node_modules/.bin/bun test/bench/console.bench.ts [--rows N]
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/types.ts";
import { expressionChecker } from "../../src/expressions.ts";
import { startHttpServer } from "../../src/http/server.ts";
import { createLogger } from "../../src/log.ts";
import { openPostgresReports } from "../../src/report/postgres.ts";
import type { ReportDb } from "../../src/report/model.ts";
import { openReports } from "../../src/report/open.ts";
import { resolveTarget } from "../../src/report/target.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { Sink } from "../../src/store/sink.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { freeTcpPort } from "../http/support.ts";
import { view } from "../http/view.ts";

const PG = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const rowsArg = process.argv.indexOf("--rows");
const ROWS = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : 1_000_000;
const EVERY = 300;
const WINDOWS = 30 * 86400 / EVERY; // 8640
const PER = Math.ceil(ROWS / WINDOWS);
const NOW = Math.floor(Date.now() / 1000 / EVERY) * EVERY;
const T0 = NOW - WINDOWS * EVERY;
const RUNS = 5;

const dir = mkdtempSync(join(tmpdir(), "xf-console-bench-"));
writeFileSync(
  join(dir, "xenoflow.toml"),
  `data_dir = "${dir}"\n[storage]\nurl = "sqlite:${dir}/x.sqlite"\n[[mo]]\nname = "all"\n  [[mo.window]]\n  name = "talkers"\n  every = "5m"\n  key = ["src host", "dst port"]\n  values = ["octets", "packets", "flows"]\n`,
);
const config: Config = loadConfig(join(dir, "xenoflow.toml"), { expressions: expressionChecker });
const target = resolveTarget(config, "all", "talkers");

/** Creates the table through the sink, as the collector would, with one window of one row. */
async function create(sink: Sink): Promise<void> {
  await sink.write({ mo: "all", window: "talkers", table: "all_talkers", time: T0 - EVERY, keys: target.keys, values: target.values, rows: [["10.9.9.9", 1, 1, 1, 1]] });
  await sink.close();
}

// Row i of window w: source host ((i^2 + w) mod 4000) in 10.0/16, port (i mod 60), octets falling with i.
const SELECT = (t: string, host: string) =>
  `SELECT ${t}, ${host}, (i % 60) + 1, (1000000 / (i + 1))::bigint + w, (1000 / (i + 1))::bigint + 1, (100 / (i + 1))::bigint + 1`;

async function fillSqlite(path: string): Promise<void> {
  await create(createSqliteSink(path));
  const db = new Database(path);
  db.exec("PRAGMA journal_mode = WAL");
  const host = "'10.0.' || (((i * i + w) % 4000) / 256) || '.' || (((i * i + w) % 4000) % 256)";
  db.exec(`WITH RECURSIVE ws(w) AS (SELECT 0 UNION ALL SELECT w + 1 FROM ws WHERE w + 1 < ${WINDOWS}), ks(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM ks WHERE i + 1 < ${PER})
    INSERT INTO all_talkers ("time", src_host, dst_port, octets, packets, flows) ${SELECT(`${T0} + w * ${EVERY}`, host).replace(/::bigint/g, "")} FROM ws, ks`);
  db.exec("ANALYZE");
  db.close();
}

async function fillPostgres(schema: string): Promise<void> {
  await create(createPostgresSink(PG, { schema }));
  const sql = postgres(PG, { max: 1, onnotice: () => {}, connection: { search_path: schema } });
  const host = "('10.0.' || (((i * i + w) % 4000) / 256) || '.' || (((i * i + w) % 4000) % 256))::inet";
  await sql.unsafe(`INSERT INTO all_talkers ("time", src_host, dst_port, octets, packets, flows) ${SELECT(`to_timestamp(${T0} + w * ${EVERY})`, host)} FROM generate_series(0, ${WINDOWS - 1}) w, generate_series(0, ${PER - 1}) i`);
  await sql.unsafe("VACUUM ANALYZE all_talkers");
  await sql.end();
}

async function timed(url: string): Promise<{ ms: number[]; bytes: number; status: number }> {
  const ms: number[] = [];
  let bytes = 0;
  let status = 0;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const res = await fetch(url);
    bytes = (await res.arrayBuffer()).byteLength;
    ms.push(performance.now() - t);
    status = res.status;
  }
  return { ms: ms.sort((a, b) => a - b), bytes, status };
}

async function measure(kind: string, open: () => ReportDb): Promise<string[]> {
  const log = createLogger({ write: () => {}, isTTY: false, journal: true });
  const v = view({ droppedExports: 0 });
  const s = startHttpServer({ ...v, alerts: { counters: v.alerts.counters, active: () => [] } }, { listen: { host: "127.0.0.1", port: await freeTcpPort() }, token: null, configFile: "/x.toml", log, reports: { config: () => config, open } });
  const out: string[] = [];
  try {
    for (const [name, q] of [
      ["top 20 by octets, 30 days", "api/report/top?mo=all&window=talkers&last=30d&n=20"],
      ["top 20, 30 days, where dst_port=3", "api/report/top?mo=all&window=talkers&last=30d&n=20&where=dst_port%3D3"],
      ["series of 8 keys + other, 30 days in 3 h buckets", "api/report/series?mo=all&window=talkers&value=octets&last=30d&every=3h&top=8"],
      ["top 20, last 6 hours", "api/report/top?mo=all&window=talkers&last=6h&n=20"],
    ] as const) {
      const r = await timed(`${s.url}${q}`);
      if (r.status !== 200) throw new Error(`${kind} ${q}: HTTP ${r.status}`);
      out.push(`| ${kind} | ${name} | ${r.ms[Math.floor(RUNS / 2)]!.toFixed(0)} ms (${r.ms[0]!.toFixed(0)}–${r.ms[RUNS - 1]!.toFixed(0)}) | ${r.bytes} B |`);
    }
  } finally {
    await s.stop();
  }
  return out;
}

const schema = `xf_console_bench_${process.pid}`;
const admin = postgres(PG, { max: 1, onnotice: () => {} });
try {
  const lines = ["| store | query | answer time, median of 5 (min–max) | body |", "|---|---|---|---|"];
  let t = performance.now();
  await fillSqlite(join(dir, "x.sqlite"));
  const fillLite = (performance.now() - t) / 1000;
  lines.push(...(await measure("SQLite", () => openReports(config.storage, 5000))));
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  t = performance.now();
  await fillPostgres(schema);
  const fillPg = (performance.now() - t) / 1000;
  lines.push(...(await measure("PostgreSQL", () => openPostgresReports(PG, { schema, statementTimeoutMs: 5000 }))));
  // The pages as served: no compression, no other request than the API's JSON.
  const log = createLogger({ write: () => {}, isTTY: false, journal: true });
  const s = startHttpServer(view({ droppedExports: 0 }), { listen: { host: "127.0.0.1", port: await freeTcpPort() }, token: null, configFile: "/x.toml", log });
  const page = async (p: string) => {
    const b = new Uint8Array(await (await fetch(`${s.url}${p}`)).arrayBuffer());
    return `${b.byteLength} B (${Bun.gzipSync(b).byteLength} B gzipped)`;
  };
  const pages = `live page ${await page("")}, console ${await page("explore")}`;
  await s.stop();
  const [count] = new Database(join(dir, "x.sqlite"), { readonly: true }).query("SELECT count(*) AS n FROM all_talkers").all() as { n: number }[];
  console.log(`${count?.n} rows in all_talkers (${WINDOWS} windows of ${PER} rows; filled in ${fillLite.toFixed(1)} s SQLite, ${fillPg.toFixed(1)} s PostgreSQL)\n`);
  console.log(lines.join("\n"));
  console.log(`\npages: ${pages}`);
} finally {
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
