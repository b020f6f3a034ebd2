// The monitor's fast path (compiled select loops, keys shared by several consumers and computed
// once per batch, generated kernels) must give exactly what per-record predicates and
// per-consumer keys give: the same counters, the same window rows, the same average rates.
import { describe, expect, test } from "bun:test";
import { createBatch } from "../../src/flow/batch.ts";
import { createMonitor, type Monitor, type Predicate } from "../../src/monitor/mo.ts";
import { compilePredicates } from "../../src/collector/predicates.ts";
import type { ClosedWindow } from "../../src/flow/export.ts";
import { config, mavg, mo, push, rowsIn, win } from "./helpers.ts";

const T = 1_700_000_010_000;

const cfg = config([
  mo("net10", null, [win("pairs", 30, ["src host", "dst host"], ["octets", "packets", "flows"])], [mavg("dst", 5, ["dst host"], ["bits", "packets"])], "net 10.0.0.0/8"),
  mo("web", "net10", [win("services", 30, ["dst host", "dst port"], ["octets", "flows"])], [mavg("dst", 5, ["dst host"], ["bits", "packets"])], "dst port 80 or dst port 443"),
  mo("all", null, [win("dsts", 10, ["dst host"], ["octets"])], [], ""),
]);

/** Records over three 10 s windows, a late one, IPv4 and IPv6, repeated keys within a batch. */
function batches() {
  let seed = 99;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const out = [];
  for (let k = 0; k < 6; k++) {
    const b = createBatch([], 512);
    for (let j = 0; j < 500; j++) {
      const v6 = rnd(10) === 0;
      push(b, {
        src: v6 ? `2001:db8::${rnd(20)}` : `${rnd(3) === 0 ? 172 : 10}.0.${rnd(4)}.${rnd(50)}`,
        dst: v6 ? `2001:db8:1::${rnd(9)}` : `10.1.0.${rnd(40)}`,
        dstPort: [80, 443, 53, 22][rnd(4)]!,
        octets: 40 + rnd(1500),
        packets: 1 + rnd(3),
        sampling: rnd(5) === 0 ? 100 : 1,
        // Mostly in order, some 2 s late: exercises window boundaries and late records.
        at: T + k * 4000 + j * 8 - (rnd(20) === 0 ? 2000 : 0),
      });
    }
    out.push(b);
  }
  return out;
}

function run(m: Monitor): { exports: ClosedWindow[]; rates: number[][] } {
  const exports: ClosedWindow[] = [];
  for (const b of batches()) {
    m.process(b);
    exports.push(...m.collect(b.arrivalMs[b.length - 1]!));
  }
  exports.push(...m.flush());
  const now = T + 30_000;
  const rates = m.mavgs.map((a) => {
    const r: number[] = [];
    for (let e = 0; e < a.size; e++) r.push(a.rate(e, 0, now), a.rate(e, 1, now));
    return r;
  });
  return { exports, rates };
}

const rows = (x: ClosedWindow[]) => x.map((e) => ({ table: e.table, time: e.time, rows: [...rowsIn(e)].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) }));

describe("monitor fast path", () => {
  test("compiled select loops and shared keys equal per-record predicates", () => {
    const compiled = compilePredicates(cfg, []);
    expect([...compiled.values()].every((p) => typeof p.select === "function")).toBe(true);
    // The same filters without their select loops: the monitor falls back to a call per record.
    const plain = new Map<string, Predicate>([...compiled].map(([k, p]) => [k, (b, i) => p(b, i)]));
    const fast = run(createMonitor(cfg, compiled));
    const slow = run(createMonitor(cfg, plain));
    expect(fast.exports.length).toBeGreaterThan(3);
    expect(rows(fast.exports)).toEqual(rows(slow.exports));
    const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
    expect(fast.rates.map((r) => r.length)).toEqual(slow.rates.map((r) => r.length));
    fast.rates.forEach((r, a) => r.forEach((v, k) => expect(near(v, slow.rates[a]![k]!)).toBe(true)));
  });

  test("counters and window totals match a count done by hand", () => {
    const m = createMonitor(cfg, compilePredicates(cfg, []));
    let net10 = 0;
    let web = 0;
    let total = 0;
    let octets = 0;
    const exports: ClosedWindow[] = [];
    for (const b of batches()) {
      for (let i = 0; i < b.length; i++) {
        total++;
        octets += b.octets[i]! * b.sampling[i]!;
        const in10 = b.family[i] === 4 && ((b.srcAddr[i * 4]! >>> 24) === 10 || (b.dstAddr[i * 4]! >>> 24) === 10);
        if (in10) net10++;
        if (in10 && (b.dstPort[i] === 80 || b.dstPort[i] === 443)) web++;
      }
      m.process(b);
      exports.push(...m.collect(b.arrivalMs[b.length - 1]!));
    }
    exports.push(...m.flush());
    const c = m.counters;
    expect({ names: c.names, tested: Array.from(c.tested), matched: Array.from(c.matched) }).toEqual({
      names: ["net10", "web", "all"],
      tested: [total, net10, total],
      matched: [net10, web, total],
    });
    // Every record is summed once by all/dsts: in its own window or, late, in the open one.
    const dsts = exports.filter((e) => e.table === "all_dsts");
    expect(dsts.length).toBe(3);
    expect(dsts.reduce((sum, e) => sum + rowsIn(e).reduce((s, r) => s + (r[r.length - 1] as number), 0), 0)).toBe(octets);
    expect(m.windows.find((w) => w.table === "all_dsts")!.counters.late).toBeGreaterThan(0);
  });
});
