// Traffic that drops (issue 26): a `below = true` limit on `xenoflow run` fed by `xenoflow gen`
// through the timestamping relay. One key, packets threshold T = 500/s, tau = 1 s, normal_after 2 s.
//   1. 1000/s (2 T) for 4 s arms the key (its rate reaches T): nothing runs.
//   2. silence: the rate decays as e^{-t/tau} from ~1000/s and is under T tau ln 2 = 0.69 s after
//      the drop: `below` must run within tau ln 2 + 1 s.
//   3. 1000/s again: the rate is back at T after tau ln 2, and `normal` runs normal_after later;
//      the ended alert is a row of xenoflow_alerts with its lowest rate as its peak.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gen, recordedCalls, recorderScript, type Relay, startRelay, waitForCalls } from "../support/alerts.ts";
import { type RunningCollector, startCollector } from "../support/collector.ts";

const TAU = 1;
const T = 500;
const NORMAL_AFTER = 2;
const LOAD = ["--version", "9", "--records", "4", "--dst-nets", "192.0.2.9/32", "--hosts-dst", "1", "--octets", "1000", "--fps", "1000"];

let c: RunningCollector;
let relay: Relay;
let script = "";

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "xf-below-"));
  script = recorderScript(dir);
  c = await startCollector(
    `
[[mo]]
name = "svc"
  [[mo.window]]
  name = "total"
  every = "10s"
  key = ["dst host"]
  values = ["packets"]
  [[mo.mavg]]
  name = "dst_rate"
  window = "${TAU}s"
  key = ["dst host"]
  values = ["packets"]
    [[mo.mavg.limit]]
    name = "quiet"
    below = true
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
    c.cleanup();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test("below runs within tau ln 2 + 1 s of the traffic stopping, normal when it is back; the history row has the lowest rate", async () => {
  await gen(relay.port, [...LOAD, "--duration", "4"]);
  const drop = relay.lastMs;
  const [below] = await waitForCalls(script, 1, 10_000);
  expect(below!.argv).toEqual(["below", "svc", "dst_rate", "quiet", "192.0.2.9", expect.stringMatching(/^\d+(\.\d{3})?$/), String(T)]);
  expect(Number(below!.argv[5])).toBeLessThan(T);
  expect((below!.atMs - drop) / 1000).toBeLessThanOrEqual(TAU * Math.LN2 + 1);
  expect(below!.env.XENOFLOW_EVENT).toBe("below");

  relay.reset();
  await gen(relay.port, [...LOAD, "--duration", String(NORMAL_AFTER + 2)]);
  const calls = await waitForCalls(script, 2, 10_000);
  expect(calls.map((x) => x.argv[0])).toEqual(["below", "normal"]);
  const backS = (calls[1]!.atMs - relay.firstMs) / 1000;
  expect(Math.abs(backS - (TAU * Math.LN2 + NORMAL_AFTER))).toBeLessThanOrEqual(1);

  expect(await c.stop()).toBe(0);
  expect(recordedCalls(script)).toHaveLength(2);
  const db = new Database(join(c.dir, "xf.sqlite"), { readonly: true });
  const rows = db.query('select mo, mavg, "limit", direction, key, metric, peak, threshold, ended - started as seconds from xenoflow_alerts').all() as Record<string, unknown>[];
  db.close();
  expect(rows.map(({ peak: _p, seconds: _s, ...rest }) => rest)).toEqual([
    { mo: "svc", mavg: "dst_rate", limit: "quiet", direction: "below", key: '{"dst_host":"192.0.2.9"}', metric: "packets", threshold: T },
  ]);
  // The lowest rate while below: at most the rate `below` started with (lower unless the traffic
  // came back before the next tick, as it may on a busy machine).
  expect(rows[0]!.peak as number).toBeLessThanOrEqual(Number(below!.argv[5]) + 0.001);
  expect(rows[0]!.seconds as number).toBeGreaterThan(NORMAL_AFTER);
}, 60_000);
