// `xenoflow_alerts` (DESIGN.md section 5): the alert history, one row per finished alert (its
// exceed or below and the normal that ended it), with the peak the metric reached in between, for
// the console and SQL to list incidents over any range. Rows are few (one per incident) and are
// appended one at a time; times are window-table times (timestamptz, SQLite epoch seconds).
import { type Dialect, ident } from "./ddl.ts";

export const ALERTS_TABLE = "xenoflow_alerts";

export interface AlertRow {
  /** Epoch seconds (fractions kept: alerts tick faster than a second). */
  started: number;
  ended: number;
  collector: string;
  mo: string;
  mavg: string;
  limit: string;
  /** "exceed" or "below": which way the limit was crossed. */
  direction: "exceed" | "below";
  /** The key as a JSON object of column -> text. */
  key: string;
  metric: string;
  /** The highest rate while over a limit, the lowest while below one (per second). */
  peak: number;
  threshold: number;
}

const COLUMNS = ["started", "ended", "collector", "mo", "mavg", "limit", "direction", "key", "metric", "peak", "threshold"] as const;

/**
 * ClickHouse: a small Log table (incidents, not traffic), times as Float64 epoch seconds. Log
 * tables cannot delete rows, so retention leaves this one alone there.
 */
export function clickhouseAlertsTableSql(): string {
  const type = (c: (typeof COLUMNS)[number]) => (c === "started" || c === "ended" || c === "peak" || c === "threshold" ? "Float64" : "String");
  return `CREATE TABLE IF NOT EXISTS ${ident(ALERTS_TABLE)} (${COLUMNS.map((c) => `${ident(c)} ${type(c)}`).join(", ")}) ENGINE = Log`;
}

function sqlType(d: Dialect, c: (typeof COLUMNS)[number]): string {
  if (c === "started" || c === "ended") return d === "postgres" ? "timestamptz" : "real";
  if (c === "peak" || c === "threshold") return d === "postgres" ? "double precision" : "real";
  return "text";
}

export function alertsTableSql(d: Dialect): string[] {
  const cols = COLUMNS.map((c) => `${ident(c)} ${sqlType(d, c)} NOT NULL`).join(", ");
  return [
    `CREATE TABLE IF NOT EXISTS ${ident(ALERTS_TABLE)} (${cols})`,
    `CREATE INDEX IF NOT EXISTS ${ident(`${ALERTS_TABLE}_ended_idx`)} ON ${ident(ALERTS_TABLE)} ("ended")`,
  ];
}

export function insertAlertSql(d: Dialect): string {
  const params = COLUMNS.map((c, i) => (d === "sqlite" ? `?${i + 1}` : c === "started" || c === "ended" ? `to_timestamp($${i + 1})` : `$${i + 1}`));
  return `INSERT INTO ${ident(ALERTS_TABLE)} (${COLUMNS.map((c) => ident(c)).join(", ")}) VALUES (${params.join(", ")})`;
}

export const alertCells = (r: AlertRow): (string | number)[] => COLUMNS.map((c) => r[c]);
