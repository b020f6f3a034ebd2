// The workers' latest reports and their sums: the figures the worker engine shows (the receiver,
// decoder, monitor and stage counters of collector/engine.ts's EngineView), plain numbers only.
import type { EngineView } from "../collector/engine.ts";
import type { ExporterStats } from "../collector/ingest.ts";
import { type StageCounters, sumStageCounters } from "../collector/stage.ts";
import { type Faults, createFaults } from "../decode/faults.ts";
import type { AgentStats, DecoderStats } from "../decode/index.ts";
import { mergeAgents } from "./agents-merge.ts";
import type { MavgCounters } from "../monitor/mavg.ts";
import type { Monitor, MoCounters } from "../monitor/mo.ts";
import type { WindowCounters } from "../monitor/window.ts";
import type { ReceiveCounters } from "../receive/udp.ts";
import type { WorkerStats } from "./protocol.ts";

/** The workers' latest reports, and their sums. */
export interface StatsBoard {
  set(worker: number, s: WorkerStats): void;
  readonly latest: readonly (WorkerStats | null)[];
  readonly receiver: ReceiveCounters;
  readonly faults: Faults;
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  readonly decoder: DecoderStats;
  readonly stages: readonly StageCounters[];
  /** sFlow agents over all workers (one agent may reach several). */
  readonly sflowAgents: ReadonlyMap<string, AgentStats>;
  sum(pick: (s: WorkerStats) => number): number;
}

export function createStatsBoard(workers: number): StatsBoard {
  const latest: (WorkerStats | null)[] = new Array(workers).fill(null);
  const receiver: ReceiveCounters = { datagrams: 0, bytes: 0, denied: 0 };
  const faults = createFaults();
  const exporters = new Map<string, ExporterStats>();
  const ids = new Map<string, number>();
  const sflowAgents = new Map<string, AgentStats>();
  const sum = (pick: (s: WorkerStats) => number) => latest.reduce((a, s) => a + (s ? pick(s) : 0), 0);
  let stages: StageCounters[] = [];
  // Per stage, every name the workers learned (they send only new ones).
  const learned: Map<number, string>[] = [];
  return {
    latest,
    receiver,
    faults,
    exporters,
    sflowAgents,
    sum,
    get decoder() {
      return {
        templates: sum((s) => s.decoder.templates),
        heldBytes: sum((s) => s.decoder.heldBytes),
        records: sum((s) => s.decoder.records),
        datagrams: sum((s) => s.decoder.datagrams),
      };
    },
    get stages() {
      return stages;
    },
    set(worker, s) {
      latest[worker] = s;
      receiver.datagrams = sum((x) => x.receiver.datagrams);
      receiver.bytes = sum((x) => x.receiver.bytes);
      receiver.denied = sum((x) => x.receiver.denied);
      for (const k of Object.keys(faults) as (keyof Faults)[]) faults[k] = sum((x) => x.faults[k]);
      s.stages.forEach((st, i) => {
        if (st.learned === undefined) return;
        const into = (learned[i] ??= new Map());
        for (const [k, v] of st.learned) into.set(k, v);
      });
      stages = sumStageCounters(latest.map((x) => x?.stages ?? [])).map((st, i) => (learned[i] ? { ...st, learned: learned[i] } : st));
      // One exporter may reach several workers (several source ports): its figures are summed.
      exporters.clear();
      for (const w of latest) {
        for (const e of w?.exporters ?? []) {
          const had = exporters.get(e.addr);
          if (had === undefined) {
            if (!ids.has(e.addr)) ids.set(e.addr, ids.size);
            exporters.set(e.addr, { ...e, id: ids.get(e.addr)!, versions: e.versions.slice() });
            continue;
          }
          had.datagrams += e.datagrams;
          had.bytes += e.bytes;
          had.flows += e.flows;
          for (let v = 0; v < had.versions.length; v++) had.versions[v]! += e.versions[v] ?? 0;
          had.firstSeenMs = Math.min(had.firstSeenMs, e.firstSeenMs);
          had.lastSeenMs = Math.max(had.lastSeenMs, e.lastSeenMs);
        }
      }
      mergeAgents(sflowAgents, latest.map((w) => w?.sflowAgents ?? []));
    },
  };
}

/**
 * The monitor's figures: structure (names, definitions) from a monitor built on the main thread
 * from the same plan, counters summed from the workers' reports. `exported` counts here, as the
 * merged windows leave.
 */
export function monitorFigures(shape: Monitor, board: StatsBoard): EngineView["monitor"] {
  const at = <T>(list: readonly T[] | undefined, i: number): T | undefined => list?.[i];
  const windows = shape.windows.map((w, i) => {
    const counters: WindowCounters = {
      get late() {
        return board.sum((s) => at(s.windows, i)?.late ?? 0);
      },
      get overflow() {
        return board.sum((s) => at(s.windows, i)?.overflow ?? 0);
      },
      exported: 0,
    };
    return { mo: w.mo, def: w.def, counters };
  });
  const mavgs = shape.mavgs.map((a, i) => {
    const counters: MavgCounters = {
      get evicted() {
        return board.sum((s) => at(s.mavgs, i)?.evicted ?? 0);
      },
      get swept() {
        return board.sum((s) => at(s.mavgs, i)?.swept ?? 0);
      },
    };
    return {
      mo: a.mo,
      def: a.def,
      counters,
      // A key that two workers hold counts twice: this is table occupancy, not distinct keys.
      get size() {
        return board.sum((s) => at(s.mavgs, i)?.size ?? 0);
      },
    };
  });
  const n = shape.counters.names.length;
  const pick = (col: "tested" | "matched" | "octets" | "packets") => {
    const out = new Float64Array(n);
    for (const s of board.latest) for (let m = 0; m < n; m++) out[m]! += s?.mo[col][m] ?? 0;
    return out;
  };
  const counters: MoCounters = {
    names: shape.counters.names,
    get tested() {
      return pick("tested");
    },
    get matched() {
      return pick("matched");
    },
    get octets() {
      return pick("octets");
    },
    get packets() {
      return pick("packets");
    },
  };
  return { counters, windows, mavgs };
}
