// The main thread's view of the workers' sFlow agents: one agent reaching two workers (two source
// ports) is summed; its interfaces' counters are the agent's own totals, taken as they come.
import { expect, test } from "bun:test";
import { createFaults } from "../../src/decode/faults.ts";
import type { AgentStats } from "../../src/decode/index.ts";
import type { WorkerStats } from "../../src/workers/protocol.ts";
import { createStatsBoard } from "../../src/workers/board.ts";

const iface = (ifIndex: number, inOctets: number) => ({ ifIndex, seq: 1, atMs: 1000, speed: 1e9, inOctets, outOctets: 0, inPackets: 0, outPackets: 0, inErrors: 0, outErrors: 0, inDiscards: 0, outDiscards: 0 });
const agent = (n: number, reasons: [number, number][], ifs: ReturnType<typeof iface>[]): AgentStats => ({
  agent: "192.0.2.100", subAgent: 0, datagrams: n, flowSamples: 7 * n, counterSamples: 1, discardedSamples: 2, lostSamples: n,
  pool: 100 * n, drops: 1, dropReasons: new Map(reasons), interfaces: new Map(ifs.map((i) => [i.ifIndex, i])),
});
const stats = (agents: AgentStats[]): WorkerStats => ({
  receiver: { datagrams: 0, bytes: 0, denied: 0 }, faults: createFaults(), decoder: { templates: 0, heldBytes: 0, records: 0, datagrams: 0 },
  mo: { tested: new Float64Array(0), matched: new Float64Array(0), octets: new Float64Array(0), packets: new Float64Array(0) },
  windows: [], mavgs: [], exporters: [], sflowAgents: agents, stages: [],
});

test("sFlow agents over workers: figures summed, drop reasons merged, interfaces kept", () => {
  const board = createStatsBoard(2);
  board.set(0, stats([agent(1, [[3, 1]], [iface(1, 10)])]));
  board.set(1, stats([agent(2, [[3, 2], [259, 1]], [iface(2, 20)])]));
  expect([...board.sflowAgents.entries()]).toEqual([["192.0.2.100/0", {
    agent: "192.0.2.100", subAgent: 0, datagrams: 3, flowSamples: 21, counterSamples: 2, discardedSamples: 4, lostSamples: 3,
    pool: 300, drops: 2, dropReasons: new Map([[3, 3], [259, 1]]), interfaces: new Map([[1, iface(1, 10)], [2, iface(2, 20)]]),
  }]]);
  board.set(1, stats([]));
  expect(board.sflowAgents.get("192.0.2.100/0")?.datagrams).toBe(1); // rebuilt from the latest reports
});
