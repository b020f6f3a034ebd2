// The data path of one decoding thread, built from the plan: sockets, decoder, batch, the plan's
// stages and the monitor, joined by the ingest. The inline engine runs one on the main thread;
// each collector worker runs one of its own (workers/thread.ts). A reload swaps the monitor
// (keeping its unchanged windows and averages) and hands the stages their new settings.
import type { ListenAddress } from "../config/types.ts";
import type { Decoder } from "../decode/index.ts";
import type { Level, Logger } from "../log.ts";
import { openFlowDump } from "../flow/dump.ts";
import type { ClosedWindow } from "../flow/export.ts";
import type { Monitor } from "../monitor/mo.ts";
import { type Receiver, startReceiver } from "../receive/udp.ts";
import { type Ingest, createIngest } from "./ingest.ts";
import type { Plan, PlanChange } from "./plan.ts";
import type { Stage } from "./stage.ts";

export interface DataPathOptions {
  /** Addresses to bind (a worker's: ports already resolved). */
  listen: readonly ListenAddress[];
  /** SO_REUSEPORT, and every window keeps every row: top-N is applied after the workers' merge. */
  worker: boolean;
  /** The saved template snapshot to restore, or null. */
  saved: unknown;
  info(message: string, key?: string): void;
  warn(message: string): void;
}

/** What a reload did to the windows: kept, new, and the ones that ended with what they had counted. */
export interface Reloaded {
  kept: number;
  fresh: number;
  gone: number;
  ended: ClosedWindow[];
}

export interface DataPath {
  readonly decoder: Decoder;
  readonly stages: readonly Stage[];
  /** The monitor in force (a reload replaces it). */
  readonly monitor: Monitor;
  readonly ingest: Ingest;
  readonly receiver: Receiver;
  /** Templates restored from the saved snapshot. */
  readonly restored: number;
  /**
   * Applies a plan: the monitor when change.monitor says so, the stages, the allowlist. Returns
   * the windows the new monitor no longer has, closed with what they counted so far.
   */
  reload(next: Plan, change: PlanChange): Reloaded;
  /** Closes the sockets, processes what was received, and returns every open window, closed. */
  stop(): Promise<ClosedWindow[]>;
}

/** The stages' lines go where the path's own go. */
function stageLog(o: DataPathOptions): Logger {
  const log = (level: Level, m: string, key?: string): void => (level === "debug" ? undefined : level === "info" ? o.info(m, key) : o.warn(m));
  return { log, debug: (m, k) => log("debug", m, k), info: (m, k) => log("info", m, k), warn: (m, k) => log("warn", m, k), error: (m, k) => log("error", m, k) };
}

export async function startDataPath(plan: Plan, o: DataPathOptions): Promise<DataPath> {
  const decoder = plan.decoder();
  const restored = o.saved === null ? 0 : decoder.templates.restore(o.saved);
  const stages = plan.stages({ log: stageLog(o) });
  let monitor = plan.monitor({ allRows: o.worker });
  // Workers append their own lines to one dump (flow/dump.ts: lines stay whole).
  const dumpTo = plan.config.debug.dumpFlows;
  const dump = dumpTo ? openFlowDump(dumpTo, o.worker) : null;
  const ingest = createIngest({
    decoder,
    batch: plan.batch(),
    stages,
    monitor: () => monitor,
    dump,
    onNewExporter: (e) => o.info(`new exporter ${e.addr}:${e.port}`, "new-exporter"),
  });
  // The receiver reads `allow` per datagram, so a reload can replace it in this object.
  const receiveOptions = {
    listen: o.listen,
    recvBuffer: plan.config.collector.recvBuffer,
    allow: plan.config.collector.allow,
    reusePort: o.worker,
    onDatagram: ingest.onDatagram,
    warn: o.warn,
  };
  const receiver = await startReceiver(receiveOptions);
  return {
    decoder,
    stages,
    get monitor() {
      return monitor;
    },
    ingest,
    receiver,
    restored,
    reload(next, change) {
      ingest.flush();
      const out: Reloaded = { kept: monitor.windows.length, fresh: 0, gone: 0, ended: [] };
      if (change.monitor) {
        // Windows and averages whose definition did not change carry over into the new tree.
        const nextMonitor = next.monitor({ reuse: monitor, allRows: o.worker });
        const kept = new Set<unknown>(nextMonitor.windows);
        const gone = monitor.windows.filter((w) => !kept.has(w));
        out.ended = gone.flatMap((w) => w.flush());
        out.gone = gone.length;
        out.fresh = nextMonitor.windows.filter((w) => !monitor.windows.includes(w)).length;
        out.kept = nextMonitor.windows.length - out.fresh;
        monitor = nextMonitor;
      }
      for (const s of stages) s.reload(next);
      receiveOptions.allow = next.config.collector.allow;
      return out;
    },
    async stop() {
      await receiver.close();
      ingest.flush();
      await dump?.close();
      return monitor.flush();
    },
  };
}
