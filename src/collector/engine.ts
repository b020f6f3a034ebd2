// The engine seam: what runs receive -> decode -> stages -> monitor, on this thread (inline.ts) or
// in collector workers (workers/pool.ts). The wiring (run.ts) drives either through this
// interface and never asks which one it has; HTTP and the status line read the figures below.
import type { Rates } from "../alert/rates.ts";
import type { ListenAddress } from "../config/types.ts";
import type { AgentStats, DecoderStats, ExporterTemplates, Faults } from "../decode/index.ts";
import type { Logger } from "../log.ts";
import type { MavgCounters } from "../monitor/mavg.ts";
import type { MoCounters } from "../monitor/mo.ts";
import type { WindowCounters } from "../monitor/window.ts";
import type { ReceiveCounters, ReceiverKind } from "../receive/udp.ts";
import type { WindowExport } from "../flow/export.ts";
import type { ExporterStats } from "./ingest.ts";
import type { Plan, PlanChange } from "./plan.ts";
import type { StageCounters } from "./stage.ts";

/** The template cache as persistence (state/templates.ts's format) and /api/exporters read it. */
export interface TemplateSource {
  snapshot(): unknown;
  /** Templates and learned sampling rates per exporter, typed (no parsing of the snapshot). */
  list(): readonly ExporterTemplates[];
  /** Set when templates changed since the last snapshot; readers that only look restore it. */
  dirty: boolean;
}

/** The figures of the data path: sums over the workers, or the one thread's own. */
export interface EngineView {
  readonly receiver: { readonly counters: ReceiveCounters; readonly bound: readonly ListenAddress[]; readonly kind: ReceiverKind };
  readonly decoder: {
    readonly faults: Readonly<Faults>;
    readonly stats: DecoderStats;
    readonly templates: TemplateSource;
    /** sFlow agents by agent address and sub-agent id. */
    readonly sflowAgents: ReadonlyMap<string, AgentStats>;
  };
  readonly monitor: {
    readonly counters: MoCounters;
    readonly windows: readonly { readonly mo: string; readonly def: { readonly name: string }; readonly counters: WindowCounters }[];
    readonly mavgs: readonly { readonly mo: string; readonly def: { readonly name: string }; readonly size: number; readonly counters: MavgCounters }[];
  };
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  /** Per stage of the plan, its counters. */
  readonly stages: readonly StageCounters[];
  /** Per worker, as of its latest report: datagrams received and records decoded; empty inline. */
  readonly workers: readonly { readonly datagrams: number; readonly records: number }[];
}

/** An extended window as alerts switch it (reference counted). */
export interface Switch {
  enable(): void;
  disable(): void;
}

export interface Engine extends EngineView {
  /**
   * Windows closed by `nowMs` (and those a reload ended), oldest first, ready for the store: rows
   * or a row source rendered when first read. Also ages held data and templates out.
   */
  collect(nowMs: number): WindowExport[];
  /** The moving averages as alerts read them (a reload replaces them). */
  readonly rates: readonly Rates[];
  /** An extended window by "mo/window". */
  window(path: string): Switch | undefined;
  /**
   * Applies a plan checked by planChange(): stages, allowlist, monitoring objects. What the old
   * windows counted comes out of collect(). Returns notes for the operator.
   */
  reload(next: Plan, change: PlanChange): string[];
  /** Closes the sockets, processes what was received, and returns every open window, closed. */
  stop(): Promise<WindowExport[]>;
  /** Hands `payload` to every thread's stage named `name` (Stage.message): data made once, here. */
  toStages(name: string, payload: unknown): void;
}

export interface EngineOptions {
  log: Logger;
  /** The saved template snapshot (state/templates.ts), or null. */
  saved: unknown;
}

/** Binds the sockets and starts; rejects (binding nothing) when it cannot. */
export type StartEngine = (plan: Plan, o: EngineOptions) => Promise<Engine>;
