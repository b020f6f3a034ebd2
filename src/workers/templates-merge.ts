// One template file for every worker count. Each worker restores the whole saved file at start
// (after a restart with a different N the kernel may route an exporter to any worker) and
// snapshots its whole store. Exporters emulated on one address with several source ports and
// domains (or an exporter's several line cards) spread over several workers, so the merge goes
// per template (address, version, domain, id) and per domain's options state: a worker whose
// entry differs from the file loaded at start has learned it from the wire and wins; when
// several did, the one that heard from that address last wins.
import type { ExporterStats } from "../collector/ingest.ts";

interface ExporterEntry {
  addr: string;
  templates: unknown[][];
  domains: unknown[][];
}

interface SnapshotLike {
  format: string;
  exporters: ExporterEntry[];
}

function isSnapshot(s: unknown): s is SnapshotLike {
  if (typeof s !== "object" || s === null) return false;
  const x = s as SnapshotLike;
  return typeof x.format === "string" && Array.isArray(x.exporters) && x.exporters.every((e) => typeof e?.addr === "string" && Array.isArray(e.templates) && Array.isArray(e.domains));
}

// Template rows start [version, domain, id, ...], domain rows [version, domain, ...].
const templateKey = (addr: string, row: unknown[]) => `${addr}\u0000t\u0000${row[0]}/${row[1]}/${row[2]}`;
const domainKey = (addr: string, row: unknown[]) => `${addr}\u0000d\u0000${row[0]}/${row[1]}`;

/**
 * `base` is the snapshot the workers restored at start (null: none); `snapshots[w]` worker w's
 * latest (null: none yet); `exporters[w]` its exporter statistics. Null when there is nothing.
 */
export function mergeTemplateSnapshots(base: unknown, snapshots: readonly unknown[], exporters: readonly (readonly ExporterStats[])[]): unknown {
  const sources = [base, ...snapshots];
  const format = sources.find(isSnapshot)?.format;
  if (format === undefined) return null;
  const baseText = new Map<string, string>();
  if (isSnapshot(base)) {
    for (const e of base.exporters) {
      for (const r of e.templates) baseText.set(templateKey(e.addr, r), JSON.stringify(r));
      for (const r of e.domains) baseText.set(domainKey(e.addr, r), JSON.stringify(r));
    }
  }
  // key -> the chosen row, whether it was learned, and when its worker last heard the address
  const chosen = new Map<string, { addr: string; kind: "t" | "d"; row: unknown[]; learned: boolean; seen: number }>();
  const offer = (key: string, addr: string, kind: "t" | "d", row: unknown[], seen: number) => {
    const learned = baseText.get(key) !== JSON.stringify(row);
    const had = chosen.get(key);
    if (had === undefined || (learned && !had.learned) || (learned === had.learned && seen > had.seen)) chosen.set(key, { addr, kind, row, learned, seen });
  };
  if (isSnapshot(base)) {
    for (const e of base.exporters) {
      for (const r of e.templates) offer(templateKey(e.addr, r), e.addr, "t", r, -Infinity);
      for (const r of e.domains) offer(domainKey(e.addr, r), e.addr, "d", r, -Infinity);
    }
  }
  snapshots.forEach((s, w) => {
    if (!isSnapshot(s)) return;
    const last = new Map((exporters[w] ?? []).map((e) => [e.addr, e.lastSeenMs]));
    for (const e of s.exporters) {
      const seen = last.get(e.addr) ?? -Infinity;
      for (const r of e.templates) offer(templateKey(e.addr, r), e.addr, "t", r, seen);
      for (const r of e.domains) offer(domainKey(e.addr, r), e.addr, "d", r, seen);
    }
  });
  const byAddr = new Map<string, ExporterEntry>();
  for (const c of chosen.values()) {
    let e = byAddr.get(c.addr);
    if (e === undefined) {
      e = { addr: c.addr, templates: [], domains: [] };
      byAddr.set(c.addr, e);
    }
    (c.kind === "t" ? e.templates : e.domains).push(c.row);
  }
  return { format, exporters: [...byAddr.values()] };
}
