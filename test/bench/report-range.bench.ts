// `report top` over 30 days of 1-minute windows (issue 25, docs/FLEET.md): PostgreSQL without and
// with `[storage] partition = "1d"`, and ClickHouse (a throwaway server). Tables are made by the
// sinks (one small export per day, so the partitions exist), then filled directly by SQL with
// ROWS rows per minute over 1 000 keys. Prints the median of three runs of a top 20 over the last
// day and over all 30 days, then how long retention takes to remove the oldest day.
//
//   bun test/bench/report-range.bench.ts [rows per window]
import postgres from "postgres";
import { openClickhouseReports } from "../../src/report/clickhouse.ts";
import type { ReportDb, TopQuery } from "../../src/report/model.ts";
import { openPostgresReports } from "../../src/report/postgres.ts";
import { createClickhouseSink } from "../../src/store/clickhouse.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { Sink } from "../../src/store/sink.ts";
import { createClickhouse } from "../support/clickhouse.ts";
import { talkers } from "../store/contract.ts";

const ROWS = Number(process.argv[2] ?? 50);
const DAYS = 30;
const PG = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const END = 19_700 * 86400; // a day boundary
const START = END - DAYS * 86400;

async function makeTables(sink: Sink): Promise<void> {
  for (let d = 0; d < DAYS; d++) await sink.write(talkers(START + d * 86400, [["10.0.0.1", 1, 1, 1]]), d + 1);
  await sink.close();
}

async function time(name: string, db: ReportDb): Promise<void> {
  const target = { table: "web_talkers", keys: talkers(0, []).keys, values: ["octets", "packets"] as const, every: 60 };
  const out: string[] = [];
  for (const [label, from] of [["last day", END - 86400], ["30 days", START]] as const) {
    const q: TopQuery = { target, by: "octets", range: { from, to: END }, n: 20, collector: null };
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await db.top(q);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    out.push(`${label} ${Math.round(ms[1]!)} ms`);
  }
  await db.close();
  console.log(`${name.padEnd(24)} ${out.join(", ")}`);
}

const rowsTotal = DAYS * 1440 * ROWS;
console.log(`${rowsTotal} rows: ${DAYS} days of 1-minute windows, ${ROWS} rows each, 1 000 keys`);
const admin = postgres(PG, { max: 1, onnotice: () => {} });
for (const partitionSeconds of [0, 86400]) {
  const schema = `xf_bench_range_${process.pid}_${partitionSeconds}`;
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  try {
    await makeTables(createPostgresSink(PG, { schema, collector: "bench", partitionSeconds }));
    await admin.unsafe(`INSERT INTO "${schema}".web_talkers ("time", collector, src_host, dst_port, octets, packets)
      SELECT to_timestamp(${START} + m * 60), 'bench', ('10.0.' || ((m * 7 + r) % 1000 / 250) || '.' || ((m * 7 + r) % 250))::inet, 443, 1000 + r, 1
      FROM generate_series(0, ${DAYS * 1440 - 1}) m, generate_series(0, ${ROWS - 1}) r`);
    await admin.unsafe(`ANALYZE "${schema}".web_talkers`);
    const name = partitionSeconds ? "postgres, partition 1d" : "postgres, unpartitioned";
    await time(name, openPostgresReports(PG, { schema }));
    const sink = createPostgresSink(PG, { schema, collector: "bench", partitionSeconds });
    const t = performance.now();
    await sink.prune(["web_talkers"], START + 86400);
    console.log(`${name.padEnd(24)} retention of the oldest day (${1440 * ROWS} rows): ${Math.round(performance.now() - t)} ms`);
    await sink.close();
  } finally {
    await admin.unsafe(`DROP SCHEMA "${schema}" CASCADE`);
  }
}
await admin.end();
const ch = await createClickhouse();
try {
  await makeTables(createClickhouseSink(ch.url, { collector: "bench" }));
  await fetch(`http://127.0.0.1:${ch.httpPort}/`, {
    method: "POST",
    body: `INSERT INTO web_talkers ("time", collector, seq, src_host, dst_port, octets, packets)
      SELECT toDateTime(${START} + intDiv(number, ${ROWS}) * 60), 'bench', 0, concat('10.0.', toString(intDiv((intDiv(number, ${ROWS}) * 7 + number % ${ROWS}) % 1000, 250)), '.', toString((intDiv(number, ${ROWS}) * 7 + number % ${ROWS}) % 250)), 443, 1000 + number % ${ROWS}, 1
      FROM numbers(${rowsTotal})`,
  }).then(async (r) => {
    if (!r.ok) throw new Error(await r.text());
  });
  await time("clickhouse (day parts)", openClickhouseReports(ch.url));
} finally {
  await ch.destroy();
}
