// The HTTP API's SQLite reader in its worker thread: the same answers as in the thread, and a
// query running past the bound is cancelled with E_STORE instead of holding the collector.
import { beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import type { Config } from "../../src/config/types.ts";
import { XenoflowError } from "../../src/errors.ts";
import { reportSeries, reportTop } from "../../src/report/run.ts";
import { openSqliteReports } from "../../src/report/sqlite.ts";
import { openSqliteReportsOffThread } from "../../src/report/sqlite-off-thread.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { tree } from "../config/tmp.ts";
import { ALERTS, NAMES, T0, loadFixtureConfig, writeData } from "./fixture.ts";

let config: Config;
let path = "";

beforeAll(async () => {
  config = loadFixtureConfig();
  path = join(tree({}), "x.sqlite");
  const sink = createSqliteSink(path);
  await writeData(config, sink);
  await sink.writeNames(NAMES);
  for (const a of ALERTS) await sink.writeAlert(a);
  await sink.close();
});

const range = { from: String(T0), to: String(T0 + 180) };

test("answers what the in-thread reader answers: top, series with keys, names, alerts", async () => {
  const here = openSqliteReports(path);
  const there = openSqliteReportsOffThread(path, 5000);
  for (const db of [here, there]) expect(db.kind).toBe("sqlite");
  const top = { mo: "all", window: "proto", by: "bits", n: "2", ...range, json: true };
  const series = { mo: "all", window: "talkers", value: "octets", top: "2", ...range, json: true };
  expect(await reportTop(config, there, top, 0)).toBe(await reportTop(config, here, top, 0));
  expect(await reportSeries(config, there, series, 0)).toBe(await reportSeries(config, here, series, 0));
  expect(await there.alerts({ from: T0, to: T0 + 180 }, 10)).toEqual(await here.alerts({ from: T0, to: T0 + 180 }, 10));
  const err = await reportTop(config, there, { mo: "all", window: "proto", last: "1h" }, T0 + 86400).catch((e: unknown) => e);
  expect([(err as XenoflowError).code, (err as Error).message]).toEqual(["E_USAGE", "no rows in all_proto from 2023-11-15T21:14:00Z to 2023-11-15T22:14:00Z"]);
  await here.close();
  await there.close();
});

test("a query past the bound is cancelled with E_STORE (its worker ended)", async () => {
  const slow = openSqliteReportsOffThread(path, 1);
  const err = await slow.names().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(XenoflowError);
  expect([(err as XenoflowError).code, (err as Error).message]).toEqual(["E_STORE", "SQLite query cancelled after 0.001 s: narrow the range or the window"]);
  await slow.close();
});
