// The alert lifecycle end to end (issue 5): `xenoflow run` fed by `xenoflow gen` through a
// loopback relay that timestamps when each load really starts and stops arriving.
//
// One key (dst host 192.0.2.7), packets threshold T = 1000/s, time constant tau = 3 s,
// normal_after = 5 s. Every generated record is one packet, so the packet rate is the --fps.
//   1. 800/s (0.8 T) for 60 s: the average converges to 800 and never crosses: no script runs.
//   2. 2000/s (2 T) for 15 s: from r0 (what is left of 800/s after the gap between the two
//      generators), r(t) = 2000 - (2000 - r0) e^{-t/tau} crosses T at tau ln((2000 - r0) / 1000),
//      which is at most tau ln 2 (r0 = 0): `exceed` must come within tau ln 2 + 1 s.
//   3. silence: after 15 s (5 tau) the rate is within 0.7% of 2000/s; it decays as e^{-t/tau}
//      and falls below T tau ln(r_end / T) ~ tau ln 2 = 2.08 s after the drop, so `normal` comes
//      normal_after (+- 1 s) after that, once.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningCollector, startCollector } from "../support/collector.ts";
import { gen, recordedCalls, recorderScript, type Relay, startRelay, waitForCalls } from "../support/alerts.ts";

const TAU = 3;
const T = 1000;
const NORMAL_AFTER = 5;
const LOAD = ["--version", "9", "--records", "4", "--dst-nets", "192.0.2.7/32", "--hosts-dst", "1", "--octets", "1000"];

let c: RunningCollector;
let relay: Relay;
let script = "";

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "xf-alerts-"));
  script = recorderScript(dir);
  c = await startCollector(
    `
[alerts]
script_timeout = "10s"
[[mo]]
name = "all"
  [[mo.window]]
  name = "total"
  every = "10s"
  key = ["dst host"]
  values = ["packets"]
  [[mo.mavg]]
  name = "dst_rate"
  window = "${TAU}s"
  key = ["dst host"]
  values = ["packets", "bits"]
    [[mo.mavg.limit]]
    name = "flood"
    packets = ${T}
    on_exceed = "${script}"
    on_normal = "${script}"
    normal_after = "${NORMAL_AFTER}s"
`,
    { dir },
  );
  relay = await startRelay(c.port);
});

afterAll(async () => {
  await relay?.close();
  if (c) {
    expect(await c.stop()).toBe(0);
    c.cleanup();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test("80% of the threshold for 60 s never fires; 2x fires exceed within tau ln 2 + 1 s; normal once, normal_after after the decay", async () => {
  const steady = await gen(relay.port, [...LOAD, "--fps", "800", "--duration", "60"]);
  expect(steady.flows).toBeGreaterThanOrEqual(800 * 59);
  expect(steady.send_errors).toBe(0);
  const steadyEnd = relay.lastMs;
  expect(recordedCalls(script)).toEqual([]);
  expect(c.logs.filter((l) => l.includes("alert "))).toEqual([]);

  relay.reset();
  const step = await gen(relay.port, [...LOAD, "--fps", "2000", "--duration", "15"]);
  expect(step.send_errors).toBe(0);
  const [start, drop] = [relay.firstMs, relay.lastMs];
  const calls = await waitForCalls(script, 2, 20_000);
  // Nothing more may come: wait past another normal_after before counting.
  await Bun.sleep((NORMAL_AFTER + 1) * 1000);
  const all = recordedCalls(script);
  expect(all.map((x) => x.argv.slice(0, 5))).toEqual([
    ["exceed", "all", "dst_rate", "flood", "192.0.2.7"],
    ["normal", "all", "dst_rate", "flood", "192.0.2.7"],
  ]);
  const [exceed, normal] = calls as [(typeof calls)[0], (typeof calls)[0]];

  const r0 = 800 * Math.exp(-(start - steadyEnd) / (TAU * 1000));
  const crossS = TAU * Math.log((2000 - r0) / T);
  const exceedS = (exceed.atMs - start) / 1000;
  expect(crossS).toBeLessThanOrEqual(TAU * Math.LN2);
  expect(exceedS).toBeLessThanOrEqual(TAU * Math.LN2 + 1);
  // Not before the closed form allows (a plain sum over a short window would fire at once).
  expect(exceedS).toBeGreaterThan(crossS - 0.5);

  const rEnd = 2000 - (2000 - r0) * Math.exp(-(drop - start) / (TAU * 1000));
  const belowS = TAU * Math.log(rEnd / T); // ~ tau ln 2 after the drop
  expect(Math.abs(belowS - TAU * Math.LN2)).toBeLessThan(0.1);
  const normalS = (normal.atMs - drop) / 1000;
  expect(Math.abs(normalS - (belowS + NORMAL_AFTER))).toBeLessThanOrEqual(1);

  // The quiet phase was quiet for the average, not for the collector: every packet was counted.
  expect(await c.stop()).toBe(0);
  const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
  const counted = db.query("select dst_host, sum(packets) as packets from all_total group by dst_host").all();
  db.close();
  expect(counted).toEqual([{ dst_host: "192.0.2.7", packets: steady.packets + step.packets }]);
}, 150_000);
