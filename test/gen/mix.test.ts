import { describe, expect, test } from "bun:test";
import { createBatch } from "../../src/flow/batch.ts";
import { type MixOptions, fillMix } from "../../src/gen/mix.ts";
import { hostAddress, parseNets } from "../../src/gen/net.ts";
import { createRandom, createRankSampler } from "../../src/gen/rng.ts";

const BASE: MixOptions = {
  seed: 1,
  srcNets: parseNets("10.0.0.0/8"),
  dstNets: parseNets("10.0.0.0/8,192.0.2.0/24"),
  hostsSrc: 100,
  hostsDst: 100,
  zipf: 0,
  webShare: 0.5,
  octetsMin: 64,
  octetsMax: 1500,
};

function mix(o: Partial<MixOptions>, n = 20000) {
  const b = createBatch([], n);
  fillMix(b, n, { ...BASE, ...o }, 1_700_000_000_000);
  return b;
}

describe("hosts", () => {
  test("spread round-robin over the prefixes, skipping network and broadcast", () => {
    const nets = parseNets("10.0.0.0/8, 192.0.2.0/30");
    expect([0, 1, 2, 3, 4, 5].map((r) => hostAddress(nets, r).toString(16))).toEqual([
      "a000001", "c0000201", "a000002", "c0000202", "a000003", "c0000201",
    ]);
  });
  test("bad prefixes are usage errors", () => {
    expect(() => parseNets("10.0.0.0/33")).toThrow('bad IPv4 prefix "10.0.0.0/33"');
    expect(() => parseNets("2001:db8::/32")).toThrow("bad IPv4 prefix");
    expect(() => parseNets("")).toThrow("an empty prefix list");
  });
});

describe("record mix", () => {
  test("the same seed gives the same records, another seed others", () => {
    const a = mix({});
    expect(mix({}).srcAddr).toEqual(a.srcAddr);
    expect(mix({ seed: 2 }).srcAddr).not.toEqual(a.srcAddr);
  });
  test("shares: web ports, both destination prefixes, one packet, octets in range, times before export", () => {
    const n = 20000;
    const b = mix({}, n);
    let web = 0;
    let inTestNet = 0;
    for (let i = 0; i < n; i++) {
      const port = b.dstPort[i]!;
      if (port === 80 || port === 443) {
        web++;
        expect(b.proto[i]).toBe(6);
      }
      if (b.dstAddr[i * 4]! >>> 8 === 0xc00002) inTestNet++;
      expect(b.packets[i]).toBe(1);
      expect(b.octets[i]! >= 64 && b.octets[i]! <= 1500).toBe(true);
      expect(b.endMs[i]! <= 1_700_000_000_000 && b.endMs[i]! > 1_700_000_000_000 - 1000).toBe(true);
      expect(b.startMs[i]! <= b.endMs[i]!).toBe(true);
    }
    expect(b.length).toBe(n);
    expect(Math.abs(web / n - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(inTestNet / n - 0.5)).toBeLessThan(0.02);
  });
  test("Zipf makes the first host the most popular; uniform does not", () => {
    const top = (s: number) => {
      const b = mix({ zipf: s, hostsSrc: 1000 });
      let first = 0;
      for (let i = 0; i < b.length; i++) if (b.srcAddr[i * 4] === 0x0a000001) first++;
      return first / b.length;
    };
    // Zipf(1.2) over 1000 ranks: the first holds 1/H(1000,1.2) ~ 0.23 of the draws.
    expect(top(1.2)).toBeGreaterThan(0.2);
    expect(top(0)).toBeLessThan(0.01);
  });
  test("rank sampler stays within 0..n-1", () => {
    const draw = createRankSampler(5, 2, createRandom(3));
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) seen.add(draw());
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
