// The one module that wires the data path together (DESIGN.md section 7):
//   receive -> decode -> flow batch -> monitor -> store (spooled) / alert
// Everything periodic (window export, template persistence, alert ticks, retention, the status
// line) runs on timers here, never in the per-flow loop.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type AlertEngine, createAlertEngine } from "../alert/engine.ts";
import { type ScriptRunner, createScriptRunner } from "../alert/scripts.ts";
import { writeAlertState } from "../alert/state-file.ts";
import type { Config, LimitDef } from "../config/types.ts";
import type { Decoder } from "../decode/index.ts";
import { loadTemplates, saveTemplates } from "../decode/persist.ts";
import { type FlowDump, openFlowDump } from "../flow/dump.ts";
import { startHttpServer } from "../http/server.ts";
import type { Logger } from "../log.ts";
import type { MovingAverage } from "../monitor/mavg.ts";
import type { Monitor } from "../monitor/mo.ts";
import { type LatestWindows, createLatestWindows } from "../monitor/latest.ts";
import { withRowSource } from "../monitor/raw-rows.ts";
import { XenoflowError } from "../errors.ts";
import { compilePlan, planChange } from "./plan.ts";
import { type ExporterStats, createIngest } from "./ingest.ts";
import { type Receiver, startReceiver } from "../receive/udp.ts";
import { openSink } from "../store/open.ts";
import type { WindowExport } from "../store/sink.ts";
import { createHeapTrim } from "../store/heap-trim.ts";
import { createPacedWriter } from "../store/paced.ts";
import { type SpooledSink, createSpooledSink } from "../store/spool.ts";
import { createStatus, type Status } from "./status.ts";
import { type WorkerPool, createWorkerPool } from "../workers/pool.ts";

export interface Collector {
  /** The configuration in force (replaced by reload). */
  readonly config: Config;
  readonly receiver: Receiver;
  readonly decoder: Decoder;
  readonly monitor: Monitor;
  readonly sink: SpooledSink;
  readonly status: Status;
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  readonly alerts: AlertEngine;
  readonly runner: ScriptRunner;
  /** The latest export of each window, by "mo/window": its largest rows (src/monitor/latest.ts). */
  readonly latest: LatestWindows;
  /**
   * Applies a new, already validated configuration: limits, limit files, scripts, exporters, the
   * allowlist, and new or changed monitoring objects. Throws (and changes nothing) when the new
   * configuration cannot be applied; returns notes on settings that need a restart.
   */
  reload(next: Config): string[];
  /** Closes the open windows early, exports them, drains the spool (bounded), and stops. */
  stop(): Promise<void>;
}

const EXPORT_EVERY_MS = 1000;
const ALERT_TICK_MS = 250;
const PERSIST_EVERY_MS = 1000;
const RETENTION_EVERY_MS = 3600_000;
const DRAIN_ON_STOP_MS = 10_000;
const TRIM_AFTER_ROWS = 10_000;
const TRIM_DELAY_MS = 0;

export async function startCollector(initial: Config, log: Logger): Promise<Collector> {
  let config = initial;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  let plan = compilePlan(config);
  // collector.workers > 1: worker threads receive, decode and count (src/workers); this thread
  // sees them through the pool's decoder, monitor and receiver, and keeps store, alerts and HTTP.
  const pool = config.collector.workers > 1 ? createWorkerPool(config, log) : null;
  // The decoder of this thread, when it decodes (no pool); a reload hands it the new sampling rates.
  const decoder = pool ? pool.decoder : plan.decoder();
  const stages = pool ? [] : plan.stages();
  if (!pool) restoreTemplates(decoder, config.dataDir, log);

  // Closed windows leave this thread's monitor as numbers; the store renders their rows a slice
  // per turn (monitor/raw-rows.ts, store/paced.ts), between the receiver's reads.
  let monitor = pool ? pool.monitor : plan.monitor();
  const trim = createHeapTrim({ minRows: TRIM_AFTER_ROWS, delayMs: TRIM_DELAY_MS });
  const sink = createSpooledSink(openSink(config.storage), join(config.dataDir, "spool"), {
    maxBytes: config.storage.spoolMax,
    onEvent: (kind, d) => {
      if (kind === "written" || kind === "spooled") {
        trim.written(Number(d.rows));
        return;
      }
      log.log(kind === "write_error" ? "warn" : "error", `store: ${kind} ${Object.entries(d).map(([k, v]) => `${k}=${v}`).join(" ")}`, `store:${kind}`);
    },
  });
  const latest = createLatestWindows();
  const exportedAt = new Map<string, number>();
  const runner = createScriptRunner({
    timeoutMs: config.alerts.scriptTimeout * 1000,
    concurrency: config.alerts.scriptConcurrency,
    log: (level, m) => log.log(level, m),
  });
  const alertHost = () => ({
    mavgs: pool ? pool.alertMavgs : monitor.mavgs,
    limitsOf: (a: MovingAverage) => limitsIn(config, a),
    window: (p: string) => monitor.window(p),
    latestRows: (p: string, sinceMs: number) => {
      const e = latest.get(p);
      if (!e || (exportedAt.get(p) ?? 0) <= sinceMs) return null;
      return { time: new Date(e.time * 1000).toISOString(), columns: [...e.keys.map((k) => k.name), ...e.values], rows: e.rows };
    },
  });
  const alerts = createAlertEngine(alertHost(), runner, (level, m) => log.log(level, m));
  const saveAlerts = () => {
    try {
      writeAlertState(config.dataDir, alerts.active());
    } catch (e) {
      log.error(`alerts: ${(e as Error).message}`, "alerts-file");
    }
  };
  alerts.onChange(saveAlerts);
  saveAlerts();
  // With workers, they decode and write the dump themselves.
  const dump: FlowDump | null = config.debug.dumpFlows && !pool ? openFlowDump(config.debug.dumpFlows) : null;

  const ingest = createIngest({
    decoder,
    batch: plan.batch(),
    stages,
    monitor: () => monitor,
    dump,
    onNewExporter: (e) => log.info(`new exporter ${e.addr}:${e.port}`, "new-exporter"),
  });
  const onDatagram = ingest.onDatagram;
  const exporters = ingest.exporters;

  // The receiver reads `allow` per datagram, so a reload can replace it in this object.
  const receiveOptions = {
    listen: config.collector.listen,
    recvBuffer: config.collector.recvBuffer,
    allow: config.collector.allow,
    onDatagram,
    warn: (m: string) => log.warn(m),
  };
  const receiver = pool ? await pool.start() : await startReceiver(receiveOptions);

  // What readers (HTTP, status) see: getters, so that a reload's new parts are picked up.
  const view = {
    get config() {
      return config;
    },
    get monitor() {
      return monitor;
    },
    receiver,
    decoder,
    sink,
    exporters: pool ? pool.exporters : exporters,
    alerts,
    runner,
    latest,
    get workers() {
      return pool ? pool.workers : [];
    },
  };
  const status = createStatus(view);
  const write = (exports: WindowExport[]) => {
    for (const e of exports) {
      latest.set(`${e.mo}/${e.window}`, e);
      exportedAt.set(`${e.mo}/${e.window}`, Date.now());
      // A failed append is the spool's to report (spool_error, logged above); the export is lost
      // and the collector goes on: unhandled, the rejection would end the process.
      sink.write(e).catch(() => {});
    }
  };
  // The key that renders a raw export is the window's in the monitor in force when it closed.
  const prepareOf = (e: WindowExport) => {
    const raw = e.raw;
    if (!raw) return null;
    const w = monitor.windows.find((x) => x.table === e.table && x.key.signature === raw.signature);
    if (w === undefined) throw new XenoflowError("E_INTERNAL", `window ${e.table}: no key ${raw.signature} to render its rows`);
    return () => withRowSource(e, raw, w.key, w.def.top);
  };
  const paced = createPacedWriter((e) => write([e]), undefined, prepareOf);
  const persist = () => {
    if (!decoder.templates.dirty) return;
    try {
      saveTemplates(config.dataDir, decoder.templates.snapshot());
    } catch (e) {
      log.error((e as Error).message, "templates");
    }
  };
  const tables = () => config.mos.flatMap((m) => m.windows.map((w) => `${m.name}_${w.name}`));
  const prune = () => {
    const before = Math.floor(Date.now() / 1000) - config.storage.retention;
    sink.prune(tables(), before).catch((e) => log.warn(`retention: ${(e as Error).message}`, "retention"));
  };
  const timers = [
    setInterval(() => paced.push(monitor.collect(Date.now())), EXPORT_EVERY_MS),
    setInterval(() => alerts.tick(Date.now()), ALERT_TICK_MS),
    setInterval(() => {
      decoder.expire(Date.now());
      persist();
    }, PERSIST_EVERY_MS),
    setInterval(prune, RETENTION_EVERY_MS),
    setInterval(() => log.info(status.line()), 60_000),
  ];
  prune();
  const http = config.http.listen
    ? startHttpServer(view, { listen: config.http.listen, token: config.http.token, configFile: config.file, log })
    : null;

  const reload = (next: Config): string[] => {
    const nextPlan = compilePlan(next);
    const change = planChange(plan, nextPlan);
    const notes = change.restart;
    let nextMonitor = monitor;
    if (pool) {
      // Every worker rebuilds its own tree and flushes the windows that ended; their windows come
      // out merged by collect().
      pool.reload(next);
      nextMonitor = pool.monitor;
      if (change.monitor) notes.push("monitoring objects changed");
    } else if (change.monitor) {
      nextMonitor = nextPlan.monitor({ reuse: monitor });
      // Windows that did not survive end here: export what they counted so far, nothing is lost.
      const kept = new Set<unknown>(nextMonitor.windows);
      const ended = monitor.windows.filter((w) => !kept.has(w));
      paced.push(ended.flatMap((w) => w.flush()));
      paced.flush();
      const fresh = nextMonitor.windows.filter((w) => !monitor.windows.includes(w)).length;
      notes.push(`monitoring objects changed: ${nextMonitor.windows.length - fresh} windows kept, ${fresh} new, ${ended.length} ended`);
    }
    monitor = nextMonitor;
    config = next;
    plan = nextPlan;
    for (const s of stages) s.reload(nextPlan);
    receiveOptions.allow = next.collector.allow;
    runner.setLimits(next.alerts.scriptTimeout * 1000, next.alerts.scriptConcurrency);
    alerts.rebind(alertHost());
    return notes;
  };

  let stopping: Promise<void> | null = null;
  return {
    get config() {
      return config;
    },
    get monitor() {
      return monitor;
    },
    receiver,
    decoder,
    sink,
    status,
    latest,
    exporters: pool ? pool.exporters : exporters,
    alerts,
    runner,
    reload,
    stop() {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        trim.stop();
        await http?.stop();
        await receiver.close();
        if (!pool) ingest.flush();
        paced.push(pool ? await pool.stop() : monitor.flush());
        paced.flush();
        persist();
        const drained = await sink.drain(DRAIN_ON_STOP_MS);
        if (!drained) log.warn(`store: ${sink.stats().entries} window exports stay in the spool for the next start`);
        await dump?.close();
        await sink.close();
      })();
      return stopping;
    },
  };
}

function restoreTemplates(decoder: Decoder, dataDir: string, log: Logger): void {
  try {
    const snap = loadTemplates(dataDir);
    if (snap !== null) log.info(`restored ${decoder.templates.restore(snap)} templates from ${dataDir}`);
  } catch (e) {
    log.warn(`${(e as Error).message}; starting without saved templates`);
  }
}

function limitsIn(config: Config, a: MovingAverage): readonly LimitDef[] {
  return config.mos.find((m) => m.name === a.mo)?.mavgs.find((x) => x.name === a.def.name)?.limits ?? [];
}
