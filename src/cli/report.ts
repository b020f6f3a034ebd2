// `xenoflow report top|series`: reports over the window tables of the configured store
// (DESIGN.md section 2). The work is in src/report; this file maps flags and prints.
import { defineCommand } from "citty";
import { configPath, loadConfig } from "../config/load.ts";
import { expressionChecker } from "../expressions.ts";
import { openReports } from "../report/open.ts";
import { reportSeries, reportTop } from "../report/run.ts";
import type { ReportDb } from "../report/model.ts";
import { maskUrl } from "../store/store-error.ts";
import { configFlag } from "./flags.ts";

const common = {
  config: configFlag,
  mo: { type: "string", required: true, description: "monitoring object" },
  window: { type: "string", required: true, description: "window of that monitoring object" },
  last: { type: "string", description: "range ending now: 15m, 1h, 7d (default 1h)" },
  from: { type: "string", description: "range start: ISO 8601 or epoch seconds" },
  to: { type: "string", description: "range end, exclusive (default now)" },
  csv: { type: "boolean", description: "CSV with raw numbers instead of an aligned table" },
  collector: { type: "string", description: "only this collector's rows ([collector] name); default: the whole fleet" },
} as const;

async function withDb(configFile: string | undefined, run: (db: ReportDb, config: ReturnType<typeof loadConfig>) => Promise<string>): Promise<number> {
  const config = loadConfig(configPath(configFile), { expressions: expressionChecker });
  // Named on stderr so that a forgotten XENOFLOW_DB_URL does not silently read the SQLite file.
  console.error(`reading ${maskUrl(config.storage.url)}`);
  const db = openReports(config.storage);
  try {
    process.stdout.write(await run(db, config));
  } finally {
    await db.close();
  }
  return 0;
}

const now = (): number => Math.floor(Date.now() / 1000);

const top = defineCommand({
  meta: { name: "top", description: 'a window\'s top keys over a time range, with an "other" row and the total' },
  args: {
    ...common,
    by: { type: "string", description: "value to rank by (default: the window's first value)" },
    n: { type: "string", default: "20", description: "number of keys" },
  },
  run: ({ args }) => withDb(args.config, (db, config) => reportTop(config, db, args, now())),
});

const series = defineCommand({
  meta: { name: "series", description: "one value over time, per bucket, with its per-second rate" },
  args: {
    ...common,
    value: { type: "string", required: true, description: "value to chart (octets, packets, bits, flows)" },
    every: { type: "string", description: "bucket length (default: the window's length)" },
  },
  run: ({ args }) => withDb(args.config, (db, config) => reportSeries(config, db, args, now())),
});

export default defineCommand({
  meta: { name: "report", description: "reports from the stored windows: top keys, series" },
  subCommands: { top, series },
});
