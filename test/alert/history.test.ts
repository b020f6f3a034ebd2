// Ended alerts through the history writer into a real SQLite store, read back as the console does.
import { expect, test } from "bun:test";
import { join } from "node:path";
import type { AlertState } from "../../src/alert/event.ts";
import { createAlertHistory } from "../../src/alert/history.ts";
import { openSqliteReports } from "../../src/report/sqlite.ts";
import { createSqliteSink } from "../../src/store/sqlite.ts";
import { tree } from "../config/tmp.ts";

const T = 1_700_000_000_000;

function ended(over: Partial<AlertState>): AlertState {
  return {
    id: "x", mo: "web", mavg: "dst", limit: "flood", keyFields: ["dst_host", "dst_port"], key: ["192.0.2.7", "443"], direction: "exceed",
    metric: "bits", value: 9e6, peak: 2.5e7, threshold: 8e6, thresholds: { bits: 8e6 }, rates: {}, startMs: T, belowSinceMs: null,
    enable: [], scripts: [null, null], normalAfterMs: 1000, ...over,
  };
}

test("every ended alert is one row with its peak, direction, key and times", async () => {
  const path = join(tree({}), "a.sqlite");
  const sink = createSqliteSink(path);
  const logs: string[] = [];
  const h = createAlertHistory(sink, "edge-1", (_l, m) => logs.push(m));
  h.ended(ended({}), T + 30_500);
  h.ended(ended({ limit: "quiet", direction: "below", metric: "packets", peak: 0.25, threshold: 10, key: ["192.0.2.8", ""], startMs: T + 1000 }), T + 60_000);
  await h.idle();
  expect(h.pending).toBe(0);
  await sink.close();
  const db = openSqliteReports(path);
  expect(await db.alerts({ from: T / 1000, to: T / 1000 + 3600 }, 10)).toEqual([
    { started: T / 1000 + 1, ended: T / 1000 + 60, collector: "edge-1", mo: "web", mavg: "dst", limit: "quiet", direction: "below", key: '{"dst_host":"192.0.2.8","dst_port":""}', metric: "packets", peak: 0.25, threshold: 10 },
    { started: T / 1000, ended: T / 1000 + 30.5, collector: "edge-1", mo: "web", mavg: "dst", limit: "flood", direction: "exceed", key: '{"dst_host":"192.0.2.7","dst_port":"443"}', metric: "bits", peak: 2.5e7, threshold: 8e6 },
  ]);
  await db.close();
  expect(logs).toEqual([]);
});
