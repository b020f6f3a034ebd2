import { describe, expect, test } from "bun:test";
import type { FieldDef, MavgDef } from "../../src/config/types.ts";
import { createBatch, type ExtraSpec } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createMavg, type MovingAverage } from "../../src/monitor/mavg.ts";
import { mavg, push, type Rec } from "./helpers.ts";

const T0 = 1_700_000_000_000;
const TAU = 5; // seconds

function make(def: MavgDef): MovingAverage {
  return createMavg("edge", def, def.key.map((k) => parseKey(k, []) as KeySpec), []);
}

function feed(m: MovingAverage, recs: Rec[]): void {
  for (let at = 0; at < recs.length; at += 1000) {
    const b = createBatch([], 1000);
    for (const r of recs.slice(at, at + 1000)) push(b, r);
    const sel = Int32Array.from({ length: b.length }, (_, i) => i);
    m.addBatch(b, sel, b.length, b.octets.map((o, i) => o * b.sampling[i]!), b.packets.map((p, i) => p * b.sampling[i]!));
  }
}

/** Records carrying R packets per second for `seconds`, one every `stepMs`, to one destination. */
function constant(R: number, seconds: number, stepMs: number, from = T0): Rec[] {
  const out: Rec[] = [];
  for (let t = stepMs; t <= seconds * 1000; t += stepMs) out.push({ dst: "192.0.2.7", packets: (R * stepMs) / 1000, octets: 0, at: from + t });
  return out;
}

const near = (got: number, want: number, rel: number) => expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.abs(want) * rel);

describe("moving average", () => {
  test("a constant input of R/s converges to R", () => {
    const m = make(mavg("rate", TAU, ["dst host"], ["packets"]));
    feed(m, constant(1000, 60, 10));
    expect(m.size).toBe(1);
    // Impulses every 10 ms ride R(1 + dt/2tau) at most: 0.1 % above R.
    near(m.rate(0, 0, T0 + 60_000), 1000, 0.002);
  });

  test("a step from 0 to R follows R(1 - e^{-t/tau})", () => {
    const R = 4000;
    for (const t of [0.5, TAU * Math.LN2, TAU, 2 * TAU, 3 * TAU]) {
      const m = make(mavg("rate", TAU, ["dst host"], ["packets"]));
      feed(m, constant(R, t, 5));
      near(m.rate(0, 0, T0 + t * 1000), R * (1 - Math.exp(-t / TAU)), 0.005);
    }
    const half = make(mavg("rate", TAU, ["dst host"], ["packets"]));
    feed(half, constant(R, TAU * Math.LN2, 1));
    near(half.rate(0, 0, T0 + TAU * Math.LN2 * 1000), R / 2, 0.002);
  });

  test("after the input stops the rate decays as e^{-t/tau}, read without storing", () => {
    const m = make(mavg("rate", TAU, ["dst host"], ["packets"]));
    feed(m, constant(1000, 40, 10));
    const stop = T0 + 40_000;
    const r0 = m.rate(0, 0, stop);
    for (const s of [1, 5, 10, 30]) near(m.rate(0, 0, stop + s * 1000), r0 * Math.exp(-s / TAU), 1e-12);
    expect(m.rate(0, 0, stop)).toBe(r0); // reading did not decay the stored value
    near(m.raw(0, 0) * m.factor(0, stop + 7000), r0 * Math.exp(-7 / TAU), 1e-12);
  });

  test("irregular arrivals give exactly the sum of decayed impulses", () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const R = 250; // packets per second on average
    const recs: Rec[] = [];
    let t = 0;
    for (;;) {
      const gap = 1 + rnd() * 80;
      if (t + gap > 30_000) break;
      t += gap;
      recs.push({ dst: "2001:db8::1", packets: (R * gap) / 1000, octets: 0, at: T0 + t });
    }
    const m = make(mavg("rate", TAU, ["dst host"], ["packets"]));
    feed(m, recs);
    const now = T0 + 30_000;
    const exact = recs.reduce((a, r) => a + (r.packets! / TAU) * Math.exp(-(now - r.at!) / 1000 / TAU), 0);
    near(m.rate(0, 0, now), exact, 1e-9);
    near(m.rate(0, 0, now), R * (1 - Math.exp(-30 / TAU)), 0.02);
  });

  test("a record older than the key's last update is added already decayed", () => {
    const m = make(mavg("rate", 2, ["dst host"], ["packets"]));
    feed(m, [
      { dst: "10.0.0.1", packets: 10, at: T0 + 3000 },
      { dst: "10.0.0.1", packets: 4, at: T0 + 1000 },
    ]);
    near(m.rate(0, 0, T0 + 5000), (10 / 2) * Math.exp(-1) + (4 / 2) * Math.exp(-2), 1e-12);
  });

  test("values are bits (octets x 8 x sampling), packets and flows per second", () => {
    const m = make(mavg("rate", 10, ["dst host", "dst port"], ["bits", "packets", "flows", "octets"]));
    feed(m, [
      { dst: "10.0.0.1", dstPort: 53, octets: 100, packets: 2, sampling: 10, at: T0 },
      { dst: "10.0.0.1", dstPort: 53, octets: 50, packets: 1, sampling: 1, at: T0 },
    ]);
    expect([0, 1, 2, 3].map((v) => m.rate(0, v, T0))).toEqual([(1050 * 8) / 10, 21 / 10, 2 / 10, 1050 / 10]);
    expect(m.renderKey(0)).toEqual(["10.0.0.1", 53]);
    expect(m.keyText(0)).toEqual(["10.0.0.1", "53"]);
  });

  test("when full, the keys with the smallest rate are evicted and counted", () => {
    const m = make(mavg("rate", TAU, ["dst host"], ["packets"], 8));
    feed(
      m,
      [1, 2, 3, 4, 5, 6, 7, 8].map((k) => ({ dst: `10.0.0.${k}`, packets: k * 10, at: T0 })),
    );
    feed(m, [{ dst: "10.0.0.99", packets: 1000, at: T0 + 1 }]);
    expect(m.counters.evicted).toBe(1);
    const keys = Array.from({ length: m.size }, (_, e) => m.renderKey(e)[0]).sort();
    expect(keys).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.99"]);
  });

  test("sweep() removes keys whose rates decayed below epsilon", () => {
    const m = make(mavg("rate", 1, ["dst host"], ["packets"]));
    feed(m, [
      { dst: "10.0.0.1", packets: 1, at: T0 },
      { dst: "10.0.0.2", packets: 1, at: T0 + 10_000 },
    ]);
    // 10.0.0.1 is at e^-10 = 4.5e-5 < 1e-3; 10.0.0.2 at 1.
    expect(m.sweep(T0 + 10_000)).toBe(1);
    expect([m.size, m.renderKey(0), m.counters.swept]).toEqual([1, ["10.0.0.2"], 1]);
    expect(m.sweep(T0 + 20_000)).toBe(1);
    expect(m.size).toBe(0);
  });

  test("sweeping string keys compacts the string table and keeps the live names", () => {
    const fields: FieldDef[] = [{ name: "app", pen: 0, element: 96, type: "string" }];
    const extras: ExtraSpec[] = [{ pen: 0, element: 96, type: "string" }];
    const def = mavg("rate", 1, ["app"], ["flows"], 5000);
    const m = createMavg("edge", def, [parseKey("app", fields) as KeySpec], extras);
    const b = createBatch(extras, 4096);
    for (let n = 0; n < 3000; n++) {
      b.strings.push(`app${n}`);
      const i = push(b, { at: n < 2999 ? T0 : T0 + 60_000 });
      b.extra[0]!.num[i] = n;
    }
    const sel = Int32Array.from({ length: b.length }, (_, i) => i);
    m.addBatch(b, sel, b.length, b.octets, b.packets);
    expect(m.size).toBe(3000);
    expect(m.sweep(T0 + 60_000)).toBe(2999);
    expect([m.size, m.keyText(0)]).toEqual([1, ["app2999"]]);
    // The compacted key must still be found by its new id: one more record for it stays one key.
    b.length = 0;
    b.strings.length = 0;
    b.strings.push("app2999");
    b.extra[0]!.num[push(b, { at: T0 + 60_000 })] = 0;
    m.addBatch(b, Int32Array.of(0), 1, b.octets, b.packets);
    expect(m.size).toBe(1);
    // Sums are kept relative to one reference time, so the rate is 2 up to rounding.
    near(m.rate(0, 0, T0 + 60_000), 2, 1e-14);
  });
});
