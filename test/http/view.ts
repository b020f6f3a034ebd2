// A collector view built from plain objects: the counters of a collector that has been running
// a while, for tests that need exact values.
import type { AlertState } from "../../src/alert/event.ts";
import { createFaults } from "../../src/decode/faults.ts";
import type { CollectorView } from "../../src/http/sources.ts";
import type { ExporterStats } from "../../src/collector/ingest.ts";
import type { SpoolStats } from "../../src/store/spool-types.ts";

function exporter(addr: string, versions: [number, number][], datagrams: number, flows: number, bytes: number): ExporterStats {
  const v = new Float64Array(11);
  for (const [k, n] of versions) v[k] = n;
  return { id: 0, addr, port: 40000, datagrams, bytes, flows, versions: v, firstSeenMs: 1_700_000_000_000, lastSeenMs: 1_700_000_005_500 };
}

export function view(spool: Partial<SpoolStats> = {}): CollectorView {
  const faults = createFaults();
  faults.unknownTemplate = 3;
  faults.templateEvicted = 2;
  faults.badSetLength = 1;
  const alert = { mo: "all", mavg: "dst", limit: "flood" } as AlertState;
  return {
    config: { storage: { url: "sqlite:/x", kind: "sqlite", retention: 1, spoolMax: 1 << 20, partition: 0, collector: "test", interfaceCounters: 60 }, exporters: [] },
    receiver: { counters: { datagrams: 130, bytes: 99_000, denied: 4 }, bound: [{ host: "127.0.0.1", port: 2055 }] },
    decoder: {
      faults, stats: { templates: 7, heldBytes: 512, records: 2900, datagrams: 126 }, templates: { list: () => [] },
      sflowAgents: new Map([["192.0.2.100/1", {
        agent: "192.0.2.100", subAgent: 1, datagrams: 6, flowSamples: 40, counterSamples: 3, discardedSamples: 2, lostSamples: 5,
        pool: 4000, drops: 1, dropReasons: new Map([[259, 2]]),
        interfaces: new Map([[7, { ifIndex: 7, seq: 9, atMs: 1000, speed: 1e10, inOctets: 5e9, outOctets: 6e9, inPackets: 5e6, outPackets: 6e6, inErrors: 1, outErrors: 2, inDiscards: 3, outDiscards: 4 }]]),
      }]]),
    },
    monitor: {
      counters: { names: ["all", "web"], tested: Float64Array.of(2900, 2900), matched: Float64Array.of(2900, 1468), octets: Float64Array.of(2.5e9, 1e9), packets: Float64Array.of(3e6, 1e6) },
      windows: [{ mo: "all", def: { name: "proto" }, counters: { exported: 12, late: 1, overflow: 0 } }],
      mavgs: [{ mo: "all", def: { name: "dst" }, size: 1498, counters: { evicted: 6, swept: 2 } }],
    },
    sink: {
      stats: () => ({ bytes: 2048, entries: 2, written: 11, droppedExports: 1, droppedRows: 40, deadLetterExports: 0, failing: null, writeErrors: 5, lastError: "down", lastLatencyMs: 1500, ...spool }),
    },
    exporters: new Map([
      ["192.0.2.1", exporter("192.0.2.1", [[9, 100]], 100, 2900, 80_000)],
      ['fe80::1%"eth0\\', exporter('fe80::1%"eth0\\', [[5, 20], [10, 2]], 26, 0, 19_000)],
      ["192.0.2.100", exporter("192.0.2.100", [[0, 6]], 6, 40, 7_000)],
    ]),
    stages: [{ name: "sampling", counters: { overridden: 40 } }],
    alerts: { counters: { exceed: 3, below: 1, normal: 2, overrideErrors: 0 }, active: () => [alert] },
    runner: { stats: { started: 5, succeeded: 2, failed: 2, timedOut: 1, dropped: 0, running: 0, queued: 0 } },
    latest: new Map(),
    workers: [
      { datagrams: 70, records: 1600 },
      { datagrams: 60, records: 1300 },
    ],
  };
}
