// `report series`: one value per bucket (floor(time / every) * every) from the first stored bucket
// in the range to its end, with empty buckets as zeros so a gap in the traffic reads as a gap, not
// as a missing line. Buckets before the first stored one are left out: `--last 7d` on a collector
// started an hour ago would otherwise open with days of zeros that were never measured.
import type { ValueName } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { Bucket, ReportDb, SeriesQuery } from "./model.ts";
import { emptyRange, noTable } from "./top.ts";
import type { Range } from "./time.ts";

export interface SeriesResult {
  table: string;
  value: ValueName;
  range: Range;
  every: number;
  buckets: Bucket[];
}

export const MAX_BUCKETS = 1_000_000;

/** Bucket starts from the one holding range.from to the one holding the last second before range.to. */
export function bucketStarts(range: Range, every: number): number[] {
  if (!Number.isInteger(every) || every < 1) throw new XenoflowError("E_USAGE", `bucket length ${every}s: give --every as whole seconds (at least 1s)`);
  const first = Math.floor(range.from / every) * every;
  const last = Math.floor((range.to - 1) / every) * every;
  const count = (last - first) / every + 1;
  if (count > MAX_BUCKETS) throw new XenoflowError("E_USAGE", `--every ${every}s gives ${count} buckets over this range; the limit is ${MAX_BUCKETS}`);
  const out: number[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = first + i * every;
  return out;
}

export async function runSeries(db: ReportDb, q: SeriesQuery): Promise<SeriesResult> {
  const starts = bucketStarts(q.range, q.every);
  const got = await db.series(q);
  if (got === null) throw noTable(q.target.table, db.kind);
  if (got.rows === 0) throw emptyRange(q.target.table, q.range, q.collector);
  const byTime = new Map(got.buckets.map((b) => [b.time, b.sum]));
  const first = Math.min(...byTime.keys());
  const buckets = starts.filter((time) => time >= first).map((time) => ({ time, sum: byTime.get(time) ?? 0n }));
  return { table: q.target.table, value: q.value, range: q.range, every: q.every, buckets };
}

/** Per-second rate of a bucket's sum; `bits` per second for bits, and so on. */
export function ratePerSecond(sum: bigint, every: number): number {
  return Number(sum) / every;
}
