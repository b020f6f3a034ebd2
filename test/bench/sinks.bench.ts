// Rows per second each sink writes for one window of 100 000 rows (issue 25, docs/FLEET.md):
// SQLite (a temp file), PostgreSQL by COPY (the server at XENOFLOW_TEST_PG or 127.0.0.1:5432, a
// throwaway schema) and ClickHouse (a throwaway clickhouse-server). Each export has its own seq,
// as from the spool, so the exactly-once bookkeeping is part of the cost. Prints one line per sink.
//
//   bun test/bench/sinks.bench.ts [rows] [exports]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { createClickhouseSink } from "../../src/store/clickhouse.ts";
import { createPostgresSink } from "../../src/store/postgres.ts";
import type { Row, Sink, WindowExport } from "../../src/store/sink.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { createClickhouse } from "../support/clickhouse.ts";

const ROWS = Number(process.argv[2] ?? 100_000);
const EXPORTS = Number(process.argv[3] ?? 5);
const PG = process.env.XENOFLOW_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const T0 = 1_700_000_040;

function window(i: number): WindowExport & { rows: readonly Row[] } {
  const rows = Array.from({ length: ROWS }, (_, r) => [`10.${r >> 16}.${(r >> 8) & 255}.${r & 255}`, `192.0.2.${r % 250}`, 6, 1_000_000 + r, 1000 + (r % 97)]);
  return {
    mo: "all",
    window: "pairs",
    table: "all_pairs",
    time: T0 + 60 * i,
    keys: [
      { name: "src_host", type: "address" },
      { name: "dst_host", type: "address" },
      { name: "proto", type: "uint" },
    ],
    values: ["octets", "packets"],
    rows,
  };
}

async function measure(name: string, sink: Sink): Promise<void> {
  await sink.write({ ...window(-1), rows: window(-1).rows.slice(0, 1000) }, 1); // tables created, code warm
  const rates: number[] = [];
  for (let i = 0; i < EXPORTS; i++) {
    const exp = window(i);
    const t = performance.now();
    await sink.write(exp, i + 2);
    rates.push(ROWS / ((performance.now() - t) / 1000));
  }
  await sink.close();
  rates.sort((a, b) => a - b);
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(`${name.padEnd(11)} ${ROWS} rows/window: median ${f(rates[rates.length >> 1]!)} rows/s (min ${f(rates[0]!)}, max ${f(rates[rates.length - 1]!)}, ${EXPORTS} windows)`);
}

const dir = mkdtempSync(join(tmpdir(), "xenoflow-bench-sinks-"));
try {
  await measure("sqlite", createSqliteSink(join(dir, "x.sqlite"), "bench"));
  const admin = postgres(PG, { max: 1, onnotice: () => {} });
  const schema = `xf_bench_${process.pid}`;
  await admin.unsafe(`CREATE SCHEMA "${schema}"`);
  try {
    await measure("postgres", createPostgresSink(PG, { schema, collector: "bench" }));
  } finally {
    await admin.unsafe(`DROP SCHEMA "${schema}" CASCADE`);
    await admin.end();
  }
  const ch = await createClickhouse();
  try {
    await measure("clickhouse", createClickhouseSink(ch.url, { collector: "bench" }));
  } finally {
    await ch.destroy();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
