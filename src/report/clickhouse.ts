// Reports from ClickHouse: the questions of dialect.ts asked in ClickHouse's SQL. 18.16 has no
// query parameters, so the range is inlined as integers and the collector as a checked literal;
// sums get their own aliases (an alias equal to a column name would shadow it inside sum()).
// Ties are broken like the other stores: strings (addresses as the text the others print) in byte
// order, numbers by value, NULLs last.
import type { ClickHouseClient } from "@clickhouse/client";
import { XenoflowError } from "../errors.ts";
import { clickhouseStoreError, connectClickhouse, rowsOf } from "../store/clickhouse-conn.ts";
import { collectorLiteral, ident, tableIdent } from "../store/ddl.ts";
import type { Range } from "./time.ts";
import { type Bucket, type KeyedSums, type ReportDb, type SeriesQuery, type TopQuery, keyText, sumOf } from "./model.ts";

type Row = Record<string, unknown>;

const sumAlias = (v: string) => ident(`sum_${v}`);

function where(range: Range, collector: string | null): string {
  const r = `"time" >= toDateTime(${Math.floor(range.from)}) AND "time" < toDateTime(${Math.floor(range.to)})`;
  return collector === null ? r : `${r} AND "collector" = ${collectorLiteral(collector)}`;
}

function sums(values: readonly string[]): string {
  return values.map((v) => `sum(${ident(v)}) AS ${sumAlias(v)}`).join(", ");
}

export function clickhouseTopSql(q: TopQuery): string {
  const keys = q.target.keys.map((k) => ident(k.name));
  const remainder = keys.map((k) => `${k} IS NULL`).join(" AND ");
  const order = [`${sumAlias(q.by)} DESC`, ...keys.map((k) => `${k} ASC NULLS LAST`)].join(", ");
  return `SELECT ${keys.join(", ")}, ${sums(q.target.values)} FROM ${tableIdent(q.target.table)} WHERE ${where(q.range, q.collector)} AND NOT (${remainder}) GROUP BY ${keys.join(", ")} ORDER BY ${order} LIMIT ${Math.floor(q.n)}`;
}

export function clickhouseTotalSql(q: TopQuery): string {
  return `SELECT count() AS "rows", ${sums(q.target.values)} FROM ${tableIdent(q.target.table)} WHERE ${where(q.range, q.collector)}`;
}

export function clickhouseSeriesSql(q: SeriesQuery): string {
  const every = Math.floor(q.every);
  return `SELECT intDiv(toUInt32("time"), ${every}) * ${every} AS "bucket", count() AS "rows", ${sums([q.value])} FROM ${tableIdent(q.target.table)} WHERE ${where(q.range, q.collector)} GROUP BY "bucket" ORDER BY "bucket"`;
}

export function openClickhouseReports(url: string, opts: { requestTimeoutMs?: number } = {}): ReportDb {
  const client: ClickHouseClient = connectClickhouse(url, opts.requestTimeoutMs ?? 60_000);

  async function all(text: string): Promise<Row[]> {
    try {
      return await rowsOf<Row>(client, text);
    } catch (err) {
      throw new XenoflowError("E_STORE", clickhouseStoreError(err, url, "ClickHouse").message, { cause: err });
    }
  }

  async function exists(table: string): Promise<boolean> {
    const [r] = await all(`EXISTS TABLE ${tableIdent(table)}`);
    return Number(r?.result ?? 0) === 1;
  }

  return {
    kind: "clickhouse",
    async top(q) {
      if (!(await exists(q.target.table))) return null;
      const top: KeyedSums[] = (await all(clickhouseTopSql(q))).map((r) => ({
        keys: q.target.keys.map((k) => keyText(r[k.name])),
        sums: q.target.values.map((v) => sumOf(r[`sum_${v}`])),
      }));
      const [t] = await all(clickhouseTotalSql(q));
      return { top, total: q.target.values.map((v) => sumOf(t?.[`sum_${v}`])), rows: Number(t?.rows ?? 0) };
    },
    async series(q) {
      if (!(await exists(q.target.table))) return null;
      let rows = 0;
      const buckets: Bucket[] = (await all(clickhouseSeriesSql(q))).map((r) => {
        rows += Number(r.rows);
        return { time: Number(r.bucket), sum: sumOf(r[`sum_${q.value}`]) };
      });
      return { buckets, rows };
    },
    async close() {
      await client.close();
    },
  };
}
