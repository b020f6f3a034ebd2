import { describe, expect, test } from "bun:test";
import { createAlertEngine } from "../../src/alert/engine.ts";
import type { ScriptRunner } from "../../src/alert/scripts.ts";
import type { LimitDef, MavgDef } from "../../src/config/types.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { parseKey, type KeySpec } from "../../src/monitor/keyspec.ts";
import { createMavg, type MovingAverage } from "../../src/monitor/mavg.ts";
import { createAlertScan } from "../../src/workers/alert-scan.ts";
import { createFloors } from "../../src/workers/floors.ts";
import { ratesFor, scanCandidates } from "../../src/workers/mavg-scan.ts";
import { createMergedMavg } from "../../src/workers/merged-mavg.ts";
import type { ToWorker } from "../../src/workers/protocol.ts";

const TAU = 5;
const BITS = 8e6; // threshold, bits/s
const T0 = 1_700_000_000_000;
const limit: LimitDef = { name: "flood", thresholds: { bits: BITS }, file: null, onExceed: null, onNormal: null, normalAfter: 10, enable: [] };
const def: MavgDef = { name: "dst_rate", window: TAU, key: ["dst host"], values: ["bits", "packets"], maxKeys: 1000, limits: [limit] };
const spec = [parseKey("dst host", []) as KeySpec];

const H = { a: 0xc0000201, b: 0xc0000202, c: 0xc0000203, d: 0xc0000204 };

/** Feeds a constant bits/s per destination for `secs` in 100 ms steps; returns the end time. */
function feed(m: MovingAverage, rates: [number, number][], secs: number): number {
  const b = createBatch([], 64);
  const sel = Int32Array.from({ length: 64 }, (_, i) => i);
  const octets = new Float64Array(64);
  const packets = new Float64Array(64);
  let t = T0;
  for (let step = 1; step <= secs * 10; step++) {
    t = T0 + step * 100;
    b.length = rates.length;
    rates.forEach(([dst, bps], i) => {
      b.family[i] = 4;
      b.dstAddr[i * 4] = dst;
      b.arrivalMs[i] = t;
      octets[i] = bps / 8 / 10;
      packets[i] = 1;
    });
    m.addBatch(b, sel, rates.length, octets, packets);
  }
  return t;
}

const runner: ScriptRunner = {
  stats: { started: 0, succeeded: 0, failed: 0, timedOut: 0, dropped: 0, running: 0, queued: 0 },
  run: () => {},
  idle: () => Promise.resolve(),
  setLimits: () => {},
};

describe("moving averages across workers", () => {
  // Worker A and B each hold part of every key's traffic.
  const a = createMavg("web", def, spec, []);
  const b = createMavg("web", def, spec, []);
  const now = feed(a, [[H.a, 0.6 * BITS], [H.b, 0.4 * BITS], [H.c, 0.6 * BITS], [H.d, 0.45 * BITS]], 60);
  feed(b, [[H.a, 0.6 * BITS], [H.b, 0.4 * BITS], [H.c, 0.45 * BITS], [H.d, 0.45 * BITS]], 60);

  test("workers propose only keys above floor / N", () => {
    const floors = createFloors(() => {}).of(def, def.limits, now)!;
    expect(Array.from(floors)).toEqual([BITS, Number.NaN]);
    expect(scanCandidates(a, floors, 2, now).texts).toEqual(['["192.0.2.1"]', '["192.0.2.3"]']);
    expect(scanCandidates(b, floors, 2, now).texts).toEqual(['["192.0.2.1"]']);
  });

  test("a round sums every worker's rate of every proposed key, and the engine fires on the sums", () => {
    const workers = [a, b];
    const merged = createMergedMavg("web", def, a.key);
    const sent: string[] = [];
    const scan = createAlertScan([merged], {
      workers: 2,
      floors: (t) => [createFloors(() => {}).of(def, def.limits, t)],
      send(w: number, m: ToWorker) {
        sent.push(`${w}:${m.type}`);
        const mine = workers[w]!;
        if (m.type === "scan") scan.candidates(w, m.id, [scanCandidates(mine, m.floors[0]!, 2, m.nowMs)]);
        if (m.type === "rates") scan.rates(w, m.id, [ratesFor(mine, m.keys[0]!, m.nowMs)]);
      },
    });
    scan.round(now);
    expect(sent).toEqual(["0:scan", "1:scan", "0:rates", "1:rates"]);
    expect(scan.rounds).toBe(1);
    // H.a (0.6 + 0.6) and H.c (0.6 + 0.45, B's share below T/2 yet counted); H.b and H.d never proposed.
    expect(merged.size).toBe(2);
    const rate = (e: number, v: number) => merged.raw(e, v) * merged.factor(e, now);
    const rows = Array.from({ length: merged.size }, (_, e) => [merged.renderKey(e)[0], rate(e, 0) / BITS, rate(e, 1)]);
    // Each worker's own rate of a key, found by its rendered key.
    const own = (m: MovingAverage, host: string, v: number) => {
      for (let e = 0; e < m.size; e++) if (m.keyText(e)[0] === host) return m.rate(e, v, now);
      return 0;
    };
    expect(rows).toEqual(
      ["192.0.2.1", "192.0.2.3"].map((h) => [h, (own(a, h, 0) + own(b, h, 0)) / BITS, own(a, h, 1) + own(b, h, 1)]),
    );
    // 100 ms impulses ride about 1 % above the true rate (mavg.ts); 10 packets/s per worker.
    expect(rows.map((r) => [Math.round((r[1] as number) * 100) / 100, Math.round(r[2] as number)])).toEqual([
      [1.21, 20],
      [1.06, 20],
    ]);

    const engine = createAlertEngine({ mavgs: [merged], window: () => undefined, latestRows: () => null }, runner, () => {});
    engine.tick(now);
    expect(engine.active().map((x) => [x.key, x.metric, Math.round((x.value / BITS) * 100) / 100])).toEqual([
      [["192.0.2.1"], "bits", 1.21],
      [["192.0.2.3"], "bits", 1.06],
    ]);
  });

  test("merged rates decay between rounds like a single average", () => {
    const merged = createMergedMavg("web", def, a.key);
    merged.update(now, { words: new Uint32Array([0, 0, 0xffff, H.a]), texts: ['["192.0.2.1"]'] }, new Float64Array([BITS, 10]));
    expect(merged.raw(0, 0) * merged.factor(0, now + TAU * 1000)).toBeCloseTo(BITS / Math.E, 3);
    expect(merged.renderKey(0)).toEqual(["192.0.2.1"]);
  });
});
