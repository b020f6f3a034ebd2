// Report results as JSON (`report ... --json` and the HTTP API, DESIGN.md section 8): one shape
// for both, so the console charts exactly what the command prints. Key cells are objects
// {"value": ..., "name": ...} (name only where known); sums are written as exact integers even
// beyond 2^53, since JSON numbers have no precision limit of their own.
import type { KeyColumn } from "../store/sink.ts";
import type { KeyNamer } from "./names.ts";
import type { SeriesResult } from "./series.ts";
import { isoTime } from "./time.ts";
import type { TopResult } from "./top.ts";

const BIG = "\u0000bigint:";

/** JSON text with every bigint as its exact digits. */
export function jsonText(doc: unknown): string {
  const text = JSON.stringify(doc, (_, v) => (typeof v === "bigint" ? `${BIG}${v}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1");
}

function keyObject(keys: readonly KeyColumn[], cells: readonly (string | null)[], namer: KeyNamer): Record<string, unknown> {
  const names = namer(keys, cells);
  return Object.fromEntries(
    keys.map((k, i) => {
      const v = cells[i] ?? null;
      const value = v !== null && k.type === "uint" ? Number(v) : v;
      const name = names[i];
      return [k.name, name === null || name === undefined ? { value } : { value, name }];
    }),
  );
}

/** part / total, 0 for an empty total; exact enough for a share (five digits). */
function share(part: bigint, total: bigint): number {
  return total === 0n ? 0 : Number((part * 100_000n) / total) / 100_000;
}

export function topJson(r: TopResult, namer: KeyNamer) {
  const byIdx = r.values.indexOf(r.by);
  const total = r.total[byIdx] ?? 0n;
  const sums = (s: readonly bigint[]) => ({ ...Object.fromEntries(r.values.map((v, i) => [v, s[i] ?? 0n])), share: share(s[byIdx] ?? 0n, total) });
  return {
    table: r.table,
    from: isoTime(r.range.from),
    to: isoTime(r.range.to),
    by: r.by,
    keys: r.keys.map((k) => k.name),
    values: r.values,
    rows: r.top.map((t) => ({ ...keyObject(r.keys, t.keys, namer), ...sums(t.sums) })),
    other: sums(r.other),
    total: sums(r.total),
  };
}

export function seriesJson(r: SeriesResult, namer: KeyNamer) {
  return {
    table: r.table,
    from: isoTime(r.range.from),
    to: isoTime(r.range.to),
    value: r.value,
    every: r.every,
    keys: r.top.map((cells) => keyObject(r.keys, cells, namer)),
    buckets: r.buckets.map((b, i) => {
      const split = r.split[i] ?? [];
      const other = split.reduce((rest, s) => rest - s, b.sum);
      return { time: b.time, values: split, other, total: b.sum };
    }),
  };
}
