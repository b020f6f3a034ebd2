import { describe, expect, test } from "bun:test";
import { createAlertEngine } from "../../src/alert/engine.ts";
import type { ScriptJob, ScriptRunner } from "../../src/alert/scripts.ts";
import type { LimitDef, MavgDef } from "../../src/config/types.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { createMavg, type MovingAverage } from "../../src/monitor/mavg.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";

const TAU = 5; // seconds
const BITS = 8e6; // bits/s threshold

function limit(over: Partial<LimitDef> = {}): LimitDef {
  return { name: "flood", thresholds: { bits: BITS }, file: null, onExceed: "/x/start.sh", onNormal: "/x/stop.sh", normalAfter: 10, enable: [], below: false, ...over };
}

function mavgOf(limits: LimitDef[]): MovingAverage {
  const def: MavgDef = { name: "dst_rate", window: TAU, key: ["dst host"], values: ["bits", "packets"], maxKeys: 1000, limits };
  return createMavg("web", def, [parseKey("dst host", []) as KeySpec], []);
}

function fakeRunner(): ScriptRunner & { jobs: ScriptJob[] } {
  const jobs: ScriptJob[] = [];
  return {
    jobs,
    stats: { started: 0, succeeded: 0, failed: 0, timedOut: 0, dropped: 0, running: 0, queued: 0 },
    run: (j) => void jobs.push(j),
    idle: () => Promise.resolve(),
    setLimits: () => {},
  };
}

// Feeds `bitsPerSec` toward each destination in 100 ms steps from t0 for `secs`, ticking the
// engine after each step; returns the end time.
function drive(m: MovingAverage, tick: (t: number) => void, dsts: number[], bitsPerSec: number, t0: number, secs: number): number {
  const b = createBatch([], 64);
  const sel = Int32Array.from({ length: 64 }, (_, i) => i);
  const octets = new Float64Array(64);
  const packets = new Float64Array(64);
  let t = t0;
  for (let step = 0; step < secs * 10; step++) {
    t = t0 + step * 100;
    b.length = dsts.length;
    dsts.forEach((d, i) => {
      b.family[i] = 4;
      b.dstAddr[i * 4] = d;
      b.arrivalMs[i] = t;
      octets[i] = bitsPerSec / 8 / 10;
      packets[i] = 1;
    });
    if (bitsPerSec > 0) m.addBatch(b, sel, dsts.length, octets, packets);
    tick(t);
  }
  return t;
}

const H1 = 0xc0000207; // 192.0.2.7
const H2 = 0xc0000208;

describe("alert engine", () => {
  test("a below limit arms a key seen at its threshold, fires below when it goes quiet and normal when it is back; onEnd gets the lowest rate", () => {
    const m = mavgOf([limit({ below: true, normalAfter: 2 })]);
    const runner = fakeRunner();
    const ended: { direction: string; peak: number; value: number; endedMs: number }[] = [];
    const engine = createAlertEngine({ mavgs: [m], window: () => undefined, latestRows: () => null }, runner, () => {}, (a, endedMs) =>
      ended.push({ direction: a.direction, peak: a.peak, value: a.value, endedMs }),
    );
    const fired: [string, number][] = [];
    const tick = (t: number) => {
      const before = runner.jobs.length;
      engine.tick(t);
      for (const j of runner.jobs.slice(before)) fired.push([j.argv[0] as string, t]);
    };
    // H2 never reaches the threshold: never armed, never alerts although it is below all along.
    let t = drive(m, tick, [H1], 2 * BITS, 0, 20);
    // H1's last record was at t: from there on its rate decays.
    const stop = t;
    t = drive(m, tick, [H2], 0.5 * BITS, t + 100, 1);
    expect(fired).toEqual([]);
    t = drive(m, tick, [H2], 0.5 * BITS, t + 100, 15);
    // From ~2x the threshold, the rate falls under it tau ln 2 after the traffic stopped.
    expect(fired.map(([e]) => e)).toEqual(["below"]);
    expect(Math.abs(fired[0]![1] - (stop + TAU * Math.LN2 * 1000))).toBeLessThanOrEqual(1000);
    expect(runner.jobs[0]!.argv.slice(0, 5)).toEqual(["below", "web", "dst_rate", "flood", "192.0.2.7"]);
    expect(runner.jobs[0]!.env.XENOFLOW_EVENT).toBe("below");
    expect(engine.active().map((a) => a.direction)).toEqual(["below"]);
    const resume = t + 100;
    drive(m, tick, [H1], 4 * BITS, resume, 10);
    expect(fired.map(([e]) => e)).toEqual(["below", "normal"]);
    expect(runner.jobs.map((j) => j.path)).toEqual(["/x/start.sh", "/x/stop.sh"]);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.direction).toBe("below");
    expect(ended[0]!.peak).toBeLessThan(ended[0]!.value);
    expect(ended[0]!.peak).toBeLessThan(0.2 * BITS);
    expect(ended[0]!.endedMs).toBe(fired[1]![1]);
    expect(engine.counters).toEqual({ exceed: 0, below: 1, normal: 1, overrideErrors: 0 });
  });

  test("onEnd gets an exceed alert's highest rate as its peak", () => {
    const m = mavgOf([limit({ normalAfter: 1 })]);
    const peaks: number[] = [];
    let highest = 0;
    const engine = createAlertEngine({ mavgs: [m], window: () => undefined, latestRows: () => null }, fakeRunner(), () => {}, (a) => peaks.push(a.peak));
    const tick = (t: number) => {
      engine.tick(t);
      if (m.size > 0) highest = Math.max(highest, m.rate(0, 0, t));
    };
    const t = drive(m, tick, [H1], 3 * BITS, 0, 20);
    drive(m, tick, [H1], 0, t + 100, 20);
    expect(peaks).toEqual([highest]);
    expect(highest).toBeGreaterThan(2.9 * BITS);
  });

  test("80% of the threshold for 60 s never fires; 2x fires exceed within tau ln 2 + 1 s; normal once after normal_after", () => {
    const m = mavgOf([limit()]);
    const runner = fakeRunner();
    const events: string[] = [];
    const engine = createAlertEngine({ mavgs: [m], window: () => undefined, latestRows: () => null }, runner, (_l, msg) => events.push(msg));
    let exceedAt = -1;
    let normalAt = -1;
    const tick = (t: number) => {
      const before = engine.counters.exceed + engine.counters.normal;
      engine.tick(t);
      if (engine.counters.exceed === 1 && exceedAt < 0) exceedAt = t;
      if (engine.counters.normal === 1 && normalAt < 0) normalAt = t;
      expect(engine.counters.exceed + engine.counters.normal - before).toBeLessThanOrEqual(1);
    };
    let t = drive(m, tick, [H1], 0.8 * BITS, 0, 60);
    expect(engine.counters).toEqual({ exceed: 0, below: 0, normal: 0, overrideErrors: 0 });
    const step = t + 100;
    t = drive(m, tick, [H1], 2 * BITS, step, 30);
    expect(exceedAt).toBeGreaterThan(step);
    // From a 0.8 steady state, 2x crosses 1x after tau*ln(1.2/1.0)... bounded by tau*ln 2.
    expect(exceedAt - step).toBeLessThanOrEqual(TAU * Math.LN2 * 1000 + 1000);
    const drop = t + 100;
    t = drive(m, tick, [H1], 0, drop, 40);
    // The rate falls below the threshold tau*ln 2 after the drop; normal_after later it is normal.
    const expected = drop + TAU * Math.LN2 * 1000 + 10_000;
    expect(Math.abs(normalAt - expected)).toBeLessThanOrEqual(1000);
    expect(engine.counters).toEqual({ exceed: 1, below: 0, normal: 1, overrideErrors: 0 });
    expect(runner.jobs.map((j) => [j.path, j.argv[0], j.argv[4]])).toEqual([
      ["/x/start.sh", "exceed", "192.0.2.7"],
      ["/x/stop.sh", "normal", "192.0.2.7"],
    ]);
    // The normal line gives the rate now, under the threshold, then the rate at exceed.
    const atExceed = Number(/bits (\S+)\/s/.exec(events[0] ?? "")?.[1]);
    const now = Math.round(m.rate(0, 0, normalAt) * 1000) / 1000;
    expect(now).toBeLessThan(BITS);
    expect(events).toEqual([
      `alert exceed web/dst_rate/flood 192.0.2.7 bits ${atExceed}/s (threshold ${BITS}/s)`,
      `alert normal web/dst_rate/flood 192.0.2.7 bits ${now}/s (threshold ${BITS}/s; ${atExceed}/s at exceed)`,
    ]);
    expect(atExceed).toBeGreaterThan(BITS);
  });

  test("the script gets exactly the contracted argv, environment and stdin", () => {
    const m = mavgOf([limit({ enable: ["web/talkers"] })]);
    const runner = fakeRunner();
    const rows = [["192.0.2.7", "198.51.100.1", 1000, 10]];
    const engine = createAlertEngine({ mavgs: [m], window: () => ({ enable() {}, disable() {} }), latestRows: () => rows }, runner, () => {});
    drive(m, (t) => engine.tick(t), [H1], 4 * BITS, 1_700_000_000_000, 10);
    expect(runner.jobs.length).toBe(1);
    const j = runner.jobs[0] as ScriptJob;
    const [event, mo, mavg, lim, key, value, threshold] = j.argv;
    expect([event, mo, mavg, lim, key, threshold]).toEqual(["exceed", "web", "dst_rate", "flood", "192.0.2.7", "8000000"]);
    expect(j.argv.length).toBe(7);
    expect(Number(value)).toBeGreaterThan(BITS);
    expect(value).toMatch(/^\d+(\.\d{3})?$/);
    expect(j.env).toEqual({
      XENOFLOW_EVENT: "exceed",
      XENOFLOW_MO: "web",
      XENOFLOW_MAVG: "dst_rate",
      XENOFLOW_LIMIT: "flood",
      XENOFLOW_METRIC: "bits",
      XENOFLOW_VALUE: value as string,
      XENOFLOW_THRESHOLD: "8000000",
      XENOFLOW_KEY: '{"dst_host":"192.0.2.7"}',
    });
    const doc = JSON.parse(j.stdin);
    expect(Object.keys(doc)).toEqual(["event", "mo", "mavg", "limit", "key", "metric", "value", "threshold", "rates", "thresholds", "start", "time", "extended"]);
    expect(doc.key).toEqual({ dst_host: "192.0.2.7" });
    expect(Object.keys(doc.rates)).toEqual(["bits", "packets"]);
    expect(doc.thresholds).toEqual({ bits: BITS });
    expect(doc.extended).toEqual({ "web/talkers": rows });
  });

  test("two overlapping alerts keep an extended window on until both end", () => {
    const m = mavgOf([limit({ enable: ["web/talkers"], normalAfter: 2 })]);
    let refs = 0;
    const trace: number[] = [];
    const win = { enable: () => void trace.push(++refs), disable: () => void trace.push(--refs) };
    const engine = createAlertEngine({ mavgs: [m], window: (p) => (p === "web/talkers" ? win : undefined), latestRows: () => null }, fakeRunner(), () => {});
    const tick = (t: number) => engine.tick(t);
    let t = drive(m, tick, [H1], 3 * BITS, 0, 10);
    expect(trace).toEqual([1]);
    t = drive(m, tick, [H1, H2], 3 * BITS, t + 100, 10);
    expect(trace).toEqual([1, 2]);
    t = drive(m, tick, [H2], 3 * BITS, t + 100, 20); // H1 stops, H2 goes on
    expect(trace).toEqual([1, 2, 1]);
    expect(engine.active().map((a) => a.key[0])).toEqual(["192.0.2.8"]);
    drive(m, tick, [], 0, t + 100, 20);
    expect(trace).toEqual([1, 2, 1, 0]);
    expect(engine.counters).toMatchObject({ exceed: 2, normal: 2 });
  });
});
