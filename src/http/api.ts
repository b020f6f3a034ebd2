// The dashboard's JSON API. Every answer is built at request time from the collector's counters
// and latest window exports; nothing here runs per flow.
import type { History } from "./history.ts";
import type { HealthReport } from "./health.ts";
import type { UdpSocketRow } from "./kernel-drops.ts";
import type { CollectorView } from "./sources.ts";
import { describeAlert } from "../alert/event.ts";
import { isRemainder } from "../flow/export.ts";

export interface ApiContext {
  c: CollectorView;
  history: History;
  health: HealthReport;
  sockets: readonly UdpSocketRow[];
  startMs: number;
  nowMs: number;
  version: string;
}

const sum = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0);

export function summary(x: ApiContext) {
  const { c } = x;
  const st = c.decoder.stats;
  const rates = x.history.latest();
  const mem = process.memoryUsage();
  return {
    version: x.version,
    nowMs: x.nowMs,
    startMs: x.startMs,
    uptimeSeconds: (x.nowMs - x.startMs) / 1000,
    health: x.health,
    received: c.receiver.counters,
    listen: c.receiver.bound.map((b) => (b.host.includes(":") ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`)),
    exporters: c.exporters.size,
    datagrams: st.datagrams,
    flows: st.records,
    templates: st.templates,
    heldBytes: st.heldBytes,
    faults: sum(c.decoder.faults),
    faultsByKind: Object.fromEntries(Object.entries(c.decoder.faults).filter(([, n]) => n > 0)),
    kernelDrops: x.sockets.reduce((a, s) => a + s.drops, 0),
    sockets: x.sockets.map((s) => ({ socket: s.local, drops: s.drops, rxQueue: s.rxQueue })),
    store: { kind: c.config.storage.kind, spoolMax: c.config.storage.spoolMax, ...c.sink.stats() },
    alerts: { active: c.alerts.active().length, ...c.alerts.counters },
    scripts: c.runner.stats,
    mos: c.monitor.counters.names.map((name, m) => ({
      name,
      flows: c.monitor.counters.matched[m] ?? 0,
      octets: c.monitor.counters.octets[m] ?? 0,
      flowsPerSecond: rates?.[m]?.flows ?? null,
      bitsPerSecond: rates?.[m]?.bits ?? null,
    })),
    process: { rssBytes: mem.rss, heapBytes: mem.heapUsed },
  };
}

/** One window's latest export, largest first by its first value (as latestOf keeps it), the remainder row last. */
export function topOf(c: CollectorView, path: string, limit: number) {
  const [mo = "", window = ""] = path.split("/");
  const known = c.monitor.windows.find((w) => w.mo === mo && w.def.name === window);
  if (!known) return null;
  const e = c.latest.get(path);
  if (!e) return { mo, window, path, time: null, columns: [], keys: 0, rows: [], totalRows: 0 };
  const nk = e.keys.length;
  const shown = e.rows.filter((r) => !isRemainder(r, nk)).slice(0, limit);
  const other = e.rows.find((r) => isRemainder(r, nk));
  return {
    mo,
    window,
    path,
    time: e.time,
    columns: [...e.keys.map((k) => k.name), ...e.values],
    keys: nk,
    rows: other ? [...shown, other] : shown,
    totalRows: e.totalRows,
  };
}

export function topAll(c: CollectorView, limit: number) {
  return { windows: c.monitor.windows.map((w) => topOf(c, `${w.mo}/${w.def.name}`, limit)) };
}

export function alerts(c: CollectorView, nowMs: number) {
  return {
    alerts: c.alerts.active().map((a) => ({
      ...describeAlert(a),
      startMs: a.startMs,
      seconds: (nowMs - a.startMs) / 1000,
    })),
  };
}

export function exporters(c: CollectorView, nowMs: number) {
  const state = new Map(c.decoder.templates.list().map((t) => [t.addr, t]));
  const defs = new Map(c.config.exporters.map((d) => [d.address.text, d]));
  return {
    exporters: [...c.exporters.values()].map((e) => {
      const def = defs.get(e.addr);
      const s = state.get(e.addr);
      const versions = Object.fromEntries([5, 9, 10].filter((v) => (e.versions[v] ?? 0) > 0).map((v) => [v, e.versions[v] ?? 0]));
      return {
        address: e.addr,
        port: e.port,
        name: def?.name ?? null,
        versions,
        datagrams: e.datagrams,
        flows: e.flows,
        bytes: e.bytes,
        templates: s?.templates ?? 0,
        samplingRates: s?.samplingRates ?? [],
        forcedSampling: def?.samplingRate ?? null,
        firstSeen: new Date(e.firstSeenMs).toISOString(),
        lastSeen: new Date(e.lastSeenMs).toISOString(),
        lastSeenAgoSeconds: (nowMs - e.lastSeenMs) / 1000,
      };
    }),
  };
}
