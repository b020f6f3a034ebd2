// What the HTTP server and the status line read from a running collector (src/collector/run.ts
// builds it over its engine); tests build one from plain objects. Read at request time only.
import type { AlertState } from "../alert/event.ts";
import type { AlertCounters } from "../alert/engine.ts";
import type { ScriptStats } from "../alert/scripts.ts";
import type { Config } from "../config/types.ts";
import type { AgentStats, DecoderStats, ExporterTemplates, Faults } from "../decode/index.ts";
import type { MoCounters } from "../monitor/mo.ts";
import type { ExporterStats } from "../collector/ingest.ts";
import type { StageCounters } from "../collector/stage.ts";
import type { ReceiveCounters } from "../receive/udp.ts";
import type { SpoolStats } from "../store/spool-types.ts";
import type { LatestWindows } from "../monitor/latest.ts";

export interface CollectorView {
  readonly config: Pick<Config, "storage" | "exporters">;
  readonly receiver: { readonly counters: ReceiveCounters; readonly bound: readonly { host: string; port: number }[] };
  readonly decoder: {
    readonly faults: Readonly<Faults>;
    readonly stats: DecoderStats;
    readonly templates: { list(): readonly ExporterTemplates[] };
    /** sFlow agents by agent address and sub-agent id. */
    readonly sflowAgents: ReadonlyMap<string, AgentStats>;
  };
  readonly monitor: {
    readonly counters: MoCounters;
    readonly windows: readonly { readonly mo: string; readonly def: { name: string }; readonly counters: { exported: number; late: number; overflow: number } }[];
    readonly mavgs: readonly { readonly mo: string; readonly def: { name: string }; readonly size: number; readonly counters: { evicted: number; swept: number } }[];
  };
  readonly sink: { stats(): SpoolStats };
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  /** Per stage between decode and monitor, its counters. */
  readonly stages: readonly StageCounters[];
  readonly alerts: { readonly counters: AlertCounters; active(): readonly AlertState[] };
  readonly runner: { readonly stats: ScriptStats };
  readonly latest: LatestWindows;
  /** With collector.workers > 1, per worker as of its latest report; empty otherwise. */
  readonly workers: readonly { readonly datagrams: number; readonly records: number }[];
}
