import { describe, expect, test } from "bun:test";
import { createHistory, type HistoryCounters } from "../../src/http/history.ts";

function counters(names: string[]): HistoryCounters & { matched: Float64Array; octets: Float64Array } {
  return { names, matched: new Float64Array(names.length), octets: new Float64Array(names.length) };
}

describe("history ring", () => {
  test("the first sample is the baseline; rates are differences over the time apart", () => {
    const h = createHistory(4, 5000);
    const c = counters(["all", "web"]);
    c.matched.set([100, 10]);
    c.octets.set([1000, 100]);
    h.sample(c, 1_000_000);
    expect(h.length).toBe(0);
    expect(h.latest()).toBeNull();
    c.matched.set([600, 60]); // +500 and +50 flows in 5 s
    c.octets.set([11000, 600]); // +10000 and +500 octets
    h.sample(c, 1_005_000);
    c.matched.set([1600, 60]); // a late sample: 10 s apart
    c.octets.set([21000, 600]);
    h.sample(c, 1_015_000);
    expect(h.series()).toEqual({
      stepMs: 5000,
      t: [1_005_000, 1_015_000],
      mos: [
        { name: "all", flows: [100, 100], bits: [16000, 8000] },
        { name: "web", flows: [10, 0], bits: [800, 0] },
      ],
    });
    expect(h.latest()).toEqual([
      { flows: 100, bits: 8000 },
      { flows: 0, bits: 0 },
    ]);
  });

  test("wraps around keeping the newest samples, oldest first", () => {
    const h = createHistory(3, 1000);
    const c = counters(["all"]);
    h.sample(c, 0);
    for (let s = 1; s <= 5; s++) {
      c.matched[0] = (c.matched[0] ?? 0) + s; // s flows in 1 s
      h.sample(c, s * 1000);
    }
    expect(h.length).toBe(3);
    expect(h.series()).toEqual({ stepMs: 1000, t: [3000, 4000, 5000], mos: [{ name: "all", flows: [3, 4, 5], bits: [0, 0, 0] }] });
  });

  test("a sample at the same instant is skipped; new counters (a reload) start over", () => {
    const h = createHistory(10, 1000);
    const a = counters(["all"]);
    h.sample(a, 0);
    a.matched[0] = 10;
    h.sample(a, 1000);
    h.sample(a, 1000);
    expect(h.length).toBe(1);
    const b = counters(["all", "dns"]);
    b.matched.set([5, 5]);
    h.sample(b, 2000);
    expect(h.series()).toEqual({ stepMs: 1000, t: [], mos: [{ name: "all", flows: [], bits: [] }, { name: "dns", flows: [], bits: [] }] });
    b.matched.set([7, 6]);
    h.sample(b, 3000);
    expect(h.series().mos.map((m) => m.flows)).toEqual([[2], [1]]);
  });
});
