// The per-datagram path shared by the inline engine and each worker thread: count the exporter,
// decode into the shared batch, and run the plan's stages and then the monitor once per I/O tick
// (or when the batch fills) rather than once per datagram. Arrival times stay per datagram: they
// are on each record.
import type { Decoder } from "../decode/index.ts";
import { isSflow } from "../decode/sflow/datagram.ts";
import { type FlowBatch, resetBatch } from "../flow/batch.ts";
import type { FlowDump } from "../flow/dump.ts";
import type { Monitor } from "../monitor/mo.ts";
import type { Datagram } from "../receive/udp.ts";
import type { Stage } from "./stage.ts";

/** Per exporter address, for /metrics and the dashboard. */
/** ExporterStats.versions index counting sFlow v5 datagrams (NetFlow's are at 5, 9 and 10). */
export const SFLOW_VERSION_SLOT = 0;

export interface ExporterStats {
  id: number;
  addr: string;
  port: number;
  datagrams: number;
  bytes: number;
  flows: number;
  /** Datagrams by NetFlow version: index 5, 9 or 10; sFlow v5 at SFLOW_VERSION_SLOT (0). */
  versions: Float64Array;
  firstSeenMs: number;
  lastSeenMs: number;
}

/** Exporters tracked; spoofed sources beyond it push out the least recently seen. */
const MAX_EXPORTERS = 4096;

export interface Ingest {
  onDatagram(d: Datagram): void;
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  /** Processes what the current tick has batched so far (before export or stop). */
  flush(): void;
}

export interface IngestOptions {
  decoder: Decoder;
  batch: FlowBatch;
  /** What runs between decode and monitor, in order (plan.ts). */
  stages: readonly Stage[];
  /** The monitor in force (a reload replaces it). */
  monitor: () => Monitor;
  dump?: FlowDump | null;
  onNewExporter?: (e: ExporterStats) => void;
}

export function createIngest(o: IngestOptions): Ingest {
  const { decoder, batch, stages } = o;
  const dumpLines = o.dump?.lines ?? null;
  const exporters = new Map<string, ExporterStats>();
  let nextId = 0;
  const process = (b: FlowBatch) => {
    for (let s = 0; s < stages.length; s++) stages[s]!.process(b);
    o.monitor().process(b);
    resetBatch(b);
  };
  let flushPending = false;
  const flush = () => {
    flushPending = false;
    if (batch.length > 0) process(batch);
  };
  const exporterOf = (d: Datagram): ExporterStats => {
    let e = exporters.get(d.addr);
    if (e !== undefined) return e;
    if (exporters.size >= MAX_EXPORTERS) {
      // Forget the eighth seen longest ago at once, so a flood of sources costs one sort per 512.
      const idle = [...exporters.values()].sort((a, b) => a.lastSeenMs - b.lastSeenMs).slice(0, MAX_EXPORTERS >> 3);
      for (const x of idle) exporters.delete(x.addr);
    }
    e = { id: nextId++, addr: d.addr, port: d.port, datagrams: 0, bytes: 0, flows: 0, versions: new Float64Array(11), firstSeenMs: d.arrivalMs, lastSeenMs: 0 };
    exporters.set(d.addr, e);
    o.onNewExporter?.(e);
    return e;
  };
  return {
    exporters,
    flush,
    onDatagram(d) {
      const e = exporterOf(d);
      e.datagrams++;
      e.bytes += d.payload.length;
      e.lastSeenMs = d.arrivalMs;
      const p = d.payload;
      const version = p.length >= 2 ? ((p[0] as number) << 8) | (p[1] as number) : 0;
      if (version === 5 || version === 9 || version === 10) e.versions[version]!++;
      else if (isSflow(p)) e.versions[SFLOW_VERSION_SLOT]!++;
      const before = decoder.records;
      decoder.decodeToBatch(p, e, d.arrivalMs, batch, process, dumpLines);
      if (batch.length > 0 && !flushPending) {
        flushPending = true;
        setImmediate(flush);
      }
      e.flows += decoder.records - before;
    },
  };
}
