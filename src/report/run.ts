// The report commands as functions of (config, arguments, clock): the CLI passes the wall clock and
// the loaded config, tests pass their own, and both get the exact text the command prints.
import { COLLECTOR_NAME } from "../config/parsers.ts";
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import { jsonText, seriesJson, topJson } from "./json.ts";
import type { ReportDb } from "./model.ts";
import { keyNamer } from "./names.ts";
import { renderSeries, renderTop } from "./render.ts";
import { runSeries } from "./series.ts";
import { parseWhere, pickValue, resolveTarget } from "./target.ts";
import { type Range, type RangeArgs, parseSeconds, resolveRange } from "./time.ts";
import { runTop } from "./top.ts";

/** `--collector`: one collector of a fleet; absent or "": the whole fleet. */
export interface CollectorArg {
  collector?: string | undefined;
}

function collectorOf(args: CollectorArg): string | null {
  const c = args.collector;
  if (c === undefined || c === "") return null;
  if (!COLLECTOR_NAME.test(c)) throw new XenoflowError("E_USAGE", `--collector "${c}": not a collector name (letters, digits, ".", "_" and "-")`);
  return c;
}

export interface TopArgs extends RangeArgs, CollectorArg {
  mo: string;
  window: string;
  by?: string | undefined;
  n?: string | undefined;
  where?: string | undefined;
  csv?: boolean | undefined;
  json?: boolean | undefined;
}

export interface SeriesArgs extends RangeArgs, CollectorArg {
  mo: string;
  window: string;
  value: string;
  every?: string | undefined;
  /** Top keys with a series of their own (JSON); the rest is "other". */
  top?: string | undefined;
  where?: string | undefined;
  csv?: boolean | undefined;
  json?: boolean | undefined;
}

/** Limits a caller (the HTTP API) puts on a query; the command line has none beyond runTop's. */
export interface ReportBounds {
  maxRangeSeconds: number;
  maxRows: number;
  maxBuckets: number;
}

function count(text: string | undefined, fallback: string, flag: string): number {
  const t = text === undefined || text === "" ? fallback : text;
  if (!/^\d+$/.test(t)) throw new XenoflowError("E_USAGE", `${flag} "${t}": expected a positive integer`);
  return Number(t);
}

function bounded(range: Range, bounds: ReportBounds | undefined): Range {
  if (bounds && range.to - range.from > bounds.maxRangeSeconds) {
    throw new XenoflowError("E_USAGE", `range of ${range.to - range.from}s: at most ${bounds.maxRangeSeconds}s (${bounds.maxRangeSeconds / 86400} days) per query`);
  }
  return range;
}

export async function reportTop(config: Config, db: ReportDb, args: TopArgs, now: number, bounds?: ReportBounds): Promise<string> {
  const target = resolveTarget(config, args.mo, args.window);
  const by = pickValue(target, args.by, "--by");
  const range = bounded(resolveRange(args, now), bounds);
  const n = count(args.n, "20", "-n");
  if (bounds && n > bounds.maxRows) throw new XenoflowError("E_USAGE", `-n ${n}: at most ${bounds.maxRows} rows per query`);
  const result = await runTop(db, { target, by, range, n, where: parseWhere(target, args.where), collector: collectorOf(args) });
  if (args.json) return `${jsonText(topJson(result, keyNamer(await db.names())))}\n`;
  if (args.csv) return renderTop(result, "csv");
  return renderTop(result, "table", keyNamer(await db.names()));
}

export async function reportSeries(config: Config, db: ReportDb, args: SeriesArgs, now: number, bounds?: ReportBounds): Promise<string> {
  const target = resolveTarget(config, args.mo, args.window);
  if (args.value === undefined || args.value === "") throw new XenoflowError("E_USAGE", `--value is required; window ${target.table} has values ${target.values.join(", ")}`);
  const value = pickValue(target, args.value, "--value");
  const range = bounded(resolveRange(args, now), bounds);
  const every = args.every === undefined || args.every === "" ? target.every : parseSeconds(args.every, "--every");
  const buckets = Math.ceil((range.to - range.from) / every);
  if (bounds && buckets > bounds.maxBuckets) throw new XenoflowError("E_USAGE", `every ${every}s gives ${buckets} buckets over this range; at most ${bounds.maxBuckets}: give a longer every`);
  const top = count(args.top, "0", "--top");
  if (top > 0 && !args.json) throw new XenoflowError("E_USAGE", "--top splits the series by key in --json only (a stacked chart's data); add --json");
  const result = await runSeries(db, { target, value, range, every, top, where: parseWhere(target, args.where), collector: collectorOf(args) });
  if (args.json) return `${jsonText(seriesJson(result, keyNamer(await db.names())))}\n`;
  return renderSeries(result, args.csv ? "csv" : "table");
}
