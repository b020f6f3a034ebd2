// A million distinct keys into a window and a moving average (issue 8 item 2): the window's table
// stops at its row bound and sums the rest into the NULL-key row (counted), the moving average
// evicts (counted), totals stay exact, and a second million in the next window costs no new memory.
import { describe, expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { createMonitor } from "../../src/monitor/mo.ts";
import { config, mavg, mo, rowsIn, win } from "../monitor/helpers.ts";

const MAX_ROWS = 200_000;
const MAX_KEYS = 100_000;
const KEYS = 1_000_000;
const WINDOW_S = 60;
const T0 = 1_700_000_040_000; // a window boundary: multiple of 60 s

/** Records k .. k+n-1: distinct (src, dst) pairs, octets 1..1000, all arriving at `at`. */
function fill(b: FlowBatch, k: number, n: number, at: number): void {
  for (let i = 0; i < n; i++) {
    const x = k + i;
    b.family[i] = 4;
    b.srcAddr[i * 4] = 0x0a000000 + x; // 10.0.0.0 + x
    b.dstAddr[i * 4] = 0xc6120000 + (x % 3_000_000); // 198.18.0.0/15 (RFC 2544)
    b.octets[i] = 1 + (x % 1000);
    b.packets[i] = 1;
    b.sampling[i] = 1;
    b.arrivalMs[i] = at;
  }
  b.length = n;
}

const expectedOctets = (n: number) => {
  let s = 0;
  for (let x = 0; x < n; x++) s += 1 + (x % 1000);
  return s;
};

describe("a million distinct keys", () => {
  test("window row bound and overflow row, moving-average eviction, exact totals, flat memory on the third million", () => {
    const cfg = config([mo("all", null, [win("pairs", WINDOW_S, ["src host", "dst host"], ["octets", "packets", "flows"])], [mavg("dst", 5, ["dst host"], ["octets"], MAX_KEYS)])]);
    const m = createMonitor(cfg, new Map(), { window: { maxRows: MAX_ROWS } });
    const b = createBatch([], 4096);
    const round = (at: number) => {
      for (let k = 0; k < KEYS; k += b.capacity) {
        fill(b, k, Math.min(b.capacity, KEYS - k), at);
        m.process(b);
      }
    };
    const live = () => {
      Bun.gc(true);
      return { objects: heapStats().objectCount, rssMiB: process.memoryUsage().rss / 2 ** 20 };
    };

    const start = live();
    round(T0 + 1000);
    const first = live();
    const w = m.windows[0]!;
    const a = m.mavgs[0]!;
    expect(w.openRows).toBe(MAX_ROWS);
    expect(w.counters.overflow).toBe(KEYS - MAX_ROWS);
    expect(a.size).toBeLessThanOrEqual(MAX_KEYS);
    expect(a.counters.evicted).toBeGreaterThanOrEqual(KEYS - MAX_KEYS);

    round(T0 + WINDOW_S * 1000 + 1000); // the next window: the first closes
    const exports = m.collect(T0 + WINDOW_S * 1000 + 5000);
    expect(exports.length).toBe(1);
    const e = exports[0]!;
    expect(rowsIn(e).length).toBe(MAX_ROWS + 1);
    expect(rowsIn(e)[MAX_ROWS]!.slice(0, 2)).toEqual([null, null]);
    // Every record is counted once: in a keyed row or in the NULL row.
    expect([2, 3, 4].map((c) => rowsIn(e).reduce((s, r) => s + (r[c] as number), 0))).toEqual([expectedOctets(KEYS), KEYS, KEYS]);
    exports.length = 0;

    // Both slots of the ring have now held a million keys; a third million reuses the first one's
    // typed arrays: no new objects, and resident memory stays where it was.
    const warm = live();
    round(T0 + 2 * WINDOW_S * 1000 + 1000);
    const third = live();
    expect(m.windows[0]!.counters.overflow).toBe(3 * (KEYS - MAX_ROWS));
    expect(third.objects - warm.objects).toBeLessThan(1000);
    expect(third.rssMiB - warm.rssMiB).toBeLessThan(16);
    // What a million keys cost the first time (tables growing to their bounds), for docs/RELIABILITY.md.
    console.log(`keys: rss ${start.rssMiB.toFixed(0)} -> ${first.rssMiB.toFixed(0)} (1st million) -> ${warm.rssMiB.toFixed(0)} (2nd) -> ${third.rssMiB.toFixed(0)} MiB (3rd)`);
    expect(first.rssMiB - start.rssMiB).toBeLessThan(256);
  }, 120_000);
});
