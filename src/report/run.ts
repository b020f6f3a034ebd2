// The report commands as functions of (config, arguments, clock): the CLI passes the wall clock and
// the loaded config, tests pass their own, and both get the exact text the command prints.
import { COLLECTOR_NAME } from "../config/parsers.ts";
import type { Config } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { ReportDb } from "./model.ts";
import { renderSeries, renderTop } from "./render.ts";
import { runSeries } from "./series.ts";
import { pickValue, resolveTarget } from "./target.ts";
import { type RangeArgs, parseSeconds, resolveRange } from "./time.ts";
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
  csv?: boolean | undefined;
}

export interface SeriesArgs extends RangeArgs, CollectorArg {
  mo: string;
  window: string;
  value: string;
  every?: string | undefined;
  csv?: boolean | undefined;
}

export async function reportTop(config: Config, db: ReportDb, args: TopArgs, now: number): Promise<string> {
  const target = resolveTarget(config, args.mo, args.window);
  const by = pickValue(target, args.by, "--by");
  const range = resolveRange(args, now);
  const nText = args.n ?? "20";
  if (!/^\d+$/.test(nText)) throw new XenoflowError("E_USAGE", `-n "${nText}": expected a positive integer`);
  const result = await runTop(db, { target, by, range, n: Number(nText), collector: collectorOf(args) });
  return renderTop(result, args.csv ? "csv" : "table");
}

export async function reportSeries(config: Config, db: ReportDb, args: SeriesArgs, now: number): Promise<string> {
  const target = resolveTarget(config, args.mo, args.window);
  if (args.value === undefined || args.value === "") throw new XenoflowError("E_USAGE", `--value is required; window ${target.table} has values ${target.values.join(", ")}`);
  const value = pickValue(target, args.value, "--value");
  const range = resolveRange(args, now);
  const every = args.every === undefined || args.every === "" ? target.every : parseSeconds(args.every, "--every");
  const result = await runSeries(db, { target, value, range, every, collector: collectorOf(args) });
  return renderSeries(result, args.csv ? "csv" : "table");
}
