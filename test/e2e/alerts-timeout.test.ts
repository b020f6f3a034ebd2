// A hanging alert script (issue 5): it starts a child and waits forever. With script_timeout =
// 2s the collector kills the script and its child (the whole process group) about 2 s after it
// started, while `xenoflow gen` keeps sending: the fixed window's totals over the run must equal
// exactly what gen sent, so no flow was lost or double-counted while the script hung.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { gen, processGone } from "../support/alerts.ts";

const TIMEOUT_S = 2;

let c: RunningCollector;
let dir = "";

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "xf-timeout-"));
  const hang = join(dir, "hang.sh");
  writeFileSync(
    hang,
    `#!/bin/sh
date +%s%N > '${dir}/started'
sleep 300 &
echo "$$ $!" > '${dir}/pids'
wait
`,
  );
  chmodSync(hang, 0o755);
  c = await startCollector(
    `
[alerts]
script_timeout = "${TIMEOUT_S}s"
[[mo]]
name = "all"
  [[mo.window]]
  name = "total"
  every = "1s"
  key = ["dst host"]
  values = ["flows", "packets", "octets"]
  [[mo.mavg]]
  name = "dst_rate"
  window = "1s"
  key = ["dst host"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "flood"
    packets = 1000
    on_exceed = "${hang}"
`,
    { dir },
  );
});

afterAll(() => {
  if (!c) return;
  c.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

test("a hanging script is killed with its children at script_timeout while every flow is still counted", async () => {
  const load = gen(c.port, ["--version", "9", "--fps", "3000", "--duration", "8", "--dst-nets", "192.0.2.7/32", "--hosts-dst", "1", "--octets", "100-1500"]);
  const until = Date.now() + 6000;
  while (!existsSync(join(dir, "pids")) && Date.now() < until) await Bun.sleep(20);
  const [script, child] = readFileSync(join(dir, "pids"), "utf8").trim().split(" ").map(Number) as [number, number];
  const startedMs = Number(readFileSync(join(dir, "started"), "utf8").trim()) / 1e6;
  let goneMs = Number.NaN;
  while (Date.now() < startedMs + (TIMEOUT_S + 3) * 1000) {
    if (processGone(script)) {
      goneMs = Date.now();
      break;
    }
    await Bun.sleep(20);
  }
  const stillSending = goneMs < startedMs + 8000;
  const sent = await load;
  expect(stillSending).toBe(true);
  expect((goneMs - startedMs) / 1000).toBeGreaterThanOrEqual(TIMEOUT_S - 0.1);
  expect((goneMs - startedMs) / 1000).toBeLessThanOrEqual(TIMEOUT_S + 1);
  // Its child went with it: the collector kills the process group, not only the script.
  const childUntil = Date.now() + 2000;
  while (!processGone(child) && Date.now() < childUntil) await Bun.sleep(20);
  expect(processGone(child)).toBe(true);
  await c.waitForLog(new RegExp(`hang\\.sh \\(exceed all/dst_rate/flood 192\\.0\\.2\\.7\\) killed after ${TIMEOUT_S * 1000} ms`));

  expect(sent.send_errors).toBe(0);
  expect(await c.stop()).toBe(0); // SIGTERM closes and writes the open window
  const db = new Database(join(dir, "xf.sqlite"), { readonly: true });
  const totals = db.query("select sum(flows) as flows, sum(packets) as packets, sum(octets) as octets, count(distinct time) as seconds from all_total").get();
  db.close();
  expect(totals).toEqual({ flows: sent.flows, packets: sent.packets, octets: sent.octets, seconds: expect.any(Number) });
  expect((totals as { seconds: number }).seconds).toBeGreaterThanOrEqual(8);
}, 60_000);
