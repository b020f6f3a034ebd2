// The wiring (DESIGN.md section 7): an engine runs receive -> decode -> stages -> monitor, inline
// or in collector workers (engine.ts); this module hands its closed windows to the store (spooled)
// and its moving averages to alerts, serves HTTP, and logs the status line. Everything periodic
// (window export, template persistence, alert ticks, retention, the status line) runs on timers
// here, never in the per-flow loop.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type AlertEngine, createAlertEngine } from "../alert/engine.ts";
import { createAlertHistory } from "../alert/history.ts";
import type { Rates } from "../alert/rates.ts";
import { type ScriptRunner, createScriptRunner } from "../alert/scripts.ts";
import { writeAlertState } from "../alert/state-file.ts";
import { type EnrichHost, createEnrichHost } from "../enrich/host.ts";
import { ENRICH_STAGE } from "../enrich/path-stage.ts";
import type { Config } from "../config/types.ts";
import { loadTemplates, saveTemplates } from "../state/templates.ts";
import { startHttpServer } from "../http/server.ts";
import type { CollectorView } from "../http/sources.ts";
import type { Logger } from "../log.ts";
import { type LatestWindows, createLatestWindows } from "../monitor/latest.ts";
import { openReports } from "../report/open.ts";
import { createHeapTrim } from "../store/heap-trim.ts";
import { INTERFACES_TABLE } from "../store/interfaces.ts";
import { openSink } from "../store/open.ts";
import { createPacedWriter } from "../store/paced.ts";
import type { WindowExport } from "../store/sink.ts";
import { createSpooledSink } from "../store/spool.ts";
import { spoolLogLine } from "../store/spool-log.ts";
import type { SpooledSink } from "../store/spool-types.ts";
import { startWorkerEngine } from "../workers/pool.ts";
import type { Engine, EngineView, StartEngine } from "./engine.ts";
import { startInlineEngine } from "./inline.ts";
import { createInterfaceExports } from "./interfaces.ts";
import { compilePlan, planChange } from "./plan.ts";
import { createStatus, type Status } from "./status.ts";

export interface Collector extends CollectorView {
  /** The configuration in force (replaced by reload). */
  readonly config: Config;
  readonly receiver: EngineView["receiver"];
  readonly engine: Engine;
  readonly sink: SpooledSink;
  readonly status: Status;
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
const API_STATEMENT_TIMEOUT_MS = 5000;
const PERSIST_EVERY_MS = 1000;
const RETENTION_EVERY_MS = 3600_000;
const DRAIN_ON_STOP_MS = 10_000;
const TRIM_AFTER_ROWS = 10_000;
/** `xenoflow_names` is compared with what enrichment knows this often, and written when it differs. */
const NAMES_EVERY_MS = 5000;

export async function startCollector(initial: Config, log: Logger): Promise<Collector> {
  let config = initial;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  let plan = compilePlan(config);
  const start: StartEngine = config.collector.workers > 1 ? startWorkerEngine : startInlineEngine;

  const trim = createHeapTrim({ minRows: TRIM_AFTER_ROWS });
  const sink = createSpooledSink(openSink(config.storage), join(config.dataDir, "spool"), {
    maxBytes: config.storage.spoolMax,
    onEvent: (kind, d) => {
      if (kind === "written" || kind === "spooled") {
        trim.written(Number(d.rows));
        return;
      }
      const line = spoolLogLine(kind, d);
      if (line) log.log(...line);
    },
  });
  const engine = await start(plan, { log, saved: savedTemplates(config.dataDir, log) });
  // SNMP, the networks CSV's poll and xenoflow_names, once for every thread's enrich stage.
  const enrichHost = (c: Config): EnrichHost | null =>
    createEnrichHost(c, log, { toStages: (defs) => engine.toStages(ENRICH_STAGE, defs), sink, changed: () => void writeNames() });
  let enrich = enrichHost(config);
  const writeNames = () => enrich?.writeNames(engine.stages.find((s) => s.name === ENRICH_STAGE)?.learned);
  void writeNames();
  const latest = createLatestWindows();
  const exportedAt = new Map<string, number>();
  const runner = createScriptRunner({
    timeoutMs: config.alerts.scriptTimeout * 1000,
    concurrency: config.alerts.scriptConcurrency,
    log: (level, m) => log.log(level, m),
  });
  const alertHost = () => ({
    mavgs: engine.rates,
    limitsOf: (a: Rates) => plan.limitsOf(a),
    window: (p: string) => engine.window(p),
    latestRows: (p: string, sinceMs: number) => {
      const e = latest.get(p);
      if (!e || (exportedAt.get(p) ?? 0) <= sinceMs) return null;
      return { time: new Date(e.time * 1000).toISOString(), columns: [...e.keys.map((k) => k.name), ...e.values], rows: e.rows };
    },
  });
  const history = createAlertHistory(sink, config.collector.name, (level, m) => log.log(level, m));
  const alerts = createAlertEngine(alertHost(), runner, (level, m) => log.log(level, m), history.ended);
  const saveAlerts = () => {
    try {
      writeAlertState(config.dataDir, alerts.active());
    } catch (e) {
      log.error(`alerts: ${(e as Error).message}`, "alerts-file");
    }
  };
  alerts.onChange(saveAlerts);
  saveAlerts();

  // What readers (HTTP, status) see: getters, so that a reload's new parts are picked up.
  const view = {
    get config() {
      return config;
    },
    get monitor() {
      return engine.monitor;
    },
    receiver: engine.receiver,
    decoder: engine.decoder,
    sink,
    exporters: engine.exporters,
    get stages() {
      return engine.stages;
    },
    alerts,
    runner,
    latest,
    get workers() {
      return engine.workers;
    },
  };
  const status = createStatus(view);
  // Written one per turn, between the receiver's reads; a raw window's rows are rendered in its
  // export's own turn (monitor/raw-rows.ts).
  const paced = createPacedWriter((e: WindowExport) => {
    latest.set(`${e.mo}/${e.window}`, e);
    exportedAt.set(`${e.mo}/${e.window}`, Date.now());
    // A failed append is the spool's to report (spool_error, logged above); the export is lost
    // and the collector goes on: unhandled, the rejection would end the process.
    sink.write(e).catch(() => {});
  });
  const persist = () => {
    if (!engine.decoder.templates.dirty) return;
    try {
      saveTemplates(config.dataDir, engine.decoder.templates.snapshot());
      engine.decoder.templates.dirty = false;
    } catch (e) {
      log.error((e as Error).message, "templates");
    }
  };
  // sFlow interface counters (restart to change `interface_counters`): small, written directly.
  const interfaces = initial.storage.interfaceCounters > 0 ? createInterfaceExports(initial.storage.interfaceCounters, () => config.exporters) : null;
  const exportInterfaces = (nowMs: number) => {
    const e = interfaces?.due(nowMs, engine.decoder.sflowAgents) ?? null;
    if (e !== null) sink.write(e).catch(() => {}); // the spool reports a failed append, as for windows
  };
  const tables = () => [...config.mos.flatMap((m) => m.windows.map((w) => `${m.name}_${w.name}`)), ...(interfaces ? [INTERFACES_TABLE] : [])];
  const prune = () => {
    const before = Math.floor(Date.now() / 1000) - config.storage.retention;
    sink.prune(tables(), before).catch((e) => log.warn(`retention: ${(e as Error).message}`, "retention"));
  };
  const timers = [
    setInterval(() => {
      const now = Date.now();
      paced.push(engine.collect(now));
      exportInterfaces(now);
    }, EXPORT_EVERY_MS),
    setInterval(() => alerts.tick(Date.now()), ALERT_TICK_MS),
    setInterval(persist, PERSIST_EVERY_MS),
    setInterval(prune, RETENTION_EVERY_MS),
    setInterval(() => log.info(status.line()), 60_000),
    setInterval(() => void writeNames(), NAMES_EVERY_MS),
  ];
  prune();
  const http = config.http.listen
    ? startHttpServer(view, { listen: config.http.listen, token: config.http.token, configFile: config.file, log, reports: { config: () => config, open: () => openReports(config.storage, API_STATEMENT_TIMEOUT_MS) } })
    : null;

  const reload = (next: Config): string[] => {
    const nextPlan = compilePlan(next);
    const change = planChange(plan, nextPlan);
    const notes = [...change.restart, ...engine.reload(nextPlan, change)];
    plan = nextPlan;
    config = next;
    enrich?.close();
    enrich = enrichHost(next);
    runner.setLimits(next.alerts.scriptTimeout * 1000, next.alerts.scriptConcurrency);
    alerts.rebind(alertHost());
    return notes;
  };

  let stopping: Promise<void> | null = null;
  return Object.assign(view, {
    engine,
    status,
    reload,
    stop() {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        trim.stop();
        await http?.stop();
        paced.push(await engine.stop());
        paced.flush();
        await writeNames();
        enrich?.close();
        persist();
        const drained = await sink.drain(DRAIN_ON_STOP_MS);
        if (!drained) log.warn(`store: ${sink.stats().entries} window exports stay in the spool for the next start`);
        history.stop();
        await history.idle();
        await sink.close();
      })();
      return stopping;
    },
  });
}

function savedTemplates(dataDir: string, log: Logger): unknown {
  try {
    return loadTemplates(dataDir);
  } catch (e) {
    log.warn(`${(e as Error).message}; starting without saved templates`);
    return null;
  }
}
