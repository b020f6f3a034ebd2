import { expect, test } from "bun:test";
import type { AgentStats, InterfaceCounters } from "../../src/decode/sflow/agents.ts";
import { createBusiestInterfaces } from "../../src/http/interfaces.ts";

const iface = (ifIndex: number, seq: number, atMs: number, inOctets: number, outOctets = 0): InterfaceCounters => ({
  ifIndex, seq, atMs, speed: 1e9, inOctets, outOctets, inPackets: 0, outPackets: 0, inErrors: 0, outErrors: 0, inDiscards: 0, outDiscards: 0,
});
const agents = (list: [string, InterfaceCounters[]][]): Map<string, AgentStats> => new Map(list.map(([agent, ifs]) => [`${agent}/0`, {
  agent, subAgent: 0, datagrams: 0, flowSamples: 0, counterSamples: 0, discardedSamples: 0, lostSamples: 0, pool: 0, drops: 0,
  dropReasons: new Map(), interfaces: new Map(ifs.map((i) => [i.ifIndex, i])),
}]));

test("each agent's busiest interfaces by in + out octets per second, kept until a newer sample or the agent goes", () => {
  const busiest = createBusiestInterfaces();
  const A = "192.0.2.1";
  const B = "2001:db8::1";
  expect(busiest(agents([[A, [iface(1, 1, 0, 0), iface(2, 1, 0, 0), iface(3, 1, 0, 0)]], [B, [iface(9, 1, 0, 0)]]]), 2)).toEqual([]);
  const later = agents([[A, [iface(1, 2, 10_000, 1e4), iface(2, 2, 10_000, 5e4), iface(3, 2, 10_000, 2e4, 2e4)]], [B, [iface(9, 2, 10_000, 1e3)]]]);
  const top = (r: ReturnType<typeof busiest>) => r.map((a) => [a.agent, a.interfaces.map((i) => [i.ifIndex, i.inOctets + i.outOctets])]);
  expect(top(busiest(later, 2))).toEqual([[A, [[2, 5e3], [3, 4e3]]], [B, [[9, 100]]]]);
  // Asked again with no newer sample: the same rates, not none.
  expect(top(busiest(later, 2))).toEqual([[A, [[2, 5e3], [3, 4e3]]], [B, [[9, 100]]]]);
  expect(top(busiest(agents([[B, [iface(9, 2, 10_000, 1e3)]]]), 2))).toEqual([[B, [[9, 100]]]]);
});
