// What an alert script receives (DESIGN.md section 6): argv, environment and one JSON document
// on stdin, all built from one AlertState.
import type { ValueName } from "../config/types.ts";
import type { ScriptJob } from "./scripts.ts";

export interface AlertState {
  id: string;
  mo: string;
  mavg: string;
  limit: string;
  keyFields: readonly string[]; // column names: "dst_host"
  key: readonly string[];
  /** exceed: over a threshold; below: a watched rate fell under one (the limit's `below`). */
  direction: "exceed" | "below";
  metric: ValueName; // the value that crossed
  value: number; // its rate when it crossed
  /** The metric's highest rate while exceeding, lowest while below. */
  peak: number;
  threshold: number;
  thresholds: Record<string, number>;
  rates: Record<string, number>; // every value's latest rate while over
  startMs: number;
  belowSinceMs: number | null;
  enable: readonly string[];
  scripts: readonly [string | null, string | null];
  normalAfterMs: number;
}

export interface AlertEvent extends AlertState {
  event: "exceed" | "below" | "normal";
  nowMs: number;
  extended: Record<string, unknown>;
}

/** An active alert as the state file and the HTTP API show it. */
export function describeAlert(a: AlertState) {
  return {
    mo: a.mo,
    mavg: a.mavg,
    limit: a.limit,
    key: Object.fromEntries(a.keyFields.map((f, i) => [f, a.key[i] ?? ""])),
    direction: a.direction,
    metric: a.metric,
    value: a.value,
    peak: a.peak,
    threshold: a.threshold,
    rates: a.rates,
    start: new Date(a.startMs).toISOString(),
  };
}

/** Rates go to scripts as plain decimal numbers: no exponent a shell script must parse. */
function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? x.toFixed(0) : x.toFixed(3);
}

export function scriptJob(a: AlertEvent, path: string): ScriptJob {
  const key = Object.fromEntries(a.keyFields.map((f, i) => [f, a.key[i] ?? ""]));
  const env = {
    XENOFLOW_EVENT: a.event,
    XENOFLOW_MO: a.mo,
    XENOFLOW_MAVG: a.mavg,
    XENOFLOW_LIMIT: a.limit,
    XENOFLOW_METRIC: a.metric,
    XENOFLOW_VALUE: num(a.value),
    XENOFLOW_THRESHOLD: num(a.threshold),
    XENOFLOW_KEY: JSON.stringify(key),
  };
  const doc = {
    event: a.event,
    mo: a.mo,
    mavg: a.mavg,
    limit: a.limit,
    key,
    metric: a.metric,
    value: a.value,
    threshold: a.threshold,
    rates: a.rates,
    thresholds: a.thresholds,
    start: new Date(a.startMs).toISOString(),
    time: new Date(a.nowMs).toISOString(),
    extended: a.extended,
  };
  return {
    path,
    argv: [a.event, a.mo, a.mavg, a.limit, ...a.key, num(a.value), num(a.threshold)],
    env,
    stdin: `${JSON.stringify(doc)}\n`,
    label: `${a.event} ${a.mo}/${a.mavg}/${a.limit} ${a.key.join(" ")}`,
  };
}
