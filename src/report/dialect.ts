// The report SQL for both stores, built from one template so SQLite and PostgreSQL answer the same
// question the same way: identical grouping, and ties broken by the key's text in byte order (C
// collation) with NULLs last, so both stores rank equal sums identically. Identifiers pass
// store/ddl.ts ident() before they reach the text.
import { ident, tableIdent } from "../store/ddl.ts";
import type { Dialect } from "../store/ddl.ts";
import type { KeyColumn } from "../flow/export.ts";
import { ALERTS_TABLE } from "../store/alerts.ts";
import { NAMES_TABLE } from "../store/names.ts";
import type { KeyedSums, SeriesQuery, TopQuery } from "./model.ts";

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

/** Cell = parameter i, compared as the text a report prints (abbrev for inet, ::text otherwise). */
function cellIs(d: Dialect, k: KeyColumn, i: number): string {
  const c = ident(k.name);
  const text = d === "sqlite" ? c : k.type === "address" ? `abbrev(${c})` : `${c}::text`;
  return `${text} = ${param(d, i)}`;
}

/** inRange() and the cells q.where asks for: parameters `at` (the collector, if any), then the where values. */
function scope(d: Dialect, q: TopQuery | SeriesQuery, at: number): string {
  const first = at + (q.collector === null ? 0 : 1);
  return [inRange(d, q.collector, at), ...(q.where ?? []).map((w, i) => cellIs(d, w.column, first + i))].join(" AND ");
}

const narrowing = (q: TopQuery | SeriesQuery): string[] => [...(q.collector === null ? [] : [q.collector]), ...(q.where ?? []).map((w) => w.value)];

/** The parameters of topSql() and totalSql(). */
export function topParams(q: TopQuery): (number | string)[] {
  return [q.range.from, q.range.to, ...narrowing(q)];
}

/** The parameters of seriesSql(); seriesKeysSql() takes the keys' cells after them. */
export function seriesParams(q: SeriesQuery): (number | string)[] {
  return [q.range.from, q.range.to, q.every, ...narrowing(q)];
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
  return `SELECT ${keys.join(", ")}, ${sums(q)} FROM ${t} WHERE ${scope(d, q, 3)} AND NOT (${remainder}) GROUP BY ${keys.join(", ")} ORDER BY ${order} LIMIT ${Math.floor(q.n)}`;
}

/** Row count and sums over the whole range: parameters topParams(). */
export function totalSql(d: Dialect, q: TopQuery): string {
  return `SELECT count(*) AS "rows", ${sums(q)} FROM ${tableIdent(q.target.table)} WHERE ${scope(d, q, 3)}`;
}

/** Sum per bucket floor(time / every) * every: parameters seriesParams(). */
export function seriesSql(d: Dialect, q: SeriesQuery): string {
  const v = ident(q.value);
  return `SELECT ${bucketOf(d, 3)} AS "bucket", count(*) AS "rows", coalesce(sum(${v}), 0) AS ${v} FROM ${tableIdent(q.target.table)} WHERE ${scope(d, q, 4)} GROUP BY 1 ORDER BY 1`;
}

/** The bucket expression floor(time / every) * every, `every` being parameter i. */
function bucketOf(d: Dialect, i: number): string {
  const every = param(d, i);
  return d === "postgres" ? `(floor(extract(epoch FROM "time") / ${every}) * ${every})::bigint` : `("time" / ${every}) * ${every}`;
}

/**
 * Sum per bucket and key for the given keys only: parameters seriesParams(), then each key's
 * non-NULL cells in order. Cells compare as text, so keys read from one query match in the next
 * whatever their column type.
 */
export function seriesKeysSql(d: Dialect, q: SeriesQuery, keys: readonly KeyedSums[]): string {
  let i = seriesParams(q).length;
  const cell = (k: KeyColumn, v: string | null): string => (v === null ? `${ident(k.name)} IS NULL` : cellIs(d, k, ++i));
  const match = keys.map((r) => `(${q.target.keys.map((k, j) => cell(k, r.keys[j] ?? null)).join(" AND ")})`).join(" OR ");
  const cols = q.target.keys.map((k) => ident(k.name)).join(", ");
  const v = ident(q.value);
  return `SELECT ${bucketOf(d, 3)} AS "bucket", ${cols}, coalesce(sum(${v}), 0) AS ${v} FROM ${tableIdent(q.target.table)} WHERE ${scope(d, q, 4)} AND (${match}) GROUP BY 1, ${cols}`;
}

export function namesSql(): string {
  return `SELECT "kind", "exporter", "id", "name", "description", "role" FROM ${ident(NAMES_TABLE)}`;
}

/** Alerts that overlap [param 1, param 2), latest first, at most param 3; times as epoch seconds. */
export function alertsSql(d: Dialect): string {
  const t = (c: string) => (d === "postgres" ? `extract(epoch FROM ${ident(c)})::float8` : ident(c));
  const cols = ["collector", "mo", "mavg", "limit", "direction", "key", "metric", "peak", "threshold"].map((c) => ident(c)).join(", ");
  const at = (i: number) => (d === "postgres" ? `to_timestamp(${param(d, i)})` : param(d, i));
  return `SELECT ${t("started")} AS "started", ${t("ended")} AS "ended", ${cols} FROM ${ident(ALERTS_TABLE)} WHERE "ended" >= ${at(1)} AND "started" < ${at(2)} ORDER BY "started" DESC LIMIT ${param(d, 3)}`;
}
