// `collector.workers = N` (N > 1): N worker threads each receive, decode and count on their own
// SO_REUSEPORT sockets; this thread merges what they export and keeps store, alerts and HTTP.
// Why sockets per worker and not one receiver handing datagrams out: a hand-off costs a copy and
// a message per datagram on the one thread that would then be the bottleneck; with reusePort the
// kernel spreads exporters by 4-tuple hash and each worker's path is the single-thread path.
import type { Config, LimitDef, ListenAddress } from "../config/types.ts";
import type { Decoder } from "../decode/index.ts";
import { loadTemplates } from "../decode/persist.ts";
import { XenoflowError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Monitor } from "../monitor/mo.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { MovingAverage } from "../monitor/mavg.ts";
import type { ExporterStats } from "../collector/ingest.ts";
import { compilePlan } from "../collector/plan.ts";
import type { Receiver, ReceiverKind } from "../receive/udp.ts";
import type { WindowExport } from "../store/sink.ts";
import { createAlertScan } from "./alert-scan.ts";
import { createFloors } from "./floors.ts";
import { createMergedMavg, type MergedMavg } from "./merged-mavg.ts";
import { type PartialExport, createWindowMerger } from "./merge-windows.ts";
import { workerPath } from "./path.ts";
import type { FromWorker, ToWorker, WorkerStats } from "./protocol.ts";
import { mergeTemplateSnapshots } from "./templates-merge.ts";
import { createStatsBoard, decoderView, monitorView, receiverView } from "./views.ts";

const SCAN_EVERY_MS = 250;
const STOP_TIMEOUT_MS = 10_000;

export interface WorkerPool {
  /** Starts the workers and binds their sockets; the receiver's counters are the workers' sums. */
  start(): Promise<Receiver>;
  readonly decoder: Decoder;
  /** collect() returns merged windows every worker has closed; flush() whatever is merged so far. */
  readonly monitor: Monitor;
  /** What the alert engine scans: per average, the keys near a limit with rates summed over workers. */
  readonly alertMavgs: readonly MovingAverage[];
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  /** Per worker, as of its latest report: datagrams received and records decoded. */
  readonly workers: readonly { datagrams: number; records: number }[];
  /** Applies a validated config in every worker (throws, changing nothing, when it cannot). */
  reload(next: Config): void;
  /** Closes the workers' sockets, exports their open windows merged, and ends the threads. */
  stop(): Promise<WindowExport[]>;
}

/** Builds the main thread's side (it throws on a config the monitor cannot run); start() spawns the workers. */
export function createWorkerPool(initial: Config, log: Logger): WorkerPool {
  let config = initial;
  const n = config.collector.workers;
  const shapeOf = (c: Config) => compilePlan(c).monitor();
  // Every window key a config of this run had: workers' raw window parts are rendered with them.
  const keys = new Map<string, CompositeKey>();
  const remember = (m: Monitor) => {
    for (const w of m.windows) keys.set(`${w.table}\u0000${w.key.signature}`, w.key);
    return m;
  };
  let shape = remember(shapeOf(config));
  let saved: unknown = null;
  try {
    saved = loadTemplates(config.dataDir);
  } catch (e) {
    log.warn(`${(e as Error).message}; starting without saved templates`);
  }

  const board = createStatsBoard(n);
  const merger = createWindowMerger(
    n,
    (table, signature) => keys.get(`${table}\u0000${signature}`),
    (why) => log.error(why),
  );
  const snapshots: unknown[] = new Array(n).fill(null);
  const templates = {
    dirty: false,
    snapshot() {
      templates.dirty = false;
      return mergeTemplateSnapshots(saved, snapshots, board.latest.map((s) => s?.exporters ?? []));
    },
  };
  const workers: Worker[] = [];
  const send = (w: number, m: ToWorker) => workers[w]?.postMessage(m);
  const broadcast = (m: ToWorker) => workers.forEach((_, w) => send(w, m));
  const limitsOf = (c: Config, a: MovingAverage): readonly LimitDef[] => c.mos.find((m) => m.name === a.mo)?.mavgs.find((x) => x.name === a.def.name)?.limits ?? [];
  const floors = createFloors((m) => log.warn(m, "limit-floor"));
  const mergedOf = (s: Monitor) => s.mavgs.map((a) => createMergedMavg(a.mo, a.def, a.key));
  let alertMavgs: MergedMavg[] = mergedOf(shape);
  const scan = createAlertScan(alertMavgs, {
    workers: n,
    send,
    floors: (now) => shape.mavgs.map((a) => floors.of(a.def, limitsOf(config, a), now)),
  });
  // flush() has nothing to give synchronously: the workers flush on reload and stop, and what they
  // send is merged and comes out of collect() (or of stop()).
  const viewOf = (s: Monitor) => monitorView(s, board, { collect: () => merger.ready(), flush: () => [], send: broadcast });
  let monitor = viewOf(shape);

  const stopped: Array<(m: { parts: PartialExport[] }) => void> = [];
  const retire = (w: number, why: string) => {
    log.error(`collector worker ${w}: ${why}`);
    merger.retire(w);
    scan.retire(w);
    stopped[w]?.({ parts: [] });
  };
  const report = (w: number, stats: WorkerStats, tpl: unknown) => {
    board.set(w, stats);
    if (tpl !== null) {
      snapshots[w] = tpl;
      templates.dirty = true;
    }
  };

  const spawn = (w: number) =>
    new Promise<{ bound: ListenAddress[]; restored: number; kind: ReceiverKind }>((resolve, reject) => {
      const worker = new Worker(workerPath("workers/thread.ts"));
      workers[w] = worker;
      let started = false;
      worker.onmessage = (ev: MessageEvent<FromWorker>) => {
        const m = ev.data;
        switch (m.type) {
          case "ready":
            started = true;
            return resolve(m);
          case "failed":
            return reject(new XenoflowError("E_CONFIG", m.message));
          case "log":
            return log.log(m.level, m.message, m.key);
          case "tick":
            merger.add(w, m.parts);
            merger.advance(w, m.nowMs);
            return report(w, m.stats, m.templates);
          case "candidates":
            return scan.candidates(w, m.id, m.lists);
          case "rates":
            return scan.rates(w, m.id, m.rates);
          case "stopped":
            merger.add(w, m.parts);
            report(w, m.stats, m.templates);
            return stopped[w]?.(m);
        }
      };
      worker.onerror = (e) => {
        if (!started) reject(new XenoflowError("E_INTERNAL", `collector worker ${w}: ${e.message}`));
        else retire(w, e.message);
      };
    });

  const init = (w: number, listen: ListenAddress[]): ToWorker => ({ type: "init", index: w, count: n, config, listen, templates: saved });
  let timer: ReturnType<typeof setInterval> | undefined;
  async function start(): Promise<Receiver> {
    let bound: ListenAddress[];
    let kind: ReceiverKind;
    try {
      // Worker 0 binds first, so a port 0 becomes one port that every worker shares.
      const first = spawn(0);
      send(0, init(0, config.collector.listen.slice()));
      const r0 = await first;
      bound = r0.bound;
      if (r0.restored > 0) log.info(`restored ${r0.restored} templates from ${config.dataDir} in each of ${n} workers`);
      const rest = [];
      for (let w = 1; w < n; w++) {
        rest.push(spawn(w));
        send(w, init(w, bound));
      }
      kind = r0.kind;
      await Promise.all(rest);
    } catch (e) {
      for (const w of workers) w?.terminate();
      workers.length = 0;
      throw e;
    }
    log.info(`${n} collector workers on ${bound.map((b) => `${b.host}:${b.port}`).join(", ")}`);
    timer = setInterval(() => scan.round(Date.now()), SCAN_EVERY_MS);
    return receiverView(board, bound, kind);
  }

  let stopping: Promise<WindowExport[]> | null = null;
  return {
    start,
    decoder: decoderView(board, templates),
    get monitor() {
      return monitor;
    },
    get alertMavgs() {
      return alertMavgs;
    },
    exporters: board.exporters,
    get workers() {
      return board.latest.map((s) => ({ datagrams: s?.receiver.datagrams ?? 0, records: s?.decoder.records ?? 0 }));
    },
    reload(next) {
      const nextShape = remember(shapeOf(next));
      config = next;
      shape = nextShape;
      broadcast({ type: "reload", config: next });
      monitor = viewOf(shape);
      alertMavgs = mergedOf(shape);
      scan.rebind(alertMavgs);
    },
    stop() {
      stopping ??= (async () => {
        if (timer !== undefined) clearInterval(timer);
        const done = workers.map((_, w) => new Promise<{ parts: PartialExport[] }>((r) => (stopped[w] = r)));
        broadcast({ type: "stop" });
        let timeout: ReturnType<typeof setTimeout> | undefined;
        const late = await Promise.race([
          Promise.all(done).then(() => false),
          new Promise<boolean>((r) => (timeout = setTimeout(() => r(true), STOP_TIMEOUT_MS))),
        ]);
        // A pending timer would keep the process alive after the collector stopped.
        clearTimeout(timeout);
        if (late) log.error("collector workers did not stop in time; exporting what arrived");
        for (const w of workers) w.terminate();
        return merger.drainAll();
      })();
      return stopping;
    },
  };
}
