// `report top`: the n largest keys of a window over a range by one value, then "other" (every
// other key plus the stored top-N remainder rows) and the total, so the rows always add up.
import type { ValueName } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { KeyColumn } from "../flow/export.ts";
import type { KeyedSums, ReportDb, TopQuery } from "./model.ts";
import { type Range, isoTime } from "./time.ts";

export interface TopResult {
  table: string;
  by: ValueName;
  range: Range;
  keys: readonly KeyColumn[];
  values: readonly ValueName[];
  top: KeyedSums[];
  /** Sums in `values` order. */
  other: bigint[];
  total: bigint[];
}

export const MAX_TOP = 100_000;

export async function runTop(db: ReportDb, q: TopQuery): Promise<TopResult> {
  if (!Number.isInteger(q.n) || q.n < 1 || q.n > MAX_TOP) throw new XenoflowError("E_USAGE", `-n must be an integer 1..${MAX_TOP}, not ${q.n}`);
  const got = await db.top(q);
  if (got === null) throw noTable(q.target.table, db.kind);
  if (got.rows === 0) throw emptyRange(q.target.table, q.range, q.collector);
  const other = got.total.map((t, i) => got.top.reduce((rest, r) => rest - (r.sums[i] ?? 0n), t));
  return { table: q.target.table, by: q.by, range: q.range, keys: q.target.keys, values: q.target.values, top: got.top, other, total: got.total };
}

export function noTable(table: string, kind: string): XenoflowError {
  return new XenoflowError("E_USAGE", `table ${table} does not exist in the ${kind} store: the collector has not exported this window yet`);
}

export function emptyRange(table: string, range: Range, collector: string | null): XenoflowError {
  const of = collector === null ? "" : ` of collector ${collector}`;
  return new XenoflowError("E_USAGE", `no rows${of} in ${table} from ${isoTime(range.from)} to ${isoTime(range.to)}`);
}
