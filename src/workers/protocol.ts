// Messages between the main thread and the collector workers. Everything here is structured-
// cloneable: plain objects, arrays and typed arrays.
import type { Config, ListenAddress } from "../config/types.ts";
import type { AgentStats, DecoderStats, Faults } from "../decode/index.ts";
import type { Level } from "../log.ts";
import type { ExporterStats } from "../collector/ingest.ts";
import type { StageCounters } from "../collector/stage.ts";
import type { ReceiveCounters, ReceiverKind } from "../receive/udp.ts";
import type { KeyList } from "./mavg-scan.ts";
import type { PartialExport } from "./merge-windows.ts";

export interface WorkerInit {
  index: number;
  count: number;
  config: Config;
  /** Addresses to bind with SO_REUSEPORT; ports already resolved (port 0 became worker 0's port). */
  listen: ListenAddress[];
  /** The saved template snapshot, restored by every worker: any exporter may land on any worker. */
  templates: unknown;
}

/** A worker's counters, sent with every tick; indexes follow the worker's monitor order. */
export interface WorkerStats {
  receiver: ReceiveCounters;
  faults: Faults;
  decoder: DecoderStats;
  mo: { tested: Float64Array; matched: Float64Array; octets: Float64Array; packets: Float64Array };
  windows: { exported: number; late: number; overflow: number; openStart: number; openRows: number }[];
  mavgs: { size: number; evicted: number; swept: number }[];
  exporters: ExporterStats[];
  /** sFlow agents this worker decoded (their per-source tables left out). */
  sflowAgents: AgentStats[];
  stages: StageCounters[];
}

export type ToWorker =
  | ({ type: "init" } & WorkerInit)
  | { type: "enable"; path: string }
  | { type: "disable"; path: string }
  | { type: "reload"; config: Config }
  /** For the worker's stages named `name` (Stage.message). */
  | { type: "stage"; name: string; payload: unknown }
  /** Propose keys above floor / count; floors per average in monitor order, null = no limits. */
  | { type: "scan"; id: number; nowMs: number; floors: (Float64Array | null)[] }
  | { type: "rates"; id: number; nowMs: number; keys: KeyList[] }
  /**
   * Pre-loaded datagrams through the worker's data path with no socket (the benchmark): `count`
   * datagrams taken round-robin from one exporter, arriving msPerDatagram apart from t0.
   */
  | { type: "feed"; datagrams: Uint8Array[]; addr: string; port: number; count: number; t0: number; msPerDatagram: number }
  | { type: "stop" };

export type FromWorker =
  | { type: "ready"; bound: ListenAddress[]; restored: number; kind: ReceiverKind }
  | { type: "failed"; message: string }
  | { type: "log"; level: Level; message: string; key?: string }
  /** Closed windows, then the watermark: every window ending at or before nowMs was sent. */
  | { type: "tick"; nowMs: number; parts: PartialExport[]; stats: WorkerStats; templates: unknown }
  | { type: "candidates"; id: number; lists: KeyList[] }
  | { type: "rates"; id: number; rates: Float64Array[] }
  /** A feed is done: records decoded, the worker's wall time for it, and the windows it closed. */
  | { type: "fed"; records: number; ms: number; parts: PartialExport[] }
  | { type: "stopped"; parts: PartialExport[]; stats: WorkerStats; templates: unknown };
