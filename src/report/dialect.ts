// The report SQL for both stores, built from one template so SQLite and PostgreSQL answer the same
// question the same way: identical grouping, and ties broken by the key's text in byte order (C
// collation) with NULLs last, so both stores rank equal sums identically. Identifiers pass
// store/ddl.ts ident() before they reach the text.
import { ident, tableIdent } from "../store/ddl.ts";
import type { Dialect } from "../store/ddl.ts";
import type { KeyColumn } from "../flow/export.ts";
import type { SeriesQuery, TopQuery } from "./model.ts";

/** Parameter $i / ?i: both stores accept numbered parameters, so one builder serves both. */
function param(d: Dialect, i: number): string {
  return d === "postgres" ? `$${i}` : `?${i}`;
}

/**
 * Window start in [param 1, param 2), epoch seconds; with a collector, only its rows (param `at`).
 * Without one every collector's rows count: the fleet's sum.
 */
function inRange(d: Dialect, collector: string | null, at: number): string {
  const range =
    d === "postgres"
      ? `"time" >= to_timestamp(${param(d, 1)}) AND "time" < to_timestamp(${param(d, 2)})`
      : `"time" >= ${param(d, 1)} AND "time" < ${param(d, 2)}`;
  return collector === null ? range : `${range} AND "collector" = ${param(d, at)}`;
}

/** The parameters of topSql() and totalSql(). */
export function topParams(q: TopQuery): (number | string)[] {
  return q.collector === null ? [q.range.from, q.range.to] : [q.range.from, q.range.to, q.collector];
}

/** The parameters of seriesSql(). */
export function seriesParams(q: SeriesQuery): (number | string)[] {
  return q.collector === null ? [q.range.from, q.range.to, q.every] : [q.range.from, q.range.to, q.every, q.collector];
}

/**
 * The key's sort expression. SQLite stores addresses and MACs as the text PostgreSQL prints for
 * inet (abbrev drops a host's /32 or /128) and macaddr, so sorting that text orders both alike.
 */
function sortKey(d: Dialect, k: KeyColumn): string {
  const q = ident(k.name);
  if (k.type === "uint") return `${q} NULLS LAST`;
  if (d === "sqlite") return `${q} NULLS LAST`;
  if (k.type === "address") return `abbrev(${q}) COLLATE "C" NULLS LAST`;
  return `${q}::text COLLATE "C" NULLS LAST`;
}

function sums(q: { target: { values: readonly string[] } }): string {
  return q.target.values.map((v) => `coalesce(sum(${ident(v)}), 0) AS ${ident(v)}`).join(", ");
}

/** Top keys: parameters topParams(). All-NULL keys are the stored top-N remainder: "other", not a key. */
export function topSql(d: Dialect, q: TopQuery): string {
  const t = tableIdent(q.target.table);
  const keys = q.target.keys.map((k) => ident(k.name));
  const remainder = keys.map((k) => `${k} IS NULL`).join(" AND ");
  const byPos = keys.length + q.target.values.indexOf(q.by) + 1;
  const order = [`${byPos} DESC`, ...q.target.keys.map((k) => sortKey(d, k))].join(", ");
  return `SELECT ${keys.join(", ")}, ${sums(q)} FROM ${t} WHERE ${inRange(d, q.collector, 3)} AND NOT (${remainder}) GROUP BY ${keys.join(", ")} ORDER BY ${order} LIMIT ${Math.floor(q.n)}`;
}

/** Row count and sums over the whole range: parameters topParams(). */
export function totalSql(d: Dialect, q: TopQuery): string {
  return `SELECT count(*) AS "rows", ${sums(q)} FROM ${tableIdent(q.target.table)} WHERE ${inRange(d, q.collector, 3)}`;
}

/** Sum per bucket floor(time / every) * every: parameters seriesParams(). */
export function seriesSql(d: Dialect, q: SeriesQuery): string {
  const every = param(d, 3);
  const bucket = d === "postgres" ? `(floor(extract(epoch FROM "time") / ${every}) * ${every})::bigint` : `("time" / ${every}) * ${every}`;
  const v = ident(q.value);
  return `SELECT ${bucket} AS "bucket", count(*) AS "rows", coalesce(sum(${v}), 0) AS ${v} FROM ${tableIdent(q.target.table)} WHERE ${inRange(d, q.collector, 4)} GROUP BY 1 ORDER BY 1`;
}
