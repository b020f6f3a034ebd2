// What the main thread shows of the workers: objects shaped like the single-thread receiver,
// decoder and monitor, whose counters are the sums of the workers' latest reports. HTTP, the
// status line and the pipeline read them as they read the real ones; the hot-path methods throw,
// since decoding and counting happen in the workers.
import type { ListenAddress } from "../config/types.ts";
import { type Decoder } from "../decode/index.ts";
import { type Faults, createFaults } from "../decode/faults.ts";
import { XenoflowError } from "../errors.ts";
import type { MavgCounters, MovingAverage } from "../monitor/mavg.ts";
import type { Monitor, MoCounters } from "../monitor/mo.ts";
import type { FixedWindow, WindowCounters } from "../monitor/window.ts";
import type { ExporterStats } from "../collector/ingest.ts";
import type { ReceiveCounters, Receiver, ReceiverKind } from "../receive/udp.ts";
import type { WindowExport } from "../store/sink.ts";
import type { WorkerStats } from "./protocol.ts";

const inWorkers = (): never => {
  throw new XenoflowError("E_INTERNAL", "flows are decoded and counted in the collector workers");
};

/** The workers' latest reports, and their sums. */
export interface StatsBoard {
  set(worker: number, s: WorkerStats): void;
  readonly latest: readonly (WorkerStats | null)[];
  readonly receiver: ReceiveCounters;
  readonly faults: Faults;
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  sum(pick: (s: WorkerStats) => number): number;
}

export function createStatsBoard(workers: number): StatsBoard {
  const latest: (WorkerStats | null)[] = new Array(workers).fill(null);
  const receiver: ReceiveCounters = { datagrams: 0, bytes: 0, denied: 0 };
  const faults = createFaults();
  const exporters = new Map<string, ExporterStats>();
  const ids = new Map<string, number>();
  const sum = (pick: (s: WorkerStats) => number) => latest.reduce((a, s) => a + (s ? pick(s) : 0), 0);
  return {
    latest,
    receiver,
    faults,
    exporters,
    sum,
    set(worker, s) {
      latest[worker] = s;
      receiver.datagrams = sum((x) => x.receiver.datagrams);
      receiver.bytes = sum((x) => x.receiver.bytes);
      receiver.denied = sum((x) => x.receiver.denied);
      for (const k of Object.keys(faults) as (keyof Faults)[]) faults[k] = sum((x) => x.faults[k]);
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
    },
  };
}

export function receiverView(board: StatsBoard, bound: readonly ListenAddress[], kind: ReceiverKind): Receiver {
  // The workers own the sockets (worker 0 says which receiver reads them); the pool closes them when it stops.
  return { counters: board.receiver, bound, kind, close: async () => {} };
}

export interface TemplateSource {
  snapshot(): unknown;
  dirty: boolean;
}

export function decoderView(board: StatsBoard, templates: TemplateSource): Decoder {
  return {
    decodeToBatch: inWorkers,
    decodeToRecords: inWorkers,
    expire: () => {},
    faults: board.faults,
    get records() {
      return board.sum((s) => s.decoder.records);
    },
    get stats() {
      return {
        templates: board.sum((s) => s.decoder.templates),
        heldBytes: board.sum((s) => s.decoder.heldBytes),
        records: board.sum((s) => s.decoder.records),
        datagrams: board.sum((s) => s.decoder.datagrams),
      };
    },
    templates: {
      snapshot: () => templates.snapshot(),
      // Every worker restored the saved file at start; nothing is left to restore here.
      restore: () => 0,
      get dirty() {
        return templates.dirty;
      },
      set dirty(v: boolean) {
        templates.dirty = v;
      },
    },
  };
}

/** Structure (names, keys, definitions) from a monitor built on the main thread, figures from the board. */
export function monitorView(
  shape: Monitor,
  board: StatsBoard,
  o: { collect(nowMs: number): WindowExport[]; flush(): WindowExport[]; send(m: { type: "enable" | "disable"; path: string }): void },
): Monitor {
  const at = <T>(list: readonly T[] | undefined, i: number): T | undefined => list?.[i];
  const windows: FixedWindow[] = shape.windows.map((w, i) => {
    const path = `${w.mo}/${w.def.name}`;
    let refs = 0;
    const counters: WindowCounters = {
      get late() {
        return board.sum((s) => at(s.windows, i)?.late ?? 0);
      },
      get overflow() {
        return board.sum((s) => at(s.windows, i)?.overflow ?? 0);
      },
      exported: 0,
    };
    return {
      mo: w.mo,
      def: w.def,
      table: w.table,
      key: w.key,
      counters,
      get openStart() {
        const starts = board.latest.map((s) => at(s?.windows, i)?.openStart ?? Number.NaN).filter((x) => x === x);
        return starts.length ? Math.min(...starts) : Number.NaN;
      },
      get openRows() {
        return board.sum((s) => at(s.windows, i)?.openRows ?? 0);
      },
      get enabled() {
        return !w.def.extended || refs > 0;
      },
      enable() {
        refs++;
        o.send({ type: "enable", path });
      },
      disable() {
        if (refs > 0) refs--;
        o.send({ type: "disable", path });
      },
      addBatch: inWorkers,
      addKeyed: inWorkers,
      collect: () => [],
      flush: () => [],
    };
  });
  const mavgs: MovingAverage[] = shape.mavgs.map((a, i) => {
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
      key: a.key,
      counters,
      // A key that two workers hold counts twice: this is table occupancy, not distinct keys.
      get size() {
        return board.sum((s) => at(s.mavgs, i)?.size ?? 0);
      },
      addBatch: inWorkers,
      addKeyed: inWorkers,
      rate: inWorkers,
      factor: inWorkers,
      raw: inWorkers,
      keyWords: inWorkers,
      renderKey: inWorkers,
      keyText: inWorkers,
      sweep: () => 0,
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
  const byPath = new Map(windows.map((w) => [`${w.mo}/${w.def.name}`, w]));
  const exported = (list: WindowExport[]) => {
    for (const e of list) {
      const w = byPath.get(`${e.mo}/${e.window}`);
      if (w) w.counters.exported++;
    }
    return list;
  };
  return {
    process: inWorkers,
    collect: (nowMs) => exported(o.collect(nowMs)),
    flush: () => exported(o.flush()),
    windows,
    mavgs,
    window: (p) => byPath.get(p),
    counters,
  };
}
