import { describe, expect, test } from "bun:test";
import type { AgentStats, InterfaceCounters } from "../../src/decode/sflow/agents.ts";
import { createInterfaceRates, ratesBetween } from "../../src/monitor/interface-rates.ts";

const AGENT = "192.0.2.10";
const W32 = 2 ** 32;

function sample(seq: number, atMs: number, c: Partial<InterfaceCounters> = {}): InterfaceCounters {
  return {
    ifIndex: 3, seq, atMs, speed: 1e9, inOctets: 0, outOctets: 0, inPackets: 0, outPackets: 0,
    inErrors: 0, outErrors: 0, inDiscards: 0, outDiscards: 0, ...c,
  };
}

function agent(ifs: InterfaceCounters[], subAgent = 0, addr = AGENT): AgentStats {
  return {
    agent: addr, subAgent, datagrams: 0, flowSamples: 0, counterSamples: 0, discardedSamples: 0, lostSamples: 0, pool: 0, drops: 0,
    dropReasons: new Map(), interfaces: new Map(ifs.map((i) => [i.ifIndex, i])),
  };
}

describe("ratesBetween", () => {
  test("every counter's increase per second between the two samples' arrivals", () => {
    const a = sample(10, 1_000, { inOctets: 1e12, outOctets: 5e11, inPackets: 100, outPackets: 50, inErrors: 1, outErrors: 2, inDiscards: 3, outDiscards: 4 });
    const b = sample(12, 21_000, { speed: 1e10, inOctets: 1e12 + 2e9, outOctets: 5e11 + 1e6, inPackets: 2100, outPackets: 250, inErrors: 2, outErrors: 2, inDiscards: 43, outDiscards: 4 });
    expect(ratesBetween(AGENT, a, b)).toEqual({
      exporter: AGENT, ifIndex: 3, speed: 1e10, inOctets: 1e8, outOctets: 5e4, inPackets: 100, outPackets: 10,
      inErrors: 0.05, outErrors: 0, inDiscards: 2, outDiscards: 0,
    });
  });

  test("a 32-bit counter that went back wrapped; packets sum three 32-bit counters, each may wrap once", () => {
    const a = sample(1, 0, { inErrors: W32 - 10, inPackets: 3 * (W32 - 100), outPackets: 5 });
    const b = sample(2, 10_000, { inErrors: 30, inPackets: 200, outPackets: 5 });
    expect(ratesBetween(AGENT, a, b)).toMatchObject({ inErrors: 4, inPackets: 50, outPackets: 0 });
  });

  test("a 64-bit counter that went back, a sequence number that went back or stood, no time between: no rates", () => {
    const a = sample(100, 0, { inOctets: 5e9, outOctets: 5e9 });
    expect(ratesBetween(AGENT, a, sample(101, 60_000, { inOctets: 1e6, outOctets: 6e9 }))).toBeNull(); // restarted
    expect(ratesBetween(AGENT, a, sample(3, 60_000, { inOctets: 6e9, outOctets: 6e9 }))).toBeNull(); // restarted, counters already past
    expect(ratesBetween(AGENT, a, sample(100, 60_000, { inOctets: 6e9, outOctets: 6e9 }))).toBeNull();
    expect(ratesBetween(AGENT, a, sample(101, 0, { inOctets: 6e9, outOctets: 6e9 }))).toBeNull();
    // The 32-bit sequence number wraps too: 2^32 - 1 then 1 is a step of 2.
    expect(ratesBetween(AGENT, sample(W32 - 1, 0), sample(1, 1000, { inOctets: 8 }))).toMatchObject({ inOctets: 8 });
  });
});

describe("createInterfaceRates", () => {
  test("rates from the second sample on, one row per newer sample, keyed by agent, sub-agent and ifIndex", () => {
    const r = createInterfaceRates();
    const ifs = [sample(1, 0, { ifIndex: 1 }), sample(1, 0, { ifIndex: 2 })];
    expect(r.next([agent(ifs), agent([sample(1, 0, { ifIndex: 1 })], 1)])).toEqual([]); // baselines
    ifs[0] = sample(2, 30_000, { ifIndex: 1, inOctets: 3e6 });
    const other = agent([sample(2, 30_000, { ifIndex: 1, inOctets: 6e6 })], 1);
    expect(r.next([agent(ifs), other]).map((x) => [x.ifIndex, x.inOctets])).toEqual([[1, 1e5], [1, 2e5]]);
    // Nothing newer since: nothing; interface 2's first newer sample: its rate.
    ifs[1] = sample(3, 60_000, { ifIndex: 2, outOctets: 6e6 });
    expect(r.next([agent(ifs), other]).map((x) => [x.ifIndex, x.outOctets])).toEqual([[2, 1e5]]);
  });

  test("a discontinuity rebases: the next sample after an agent restart gives rates again", () => {
    const r = createInterfaceRates();
    r.next([agent([sample(50, 0, { inOctets: 1e9 })])]);
    expect(r.next([agent([sample(2, 60_000, { inOctets: 1e3 })])])).toEqual([]);
    expect(r.next([agent([sample(3, 120_000, { inOctets: 61e3 })])]).map((x) => x.inOctets)).toEqual([1e3]);
  });

  test("interfaces of agents gone from the table are forgotten: coming back, they start from a baseline", () => {
    const r = createInterfaceRates();
    r.next([agent([sample(1, 0)])]);
    expect(r.next([])).toEqual([]);
    expect(r.next([agent([sample(2, 60_000, { inOctets: 6e4 })])])).toEqual([]);
  });

  test("keeps its own copy: the decoder updating its counters in place does not move the baseline", () => {
    const r = createInterfaceRates();
    const live = sample(1, 0, { inOctets: 0 });
    const a = agent([live]);
    r.next([a]);
    Object.assign(live, { seq: 2, atMs: 10_000, inOctets: 1e5 });
    expect(r.next([a]).map((x) => x.inOctets)).toEqual([1e4]);
  });
});
