// Alert state across a configuration reload (issue 5): while a key is over its limit, SIGHUP
// reloads a config whose limit changed (threshold 1000 -> 1100, still under the 2000/s load).
// The active alert must live on: no second `exceed`, and exactly one `normal` once the load
// stops, for the same start time.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { gen, recordedCalls, recorderScript, waitForCalls } from "../support/alerts.ts";

let c: RunningCollector;
let script = "";

const body = (threshold: number) => `
[[mo]]
name = "all"
  [[mo.mavg]]
  name = "dst_rate"
  window = "1s"
  key = ["dst host"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "flood"
    packets = ${threshold}
    normal_after = "2s"
    on_exceed = "${script}"
    on_normal = "${script}"
`;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "xf-reload-"));
  script = recorderScript(dir);
  c = await startCollector(body(1000), { dir });
});

afterAll(async () => {
  if (!c) return;
  expect(await c.stop()).toBe(0);
  c.cleanup();
  rmSync(c.dir, { recursive: true, force: true });
});

test("an active alert survives SIGHUP: one exceed, one normal", async () => {
  const load = gen(c.port, ["--version", "9", "--records", "4", "--fps", "2000", "--duration", "8", "--dst-nets", "192.0.2.7/32", "--hosts-dst", "1"]);
  const [exceed] = await waitForCalls(script, 1, 6000);
  writeFileSync(c.config, readFileSync(c.config, "utf8").replace("packets = 1000", "packets = 1100"));
  process.kill(c.pid, "SIGHUP");
  await c.waitForLog(/SIGHUP: reloaded/);
  await load;
  const calls = await waitForCalls(script, 2, 8000);
  await Bun.sleep(3000); // a spurious re-fire would come within normal_after + tau
  expect(recordedCalls(script).map((x) => x.argv.slice(0, 5))).toEqual([
    ["exceed", "all", "dst_rate", "flood", "192.0.2.7"],
    ["normal", "all", "dst_rate", "flood", "192.0.2.7"],
  ]);
  const start = JSON.parse(exceed?.stdin ?? "{}").start;
  expect(JSON.parse(calls[1]?.stdin ?? "{}").start).toBe(start);
  expect(c.logs.filter((l) => /reload.*rejected/.test(l))).toEqual([]);
}, 40_000);
