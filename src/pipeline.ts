// The one module that wires the data path together (DESIGN.md section 7):
//   receive -> decode -> flow batch -> monitor -> store (spooled) / alert
// Everything periodic (window export, template persistence, alert ticks, retention, the status
// line) runs on timers here, never in the per-flow loop.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type AlertEngine, createAlertEngine } from "./alert/engine.ts";
import { type ScriptRunner, createScriptRunner } from "./alert/scripts.ts";
import { writeAlertState } from "./alert/state-file.ts";
import type { Config } from "./config/types.ts";
import { type Decoder, createDecoder } from "./decode/index.ts";
import { loadTemplates, saveTemplates } from "./decode/persist.ts";
import { ianaLookup } from "./expressions.ts";
import { type FlowBatch, createBatch } from "./flow/batch.ts";
import { type FlowDump, openFlowDump } from "./flow/dump.ts";
import { startHttpServer } from "./http/server.ts";
import type { Logger } from "./log.ts";
import { type Monitor, createMonitor, requiredExtras } from "./monitor/mo.ts";
import { compilePredicates, extrasFor } from "./predicates.ts";
import { type Datagram, type Receiver, startReceiver } from "./receive/udp.ts";
import { openSink } from "./store/open.ts";
import type { WindowExport } from "./store/sink.ts";
import { type SpooledSink, createSpooledSink } from "./store/spool.ts";
import { createStatus, type Status } from "./status.ts";

/** Per exporter address, for /metrics and the dashboard. */
export interface ExporterStats {
  id: number;
  addr: string;
  port: number;
  datagrams: number;
  bytes: number;
  flows: number;
  /** Datagrams by NetFlow version: index 5, 9 or 10. */
  versions: Float64Array;
  firstSeenMs: number;
  lastSeenMs: number;
}

export interface Collector {
  readonly config: Config;
  readonly receiver: Receiver;
  readonly decoder: Decoder;
  readonly monitor: Monitor;
  readonly sink: SpooledSink;
  readonly status: Status;
  readonly exporters: ReadonlyMap<string, ExporterStats>;
  readonly alerts: AlertEngine;
  readonly runner: ScriptRunner;
  /** The latest export of each window, by "mo/window". */
  readonly latest: ReadonlyMap<string, WindowExport>;
  /** Closes the open windows early, exports them, drains the spool (bounded), and stops. */
  stop(): Promise<void>;
}

const EXPORT_EVERY_MS = 1000;
const ALERT_TICK_MS = 250;
const PERSIST_EVERY_MS = 1000;
const RETENTION_EVERY_MS = 3600_000;
const DRAIN_ON_STOP_MS = 10_000;

export async function startCollector(config: Config, log: Logger): Promise<Collector> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const extras = extrasFor(config, requiredExtras(config, ianaLookup));
  const forced = new Map(config.exporters.filter((e) => e.samplingRate !== null).map((e) => [e.address.text, e.samplingRate as number]));
  const decoder = createDecoder({
    templatesPerExporter: config.collector.templatesPerExporter,
    templatesTotal: config.collector.templatesTotal,
    pendingBytesPerExporter: config.collector.pendingBytesPerExporter,
    pendingMs: config.collector.pendingSeconds * 1000,
    extras,
    forcedSampling: (addr) => forced.get(addr) ?? null,
  });
  restoreTemplates(decoder, config.dataDir, log);

  const monitor = createMonitor(config, compilePredicates(config, extras), { extras, lookup: ianaLookup });
  const sink = createSpooledSink(openSink(config.storage), join(config.dataDir, "spool"), {
    maxBytes: config.storage.spoolMax,
    onEvent: (kind, d) => {
      if (kind === "written" || kind === "spooled") return;
      log.log(kind === "write_error" ? "warn" : "error", `store: ${kind} ${Object.entries(d).map(([k, v]) => `${k}=${v}`).join(" ")}`, `store:${kind}`);
    },
  });
  const latest = new Map<string, WindowExport>();
  const runner = createScriptRunner({
    timeoutMs: config.alerts.scriptTimeout * 1000,
    concurrency: config.alerts.scriptConcurrency,
    log: (level, m) => log.log(level, m),
  });
  const alerts = createAlertEngine(
    { mavgs: monitor.mavgs, window: (p) => monitor.window(p), latestRows: (p) => latest.get(p)?.rows ?? null },
    runner,
    (level, m) => log.log(level, m),
  );
  const saveAlerts = () => {
    try {
      writeAlertState(config.dataDir, alerts.active());
    } catch (e) {
      log.error(`alerts: ${(e as Error).message}`, "alerts-file");
    }
  };
  alerts.onChange(saveAlerts);
  saveAlerts();
  const dump: FlowDump | null = config.debug.dumpFlows ? openFlowDump(config.debug.dumpFlows) : null;

  const batch: FlowBatch = createBatch(extras);
  const exporters = new Map<string, ExporterStats>();
  const process = (b: FlowBatch) => {
    monitor.process(b);
    b.length = 0;
  };
  const onDatagram = (d: Datagram) => {
    let e = exporters.get(d.addr);
    if (e === undefined) {
      e = { id: exporters.size, addr: d.addr, port: d.port, datagrams: 0, bytes: 0, flows: 0, versions: new Float64Array(11), firstSeenMs: d.arrivalMs, lastSeenMs: 0 };
      exporters.set(d.addr, e);
      log.info(`new exporter ${d.addr}:${d.port}`);
    }
    e.datagrams++;
    e.bytes += d.payload.length;
    e.lastSeenMs = d.arrivalMs;
    const version = d.payload.length >= 2 ? ((d.payload[0] as number) << 8) | (d.payload[1] as number) : 0;
    if (version === 5 || version === 9 || version === 10) e.versions[version]!++;
    const before = decoder.stats.records;
    decoder.decodeToBatch(d.payload, e, d.arrivalMs, batch, process);
    if (batch.length > 0) process(batch);
    e.flows += decoder.stats.records - before;
    if (dump) decoder.decodeToRecords(d.payload, e, d.arrivalMs, dump.write);
  };

  const receiver = await startReceiver({
    listen: config.collector.listen,
    recvBuffer: config.collector.recvBuffer,
    allow: config.collector.allow,
    onDatagram,
    warn: (m) => log.warn(m),
  });

  const status = createStatus({ receiver, decoder, sink, monitor, exporters, alerts, runner });
  const write = (exports: WindowExport[]) => {
    for (const e of exports) {
      latest.set(`${e.mo}/${e.window}`, e);
      void sink.write(e);
    }
  };
  const persist = () => {
    if (!decoder.templates.dirty) return;
    try {
      saveTemplates(config.dataDir, decoder.templates.snapshot());
    } catch (e) {
      log.error((e as Error).message, "templates");
    }
  };
  const tables = config.mos.flatMap((m) => m.windows.map((w) => `${m.name}_${w.name}`));
  const prune = () => {
    const before = Math.floor(Date.now() / 1000) - config.storage.retention;
    sink.prune(tables, before).catch((e) => log.warn(`retention: ${(e as Error).message}`, "retention"));
  };
  const timers = [
    setInterval(() => write(monitor.collect(Date.now())), EXPORT_EVERY_MS),
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
    ? startHttpServer({ config, receiver, decoder, monitor, sink, exporters, alerts, runner, latest }, { listen: config.http.listen, token: config.http.token, configFile: config.file, log })
    : null;

  let stopping: Promise<void> | null = null;
  return {
    config,
    receiver,
    decoder,
    monitor,
    sink,
    status,
    latest,
    exporters,
    alerts,
    runner,
    stop() {
      stopping ??= (async () => {
        for (const t of timers) clearInterval(t);
        await http?.stop();
        await receiver.close();
        write(monitor.flush());
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
