// What the report queries return, independent of the store. Sums are bigint: they are sums of
// 64-bit counters and a report must not round them.
import type { ValueName } from "../config/types.ts";
import type { StoreKind } from "../store/ddl.ts";
import type { Range } from "./time.ts";
import type { Target } from "./target.ts";

export interface TopQuery {
  target: Target;
  by: ValueName;
  range: Range;
  n: number;
  /** One collector of a fleet; null: every collector's rows (and rows from before fleets). */
  collector: string | null;
}

export interface SeriesQuery {
  target: Target;
  value: ValueName;
  range: Range;
  /** Bucket length, seconds. */
  every: number;
  collector: string | null;
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
