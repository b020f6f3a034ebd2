// Extended windows switched by overlapping alerts (issue 5): two keys cross the same limit at
// different times, both listing `enable = ["all/detail"]`. The extended window must collect from
// the first `exceed` until the *second* `normal` (reference-counted, not one global flag as in
// xenoeye), seen two ways: /api/alerts while it runs, and the window's SQLite rows afterwards
// (an extended window writes rows only for seconds while it was enabled). A background load
// under the threshold flows the whole time, so a second without detail rows means "off", not
// "no traffic"; the non-extended twin window proves the traffic was there.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { type ScriptCall, gen, recorderScript, waitForCalls } from "../support/alerts.ts";
import { freeTcpPort } from "../http/support.ts";

const to = (host: string) => ["--version", "9", "--records", "4", "--dst-nets", `${host}/32`, "--hosts-dst", "1", "--octets", "500"];

let c: RunningCollector;
let script = "";
let base = "";

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "xf-extended-"));
  script = recorderScript(dir);
  const http = await freeTcpPort();
  base = `http://127.0.0.1:${http}`;
  c = await startCollector(
    `
[[mo]]
name = "all"
  [[mo.window]]
  name = "detail"
  every = "1s"
  key = ["dst host"]
  values = ["flows"]
  extended = true
  [[mo.window]]
  name = "base"
  every = "1s"
  key = ["dst host"]
  values = ["flows"]
  [[mo.mavg]]
  name = "dst_rate"
  window = "1s"
  key = ["dst host"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "flood"
    packets = 1000
    normal_after = "2s"
    on_exceed = "${script}"
    on_normal = "${script}"
    enable = ["all/detail"]
`,
    { dir, http: `listen = "127.0.0.1:${http}"` },
  );
  await c.waitForLog(/http on /);
});

afterAll(() => {
  if (!c) return;
  c.cleanup();
  rmSync(c.dir, { recursive: true, force: true });
});

test("two overlapping alerts keep the extended window on until both have ended", async () => {
  const states: string[] = [];
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const doc = (await (await fetch(`${base}/api/alerts`)).json()) as { alerts: { key: { dst_host: string } }[] };
      const state = doc.alerts.map((a) => a.key.dst_host).sort().join(",");
      if (states.at(-1) !== state) states.push(state);
      await Bun.sleep(150);
    }
  })();

  const background = gen(c.port, [...to("192.0.2.9"), "--fps", "200", "--duration", "24"]);
  await Bun.sleep(3000);
  const a = gen(c.port, [...to("192.0.2.7"), "--fps", "2000", "--duration", "8"]);
  await Bun.sleep(4000);
  const b = gen(c.port, [...to("192.0.2.8"), "--fps", "2000", "--duration", "8"]);
  await Promise.all([a, b, background]);
  polling = false;
  await poll;

  const calls = await waitForCalls(script, 4, 5000);
  expect(calls.map((x) => `${x.argv[0]} ${x.argv[4]}`)).toEqual(["exceed 192.0.2.7", "exceed 192.0.2.8", "normal 192.0.2.7", "normal 192.0.2.8"]);
  expect(states).toEqual(["", "192.0.2.7", "192.0.2.7,192.0.2.8", "192.0.2.8", ""]);
  const [exA, , noA, noB] = calls.map((x: ScriptCall) => x.atMs) as [number, number, number, number];

  expect(await c.stop()).toBe(0); // SIGTERM closes and writes the open windows
  const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
  const seconds = (table: string, host: string) =>
    (db.query(`select time from ${table} where dst_host = ? order by time`).all(host) as { time: number }[]).map((r) => r.time);
  const detail = new Set(db.query("select distinct time from all_detail").all().map((r) => (r as { time: number }).time));
  const detailBackground = new Set(seconds("all_detail", "192.0.2.9"));
  const baseBackground = seconds("all_base", "192.0.2.9");
  db.close();

  // The script starts a few ms after the window is switched; 500 ms covers a loaded machine.
  const firstOn = Math.floor((exA - 500) / 1000);
  const lastOn = Math.floor(noB / 1000);
  expect([...detail].filter((s) => s < firstOn || s > lastOn)).toEqual([]);
  // Every whole second between the first exceed and the last normal has the background key.
  const whole = baseBackground.filter((s) => s * 1000 >= exA && (s + 1) * 1000 <= noB - 500);
  expect(whole.filter((s) => !detailBackground.has(s))).toEqual([]);
  // ... including seconds after the first alert ended (the reference count, not a flag).
  expect(whole.filter((s) => s * 1000 > noA).length).toBeGreaterThanOrEqual(1);
  // The traffic was there before and after: only the switch kept those rows out.
  expect(baseBackground.filter((s) => s < firstOn).length).toBeGreaterThanOrEqual(2);
  expect(baseBackground.filter((s) => s > lastOn).length).toBeGreaterThanOrEqual(2);
}, 60_000);
