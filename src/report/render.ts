// Report output: an aligned table for people (units, shares) or CSV (RFC 4180 quoting, LF line ends
// for shell pipelines) with raw numbers for scripts. Both are plain text so that the SQLite and PostgreSQL runs compare byte for byte.
import { type KeyNamer, keyNamer } from "./names.ts";
import { type SeriesResult, ratePerSecond } from "./series.ts";
import { isoTime } from "./time.ts";
import type { TopResult } from "./top.ts";
import { humanRate, humanValue, rawRate } from "./units.ts";

type Align = "left" | "right";

/** Columns padded to their widest cell; numbers right-aligned. */
export function alignedTable(head: string[], rows: string[][], align: Align[]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (align[i] === "right" ? c.padStart(width[i]!) : c.padEnd(width[i]!))).join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n");
}

/** RFC 4180 section 2: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csv(head: string[], rows: string[][]): string {
  return [head, ...rows].map((r) => r.map(csvField).join(",")).join("\n");
}

function share(part: bigint, total: bigint): string {
  if (total === 0n) return "-";
  // Thousandths of a percent in integers first: exact for sums beyond 2^53.
  return `${(Number((part * 100_000n) / total) / 1000).toFixed(1)}%`;
}

/**
 * `namer` (the table only): names beside key values, "64500 (EXAMPLE-NET)", as the JSON reports
 * give them; by default the compiled protocol and port names alone. CSV keeps the values alone.
 */
export function renderTop(r: TopResult, format: "table" | "csv", namer: KeyNamer = keyNamer([])): string {
  const byIdx = r.values.indexOf(r.by);
  const blanks = r.keys.map(() => "");
  if (format === "csv") {
    const head = ["row", ...r.keys.map((k) => k.name), ...r.values];
    const rows = r.top.map((t, i) => [String(i + 1), ...t.keys.map((k) => k ?? ""), ...t.sums.map(String)]);
    rows.push(["other", ...blanks, ...r.other.map(String)], ["total", ...blanks, ...r.total.map(String)]);
    return `${csv(head, rows)}\n`;
  }
  const total = r.total[byIdx] ?? 0n;
  const human = (sums: bigint[]): string[] => sums.map((s, i) => humanValue(r.values[i]!, s));
  const keyText = (k: string | null, name: string | null | undefined): string => (k === null ? "-" : name ? `${k} (${name})` : k);
  const rows = r.top.map((t, i) => {
    const names = namer(r.keys, t.keys);
    return [String(i + 1), ...t.keys.map((k, j) => keyText(k, names[j])), ...human(t.sums), share(t.sums[byIdx] ?? 0n, total)];
  });
  rows.push(["other", ...blanks, ...human(r.other), share(r.other[byIdx] ?? 0n, total)]);
  rows.push(["total", ...blanks, ...human(r.total), share(total, total)]);
  const head = ["#", ...r.keys.map((k) => k.name), ...r.values, "%"];
  const align: Align[] = ["left", ...r.keys.map((): Align => "left"), ...r.values.map((): Align => "right"), "right"];
  const title = `${r.table}  ${isoTime(r.range.from)} .. ${isoTime(r.range.to)}  top ${r.top.length} by ${r.by}`;
  return `${title}\n${alignedTable(head, rows, align)}\n`;
}

export function renderSeries(r: SeriesResult, format: "table" | "csv"): string {
  const rate = (s: bigint): number => ratePerSecond(s, r.every);
  if (format === "csv") {
    const rows = r.buckets.map((b) => [isoTime(b.time), String(b.time), b.sum.toString(), rawRate(rate(b.sum))]);
    return `${csv(["time", "epoch", r.value, `${r.value}_per_s`], rows)}\n`;
  }
  const rows = r.buckets.map((b) => [isoTime(b.time), humanValue(r.value, b.sum), humanRate(r.value, rate(b.sum))]);
  const title = `${r.table}  ${isoTime(r.range.from)} .. ${isoTime(r.range.to)}  ${r.value} every ${r.every}s`;
  return `${title}\n${alignedTable(["time", r.value, `${r.value}/s`], rows, ["left", "right", "right"])}\n`;
}
