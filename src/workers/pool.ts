// The worker engine (collector.workers = N > 1): N worker threads each receive, decode, run the
// plan's stages and count on their own SO_REUSEPORT sockets (thread.ts); this thread merges the
// windows they close and keeps store, alerts and HTTP (collector/run.ts).
// Why sockets per worker and not one receiver handing datagrams out: a hand-off costs a copy and
// a message per datagram on the one thread that would then be the bottleneck; with reusePort the
// kernel spreads exporters by 4-tuple hash and each worker's path is the inline path.
import type { Engine, StartEngine, Switch } from "../collector/engine.ts";
import type { Plan } from "../collector/plan.ts";
import type { ListenAddress } from "../config/types.ts";
import { XenoflowError } from "../errors.ts";
import type { Monitor } from "../monitor/mo.ts";
import type { CompositeKey } from "../monitor/key.ts";
import type { ReceiverKind } from "../receive/udp.ts";
import type { WindowExport } from "../flow/export.ts";
import { createAlertScan } from "./alert-scan.ts";
import { createStatsBoard, monitorFigures } from "./board.ts";
import { createFloors } from "./floors.ts";
import { createMergedMavg, type MergedMavg } from "./merged-mavg.ts";
import { type PartialExport, createWindowMerger } from "./merge-windows.ts";
import { workerPath } from "./path.ts";
import type { FromWorker, ToWorker, WorkerStats } from "./protocol.ts";
import { mergeTemplateSnapshots } from "./templates-merge.ts";
import { listSnapshot } from "../decode/snapshot.ts";

const SCAN_EVERY_MS = 250;
const STOP_TIMEOUT_MS = 10_000;

/** The worker engine, with the figures tests and the bench read beyond the Engine's. */
export interface WorkerEngine extends Engine {
  readonly rates: readonly MergedMavg[];
}

export const startWorkerEngine: StartEngine = (plan, o) => startWorkers(plan, o);

/** Spawns the workers and binds their sockets; rejects (ending every worker) when one cannot start. */
export async function startWorkers(first: Plan, { log, saved }: Parameters<StartEngine>[1]): Promise<WorkerEngine> {
  let plan = first;
  const n = plan.config.collector.workers;
  // Every window key a plan of this run had: workers' raw window parts are rendered with them.
  const keys = new Map<string, CompositeKey>();
  const shapeOf = (p: Plan) => {
    const m = p.monitor();
    for (const w of m.windows) keys.set(`${w.table}\u0000${w.key.signature}`, w.key);
    return m;
  };
  let shape = shapeOf(plan);

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
      return mergeTemplateSnapshots(saved, snapshots, board.latest.map((s) => s?.exporters ?? []));
    },
    list() {
      return listSnapshot(this.snapshot());
    },
  };
  const workers: Worker[] = [];
  const send = (w: number, m: ToWorker) => workers[w]?.postMessage(m);
  const broadcast = (m: ToWorker) => workers.forEach((_, w) => send(w, m));
  const floors = createFloors((m) => log.warn(m, "limit-floor"));
  const mergedOf = (s: Monitor) => s.mavgs.map((a) => createMergedMavg(a.mo, a.def, a.key));
  let rates: MergedMavg[] = mergedOf(shape);
  const scan = createAlertScan(rates, {
    workers: n,
    send,
    floors: (now) => shape.mavgs.map((a) => floors.of(a.def, plan.limitsOf(a), now)),
  });
  let figures = monitorFigures(shape, board);
  // Extended windows switched on in every worker, reference counted here.
  const switchesOf = (s: Monitor) =>
    new Map(
      s.windows.map((w): [string, Switch] => {
        const path = `${w.mo}/${w.def.name}`;
        return [path, { enable: () => broadcast({ type: "enable", path }), disable: () => broadcast({ type: "disable", path }) }];
      }),
    );
  let switches = switchesOf(shape);
  const exported = (list: WindowExport[]) => {
    for (const e of list) {
      const w = figures.windows.find((x) => x.mo === e.mo && x.def.name === e.window);
      if (w) w.counters.exported++;
    }
    return list;
  };

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

  const init = (w: number, listen: ListenAddress[]): ToWorker => ({ type: "init", index: w, count: n, config: plan.config, listen, templates: saved });
  let bound: ListenAddress[];
  let kind: ReceiverKind;
  try {
    // Worker 0 binds first, so a port 0 becomes one port that every worker shares.
    const first = spawn(0);
    send(0, init(0, plan.config.collector.listen.slice()));
    const r0 = await first;
    bound = r0.bound;
    if (r0.restored > 0) log.info(`restored ${r0.restored} templates from ${plan.config.dataDir} in each of ${n} workers`);
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
  const timer = setInterval(() => scan.round(Date.now()), SCAN_EVERY_MS);

  let stopping: Promise<WindowExport[]> | null = null;
  return {
    // The workers own the sockets (worker 0 says which receiver reads them).
    receiver: { counters: board.receiver, bound, kind },
    decoder: {
      faults: board.faults,
      get stats() {
        return board.decoder;
      },
      templates,
      sflowAgents: board.sflowAgents,
    },
    get monitor() {
      return figures;
    },
    exporters: board.exporters,
    get stages() {
      return board.stages;
    },
    get workers() {
      return board.latest.map((s) => ({ datagrams: s?.receiver.datagrams ?? 0, records: s?.decoder.records ?? 0 }));
    },
    get rates() {
      return rates;
    },
    window: (path) => switches.get(path),
    // Windows every worker has closed, merged; the workers age their own templates out.
    collect: () => exported(merger.ready()),
    reload(next, change) {
      const nextShape = shapeOf(next);
      plan = next;
      shape = nextShape;
      // Every worker rebuilds its own tree and flushes the windows that ended; their windows come
      // out merged by collect().
      broadcast({ type: "reload", config: next.config });
      figures = monitorFigures(shape, board);
      switches = switchesOf(shape);
      rates = mergedOf(shape);
      scan.rebind(rates);
      return change.monitor ? ["monitoring objects changed"] : [];
    },
    toStages: (name, payload) => broadcast({ type: "stage", name, payload }),
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
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
        return exported(merger.drainAll());
      })();
      return stopping;
    },
  };
}
