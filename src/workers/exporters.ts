// Per exporter address seen by this worker: datagrams, bytes, flows and versions, for /metrics.
// The main thread sums the workers' tables by address.
import type { ExporterStats } from "../pipeline.ts";
import type { Datagram } from "../receive/udp.ts";

/** Exporters tracked; spoofed sources beyond it push out the least recently seen (as pipeline.ts). */
const MAX_EXPORTERS = 4096;

export interface ExporterTable {
  /** Counts the datagram's header data and returns its exporter (decode adds flows). */
  seen(d: Datagram): ExporterStats;
  list(): ExporterStats[];
}

export function createExporterTable(): ExporterTable {
  const byAddr = new Map<string, ExporterStats>();
  let nextId = 0;
  return {
    seen(d) {
      let e = byAddr.get(d.addr);
      if (e === undefined) {
        if (byAddr.size >= MAX_EXPORTERS) {
          const idle = [...byAddr.values()].sort((a, b) => a.lastSeenMs - b.lastSeenMs).slice(0, MAX_EXPORTERS >> 3);
          for (const x of idle) byAddr.delete(x.addr);
        }
        e = { id: nextId++, addr: d.addr, port: d.port, datagrams: 0, bytes: 0, flows: 0, versions: new Float64Array(11), firstSeenMs: d.arrivalMs, lastSeenMs: 0 };
        byAddr.set(d.addr, e);
      }
      e.datagrams++;
      e.bytes += d.payload.length;
      e.lastSeenMs = d.arrivalMs;
      const p = d.payload;
      const version = p.length >= 2 ? ((p[0] as number) << 8) | (p[1] as number) : 0;
      if (version === 5 || version === 9 || version === 10) e.versions[version]!++;
      return e;
    },
    list: () => [...byAddr.values()].map((e) => ({ ...e, versions: e.versions.slice() })),
  };
}
