// Interface names by SNMP v2c: ifName, ifAlias and ifHighSpeed (IF-MIB ifXTable, RFC 2863
// section 6) of every exporter with an `snmp_community_file`, polled every `snmp_every`. All of
// it is asynchronous UDP on the event loop (net-snmp), so an agent that never answers costs a
// timeout and a log line, never a pause in receive. What was learnt is kept in
// `<data_dir>/snmp-interfaces.json`, written after every successful poll and read at start, so
// names survive a restart with the agent down.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as snmp from "net-snmp";
import type { ExporterDef } from "../config/types.ts";
import type { Logger } from "../log.ts";

/** IF-MIB ifXTable and its columns (RFC 2863 section 6). */
const IF_X_TABLE = "1.3.6.1.2.1.31.1.1";
const IF_NAME = 1;
const IF_HIGH_SPEED = 15; // Mb/s
const IF_ALIAS = 18;

export interface InterfaceInfo {
  name: string;
  description: string;
  speed: number; // bits per second; 0 unknown
}

export interface SnmpCounters {
  polls: number;
  failures: number;
}

export interface SnmpPoller {
  /** What the exporter's agent said last (or the disk cache held at start); empty when nothing. */
  interfaces(exporter: string): ReadonlyMap<number, InterfaceInfo>;
  /** Polls every exporter now; resolves when all have answered or timed out. */
  pollAll(): Promise<void>;
  readonly counters: SnmpCounters;
  close(): void;
}

export interface SnmpOptions {
  dataDir: string;
  log: Logger;
  /** The agents' UDP port (161; tests use their own). */
  port?: number;
  timeoutMs?: number;
  /** Also called after each poll that changed an exporter's table (for xenoflow_names). */
  onChange?: (exporter: string) => void;
}

const CACHE_FORMAT = "xenoflow-snmp-interfaces-1";
export const snmpCacheFile = (dataDir: string): string => join(dataDir, "snmp-interfaces.json");

type Table = Map<number, InterfaceInfo>;

function readCache(file: string, log: Logger): Map<string, Table> {
  const out = new Map<string, Table>();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as { code?: string }).code !== "ENOENT") log.warn(`snmp: ignoring ${file}: ${(err as Error).message}`);
    return out;
  }
  const doc = raw as { format?: unknown; exporters?: Record<string, [number, string, string, number][]> };
  if (doc.format !== CACHE_FORMAT || typeof doc.exporters !== "object" || doc.exporters === null) {
    log.warn(`snmp: ignoring ${file}: not a ${CACHE_FORMAT} file`);
    return out;
  }
  for (const [exporter, rows] of Object.entries(doc.exporters)) {
    if (!Array.isArray(rows)) continue;
    const t: Table = new Map();
    for (const r of rows) {
      if (Array.isArray(r) && typeof r[0] === "number" && typeof r[1] === "string" && typeof r[2] === "string" && typeof r[3] === "number") {
        t.set(r[0], { name: r[1], description: r[2], speed: r[3] });
      }
    }
    out.set(exporter, t);
  }
  return out;
}

const text = (v: unknown): string => (Buffer.isBuffer(v) ? v.toString("utf8") : typeof v === "string" ? v : "");

/** The ifXTable as net-snmp returns it (index -> column -> value) as interface infos. */
export function tableInfos(table: Record<string, Record<string, unknown>>): Table {
  const out: Table = new Map();
  for (const [index, cols] of Object.entries(table)) {
    const speed = cols[IF_HIGH_SPEED];
    out.set(Number(index), {
      name: text(cols[IF_NAME]),
      description: text(cols[IF_ALIAS]),
      speed: typeof speed === "number" ? speed * 1e6 : 0,
    });
  }
  return out;
}

function same(a: Table | undefined, b: Table): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, v] of b) {
    const w = a.get(k);
    if (!w || w.name !== v.name || w.description !== v.description || w.speed !== v.speed) return false;
  }
  return true;
}

export function createSnmpPoller(exporters: readonly ExporterDef[], opts: SnmpOptions): SnmpPoller | null {
  const targets = exporters.filter((e) => e.snmpCommunity !== null);
  if (targets.length === 0) return null;
  const file = snmpCacheFile(opts.dataDir);
  const tables = readCache(file, opts.log);
  const counters: SnmpCounters = { polls: 0, failures: 0 };
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  let closed = false;

  const save = (): void => {
    const doc = { format: CACHE_FORMAT, exporters: Object.fromEntries([...tables].map(([e, t]) => [e, [...t].map(([k, v]) => [k, v.name, v.description, v.speed])])) };
    try {
      mkdirSync(opts.dataDir, { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(doc));
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      opts.log.warn(`snmp: cannot write ${file}: ${(err as Error).message}`, "snmp-cache");
    }
  };

  function poll(e: ExporterDef): Promise<void> {
    const address = e.address.text;
    return new Promise((done) => {
      counters.polls++;
      const session = snmp.createSession(address, e.snmpCommunity ?? "", {
        port: opts.port ?? 161,
        version: snmp.Version2c,
        timeout: opts.timeoutMs ?? 5000,
        retries: 1,
        transport: e.address.family === 6 ? "udp6" : "udp4",
      });
      session.on("error", () => {});
      session.tableColumns(IF_X_TABLE, [IF_NAME, IF_HIGH_SPEED, IF_ALIAS], 20, (err, table) => {
        session.close();
        if (err) {
          counters.failures++;
          const kept = tables.get(address)?.size ?? 0;
          opts.log.warn(`snmp: ${e.name} (${address}): ${err.message}${kept ? `; keeping ${kept} known interfaces` : ""}`, `snmp:${address}`);
        } else {
          const t = tableInfos(table);
          if (!same(tables.get(address), t)) {
            tables.set(address, t);
            save();
            opts.onChange?.(address);
          }
        }
        done();
      });
    });
  }

  const schedule = (e: ExporterDef, ms: number): void => {
    const t = setTimeout(() => {
      if (closed) return;
      void poll(e).then(() => {
        if (!closed) schedule(e, e.snmpEvery * 1000);
      });
    }, ms);
    t.unref?.();
    timers.set(e.address.text, t);
  };
  // Spread the first polls over a second so that many exporters do not all ask at once.
  targets.forEach((e, k) => schedule(e, 1000 + Math.floor((1000 * k) / targets.length)));

  return {
    interfaces: (exporter) => tables.get(exporter) ?? new Map(),
    pollAll: () => Promise.all(targets.map(poll)).then(() => {}),
    counters,
    close() {
      closed = true;
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}

/** Static `[[exporter.interface]]` values win over SNMP's, field by field. */
export function mergedInterfaces(e: ExporterDef, polled: ReadonlyMap<number, InterfaceInfo>): Map<number, InterfaceInfo & { role: string }> {
  const out = new Map<number, InterfaceInfo & { role: string }>();
  for (const [k, v] of polled) out.set(k, { ...v, role: "" });
  for (const s of e.interfaces) {
    const p = polled.get(s.index);
    out.set(s.index, {
      name: s.name || (p?.name ?? ""),
      description: s.description || (p?.description ?? ""),
      speed: s.speed || (p?.speed ?? 0),
      role: s.role,
    });
  }
  return out;
}
