// Reports from ClickHouse: the questions of dialect.ts asked in ClickHouse's SQL. 18.16 has no
// query parameters, so the range is inlined as integers and the collector as a checked literal;
// sums get their own aliases (an alias equal to a column name would shadow it inside sum()).
// Ties are broken like the other stores: strings (addresses as the text the others print) in byte
// order, numbers by value, NULLs last.
import type { ClickHouseClient } from "@clickhouse/client";
import { XenoflowError } from "../errors.ts";
import { clickhouseStoreError, connectClickhouse, rowsOf } from "../store/clickhouse-conn.ts";
import { collectorLiteral, ident, tableIdent } from "../store/ddl.ts";
import type { KeyColumn } from "../flow/export.ts";
import { ALERTS_TABLE } from "../store/alerts.ts";
import { NAMES_TABLE } from "../store/names.ts";
import { namesSql } from "./dialect.ts";
import { type Bucket, type KeyedSums, type ReportDb, type SeriesQuery, type TopQuery, alertRowOf, keyText, nameRowOf, sumOf } from "./model.ts";

type Row = Record<string, unknown>;

const sumAlias = (v: string) => ident(`sum_${v}`);

/** A string literal: backslash and quote escaped (ClickHouse's string literal syntax). */
const chString = (v: string) => `'${v.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

/** A key cell equal to the text a report prints (addresses and MACs are stored as that text). */
const cellIs = (k: KeyColumn, v: string | null) => (v === null ? `${ident(k.name)} IS NULL` : `toString(${ident(k.name)}) = ${chString(v)}`);

function where(q: TopQuery | SeriesQuery): string {
  const r = `"time" >= toDateTime(${Math.floor(q.range.from)}) AND "time" < toDateTime(${Math.floor(q.range.to)})`;
  const cells = (q.where ?? []).map((w) => ` AND ${cellIs(w.column, w.value)}`).join("");
  return (q.collector === null ? r : `${r} AND "collector" = ${collectorLiteral(q.collector)}`) + cells;
}

function sums(values: readonly string[]): string {
  return values.map((v) => `sum(${ident(v)}) AS ${sumAlias(v)}`).join(", ");
}

export function clickhouseTopSql(q: TopQuery): string {
  const keys = q.target.keys.map((k) => ident(k.name));
  const remainder = keys.map((k) => `${k} IS NULL`).join(" AND ");
  const order = [`${sumAlias(q.by)} DESC`, ...keys.map((k) => `${k} ASC NULLS LAST`)].join(", ");
  return `SELECT ${keys.join(", ")}, ${sums(q.target.values)} FROM ${tableIdent(q.target.table)} WHERE ${where(q)} AND NOT (${remainder}) GROUP BY ${keys.join(", ")} ORDER BY ${order} LIMIT ${Math.floor(q.n)}`;
}

export function clickhouseTotalSql(q: TopQuery): string {
  return `SELECT count() AS "rows", ${sums(q.target.values)} FROM ${tableIdent(q.target.table)} WHERE ${where(q)}`;
}

export function clickhouseSeriesSql(q: SeriesQuery): string {
  const every = Math.floor(q.every);
  return `SELECT intDiv(toUInt32("time"), ${every}) * ${every} AS "bucket", count() AS "rows", ${sums([q.value])} FROM ${tableIdent(q.target.table)} WHERE ${where(q)} GROUP BY "bucket" ORDER BY "bucket"`;
}

/** Each given key's sum per bucket. */
export function clickhouseSeriesKeysSql(q: SeriesQuery, keys: readonly KeyedSums[]): string {
  const every = Math.floor(q.every);
  const cols = q.target.keys.map((k) => ident(k.name)).join(", ");
  const match = keys.map((r) => `(${q.target.keys.map((k, j) => cellIs(k, r.keys[j] ?? null)).join(" AND ")})`).join(" OR ");
  return `SELECT intDiv(toUInt32("time"), ${every}) * ${every} AS "bucket", ${cols}, ${sums([q.value])} FROM ${tableIdent(q.target.table)} WHERE ${where(q)} AND (${match}) GROUP BY "bucket", ${cols}`;
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
    async seriesKeys(q, keys) {
      return (await all(clickhouseSeriesKeysSql(q, keys))).map((r) => ({ time: Number(r.bucket), keys: q.target.keys.map((k) => keyText(r[k.name])), sum: sumOf(r[`sum_${q.value}`]) }));
    },
    async names() {
      return (await exists(NAMES_TABLE)) ? (await all(namesSql())).map(nameRowOf) : [];
    },
    async alerts(range, limit) {
      if (!(await exists(ALERTS_TABLE))) return [];
      const cols = ["started", "ended", "collector", "mo", "mavg", "limit", "direction", "key", "metric", "peak", "threshold"].map((c) => ident(c)).join(", ");
      const rows = await all(`SELECT ${cols} FROM ${ident(ALERTS_TABLE)} WHERE "ended" >= ${Math.floor(range.from)} AND "started" < ${Math.floor(range.to)} ORDER BY "started" DESC LIMIT ${Math.floor(limit)}`);
      return rows.map(alertRowOf);
    },
    async close() {
      await client.close();
    },
  };
}
