// What the report queries return, independent of the store. Sums are bigint: they are sums of
// 64-bit counters and a report must not round them.
import type { ValueName } from "../config/types.ts";
import type { AlertRow } from "../store/alerts.ts";
import type { NameRow } from "../store/names.ts";
import type { KeyColumn } from "../flow/export.ts";
import type { StoreKind } from "../store/ddl.ts";
import type { Range } from "./time.ts";
import type { Target } from "./target.ts";

/** Only rows whose key column holds this value (as the report prints it). */
export interface KeyFilter {
  column: KeyColumn;
  value: string;
}

export interface TopQuery {
  target: Target;
  by: ValueName;
  range: Range;
  n: number;
  where?: readonly KeyFilter[];
  /** One collector of a fleet; null: every collector's rows (and rows from before fleets). */
  collector: string | null;
}

export interface SeriesQuery {
  target: Target;
  value: ValueName;
  range: Range;
  /** Bucket length, seconds. */
  every: number;
  /** How many of the range's top keys (by `value`) get a series of their own; the rest is "other". */
  top?: number;
  where?: readonly KeyFilter[];
  collector: string | null;
}

/** One key's sum in one bucket. */
export interface KeyBucket {
  time: number;
  keys: (string | null)[];
  sum: bigint;
}

/** One key group: key cells as text (null where the stored key is NULL), sums in target.values order. */
export interface KeyedSums {
  keys: (string | null)[];
  sums: bigint[];
}

export interface TopRows {
  top: KeyedSums[];
  /** Sums over every row in range, NULL-key remainder rows included. */
  total: bigint[];
  /** Stored rows in range. */
  rows: number;
}

export interface Bucket {
  /** Bucket start, epoch seconds. */
  time: number;
  sum: bigint;
}

/** A store the reports can read. Each query returns null when the window's table does not exist. */
export interface ReportDb {
  readonly kind: StoreKind;
  top(q: TopQuery): Promise<TopRows | null>;
  series(q: SeriesQuery): Promise<{ buckets: Bucket[]; rows: number } | null>;
  /** Per bucket, the sums of the given keys only (the table exists: series() said so). */
  seriesKeys(q: SeriesQuery, keys: readonly KeyedSums[]): Promise<KeyBucket[]>;
  /** `xenoflow_names`, empty when enrichment never wrote it. */
  names(): Promise<NameRow[]>;
  /** `xenoflow_alerts` rows that overlap the range, latest first, at most `limit`. */
  alerts(range: Range, limit: number): Promise<AlertRow[]>;
  close(): Promise<void>;
}

/** A cell from either driver (text, number, bigint, null) as the text a report prints. */
export function keyText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return String(v);
}

/** A sum from either driver: bigint (bun:sqlite safeIntegers), numeric text (PostgreSQL) or number. */
export function sumOf(v: unknown): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(Math.round(v));
  return BigInt(String(v));
}

type Row = Record<string, unknown>;

export function keyBucketOf(q: SeriesQuery, r: Row): KeyBucket {
  return { time: Number(r.bucket), keys: q.target.keys.map((k) => keyText(r[k.name])), sum: sumOf(r[q.value]) };
}

export function nameRowOf(r: Row): NameRow {
  return { kind: String(r.kind) as NameRow["kind"], exporter: String(r.exporter), id: Number(r.id), name: String(r.name), description: String(r.description), role: String(r.role) };
}

export function alertRowOf(r: Row): AlertRow {
  return {
    started: Number(r.started),
    ended: Number(r.ended),
    collector: String(r.collector),
    mo: String(r.mo),
    mavg: String(r.mavg),
    limit: String(r.limit),
    direction: r.direction === "below" ? "below" : "exceed",
    key: String(r.key),
    metric: String(r.metric),
    peak: Number(r.peak),
    threshold: Number(r.threshold),
  };
}
