// The template store as plain JSON data, so templates and options state survive a restart, and as
// a typed list per exporter for the dashboard. snapshot() only reads: whoever saves it clears
// `dirty`. restore() accepts only well-formed entries and ignores the rest: a damaged file costs
// the templates it damaged, never the collector.
import { makeTemplate, type TemplateField } from "./template.ts";
import type { TemplateStore } from "./templates.ts";

export const SNAPSHOT_FORMAT = "xenoflow-templates/1";

/** [version, domain, template id, options 0|1, scope count, flat [id, pen, len, ...]] */
type TemplateRow = [number, number, number, number, number, number[]];
/** [version, domain, default rate, sysInitMs or null, [[sampler id, rate], ...]] */
type DomainRow = [number, number, number, number | null, [number, number][]];

export interface Snapshot {
  format: typeof SNAPSHOT_FORMAT;
  exporters: { addr: string; templates: TemplateRow[]; domains: DomainRow[] }[];
}

/** What the dashboard shows of an exporter's decoding state. */
export interface ExporterTemplates {
  readonly addr: string;
  /** Templates known, over its versions and observation domains. */
  readonly templates: number;
  /** Sampling rates learned from its options records, ascending, each once. */
  readonly samplingRates: readonly number[];
}

// v5 domain state (keys from 0x200000000) keeps nothing worth saving or showing: its rate is in
// every header. Below that, IPFIX domains from 0x100000000, v9 ones under it.
const V5_DOMAINS = 0x200000000;
const IPFIX_DOMAINS = 0x100000000;

export function snapshot(store: TemplateStore): Snapshot {
  const exporters: Snapshot["exporters"] = [];
  for (const e of store.exporters()) {
    const templates: TemplateRow[] = [...e.templates.values()]
      .sort((a, b) => a.lastUsed - b.lastUsed)
      .map((t) => [t.version, t.domain, t.id, t.options ? 1 : 0, t.scopeCount, t.fields.flatMap((f) => [f.id, f.pen, f.len])]);
    const domains: DomainRow[] = [];
    for (const [key, d] of e.domains) {
      if (key >= V5_DOMAINS || (d.defaultRate === 0 && d.samplers.size === 0 && d.sysInitMs !== d.sysInitMs)) continue;
      const version = key >= IPFIX_DOMAINS ? 10 : 9;
      domains.push([version, key % IPFIX_DOMAINS, d.defaultRate, d.sysInitMs === d.sysInitMs ? d.sysInitMs : null, [...d.samplers]]);
    }
    if (templates.length > 0 || domains.length > 0) exporters.push({ addr: e.addr, templates, domains });
  }
  return { format: SNAPSHOT_FORMAT, exporters };
}

const listed = (addr: string, templates: number, rates: Set<number>): ExporterTemplates => ({
  addr, templates, samplingRates: [...rates].filter((r) => r > 0).sort((a, b) => a - b),
});

/** Per exporter with templates or learned rates: read from the store, nothing copied but the list. */
export function list(store: TemplateStore): ExporterTemplates[] {
  const out: ExporterTemplates[] = [];
  for (const e of store.exporters()) {
    const rates = new Set<number>();
    for (const [key, d] of e.domains) {
      if (key >= V5_DOMAINS) continue;
      rates.add(d.defaultRate);
      for (const r of d.samplers.values()) rates.add(r);
    }
    if (e.templates.size > 0 || rates.size > 0) out.push(listed(e.addr, e.templates.size, rates));
  }
  return out;
}

/**
 * The same list from a snapshot, for the worker pool, which holds its workers' snapshots (merged
 * with the file they restored) and no store. Rows are checked as restore() checks them.
 */
export function listSnapshot(s: unknown): ExporterTemplates[] {
  const out: ExporterTemplates[] = [];
  for (const e of entries(s)) {
    const rates = new Set<number>();
    for (const row of e.domains) {
      if (!Array.isArray(row) || row.length !== 5) continue;
      if (typeof row[2] === "number") rates.add(row[2]);
      if (Array.isArray(row[4])) for (const p of row[4]) if (Array.isArray(p) && typeof p[1] === "number") rates.add(p[1]);
    }
    out.push(listed(e.addr, e.templates.length, rates));
  }
  return out;
}

/** The exporter entries of a snapshot of this format that have their shape; rows are checked where read. */
function entries(s: unknown): Snapshot["exporters"] {
  const snap = s as Partial<Snapshot> | null;
  if (!snap || snap.format !== SNAPSHOT_FORMAT || !Array.isArray(snap.exporters)) return [];
  return snap.exporters.filter((e) => e && typeof e.addr === "string" && Array.isArray(e.templates) && Array.isArray(e.domains));
}

const isUint = (v: unknown, max: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max;

/** Loads a snapshot into the store; returns how many templates were restored. */
export function restore(store: TemplateStore, s: unknown): number {
  let n = 0;
  for (const e of entries(s)) {
    for (const row of e.templates) {
      if (!Array.isArray(row) || row.length !== 6) continue;
      const [version, domain, id, options, scopeCount, flat] = row;
      if (!(version === 9 || version === 10) || !isUint(domain, 0xffffffff) || !isUint(id, 0xffff)) continue;
      if (!Array.isArray(flat) || flat.length % 3 !== 0 || flat.length === 0) continue;
      const fields: TemplateField[] = [];
      for (let k = 0; k < flat.length; k += 3) {
        const [fid, pen, len] = [flat[k], flat[k + 1], flat[k + 2]];
        if (!isUint(fid, 0x1ffff) || !isUint(pen, 0xffffffff) || !isUint(len, 0xffff)) break;
        fields.push({ id: fid, pen, len });
      }
      if (fields.length * 3 !== flat.length || fields.every((f) => f.len === 0)) continue;
      if (!isUint(scopeCount, fields.length)) continue;
      store.restoreTemplate(e.addr, makeTemplate(version, domain, id, fields, scopeCount, options === 1));
      n++;
    }
    const ex = store.exporter(e.addr);
    for (const row of e.domains) {
      if (!Array.isArray(row) || row.length !== 5) continue;
      const [version, domain, rate, init, samplers] = row;
      if (!(version === 9 || version === 10) || !isUint(domain, 0xffffffff) || typeof rate !== "number") continue;
      // Through the options bounds, like options data: a snapshot from larger bounds is cut to these.
      const sink = store.optionsSink(ex, version, domain);
      if (rate > 0) sink.rate(null, rate);
      if (typeof init === "number") sink.init(init);
      if (Array.isArray(samplers)) {
        for (const p of samplers) if (Array.isArray(p) && typeof p[0] === "number" && typeof p[1] === "number" && p[1] > 0) sink.rate(p[0], p[1]);
      }
    }
  }
  return n;
}
