// Template, options and held-data state, per exporter address. Templates are keyed by (version,
// domain, template id) within an exporter and bounded per exporter and in total; the least
// recently used goes first and is counted. Data sets that arrive before their template are held
// (bounded in bytes per exporter, and by age against the caller's clock) and replayed on arrival.
import { addrWords } from "./addr.ts";
import { type DomainState, createDomainState } from "./context.ts";
import type { Faults } from "./faults.ts";
import { type Template, type TemplateField, domainKey, makeTemplate, sameFields, templateKey } from "./template.ts";

export interface Held {
  readonly version: number;
  readonly domain: number;
  readonly templateId: number;
  readonly body: Uint8Array; // the data set's records, copied
  readonly exportMs: number;
  readonly uptime: number;
  readonly arrivalMs: number;
}

export interface ExporterState {
  readonly addr: string;
  readonly family: number;
  readonly words: readonly [number, number, number, number];
  readonly templates: Map<number, Template>;
  readonly domains: Map<number, DomainState>;
  held: Held[];
  heldBytes: number;
}

export interface TemplateStoreOptions {
  templatesPerExporter: number;
  templatesTotal: number;
  pendingBytesPerExporter: number;
  pendingMs: number;
}

export function createTemplateStore(opts: TemplateStoreOptions, faults: Faults) {
  const exporters = new Map<string, ExporterState>();
  let total = 0;
  let clock = 0; // a use counter, not time: LRU order only

  // Datagrams come in runs from one exporter: a repeat skips the map lookup.
  let lastAddr = "";
  let last: ExporterState | null = null;
  // Exporters without templates or held data (v5, junk) are forgotten first when this many are known.
  const maxExporters = Math.max(1024, opts.templatesTotal);

  function exporter(addr: string): ExporterState {
    if (addr === lastAddr && last) return last;
    let e = exporters.get(addr);
    if (!e) {
      if (exporters.size >= maxExporters) forgetIdleExporter();
      const w = addrWords(addr);
      e = { addr, family: w.family, words: w.words, templates: new Map(), domains: new Map(), held: [], heldBytes: 0 };
      exporters.set(addr, e);
    }
    lastAddr = addr;
    last = e;
    return e;
  }

  function forgetIdleExporter(): void {
    for (const [addr, e] of exporters) {
      if (e.templates.size > 0 || e.held.length > 0) continue;
      exporters.delete(addr);
      if (last === e) last = null;
      return;
    }
  }

  function get(e: ExporterState, version: number, domain: number, id: number): Template | undefined {
    const t = e.templates.get(templateKey(version, domain, id));
    if (t) t.lastUsed = ++clock;
    return t;
  }

  function evictOldest(from: Iterable<ExporterState>): void {
    let oldest: Template | null = null;
    let owner: ExporterState | null = null;
    for (const e of from) {
      for (const t of e.templates.values()) {
        if (!oldest || t.lastUsed < oldest.lastUsed) { oldest = t; owner = e; }
      }
    }
    if (!oldest || !owner) return;
    owner.templates.delete(templateKey(oldest.version, oldest.domain, oldest.id));
    total--;
    faults.templateEvicted++;
  }

  /** Learns a template; returns it when new or changed (so held data can be replayed), else null. */
  function learn(
    e: ExporterState, version: number, domain: number, id: number,
    fields: readonly TemplateField[], scopeCount: number, options: boolean,
  ): Template | null {
    const key = templateKey(version, domain, id);
    const old = e.templates.get(key);
    if (old && sameFields(old, fields, scopeCount, options)) {
      old.lastUsed = ++clock;
      return null;
    }
    if (!old) {
      if (e.templates.size >= opts.templatesPerExporter) evictOldest([e]);
      if (total >= opts.templatesTotal) evictOldest(exporters.values());
      total++;
    }
    const t = makeTemplate(version, domain, id, fields, scopeCount, options);
    t.lastUsed = ++clock;
    e.templates.set(key, t);
    store.dirty = true;
    return t;
  }

  /** RFC 7011 section 8.1: withdraw one template, or (id null) every (options) template of a domain. */
  function withdraw(e: ExporterState, version: number, domain: number, id: number | null, options: boolean): void {
    for (const [key, t] of e.templates) {
      if (t.version !== version || t.domain !== domain) continue;
      if (id === null ? t.options === options : t.id === id) {
        e.templates.delete(key);
        total--;
        store.dirty = true;
      }
    }
  }

  function domainState(e: ExporterState, version: number, domain: number): DomainState {
    const k = domainKey(version, domain);
    let d = e.domains.get(k);
    if (!d) {
      d = createDomainState();
      e.domains.set(k, d);
    }
    return d;
  }

  function expireHeld(e: ExporterState, nowMs: number): void {
    if (e.held.length === 0) return;
    const keep = e.held.filter((h) => nowMs - h.arrivalMs <= opts.pendingMs);
    faults.heldExpired += e.held.length - keep.length;
    e.held = keep;
    e.heldBytes = keep.reduce((n, h) => n + h.body.length, 0);
  }

  /** Holds a data set for later; false when it cannot be held at all. */
  function hold(e: ExporterState, h: Held): boolean {
    if (h.body.length > opts.pendingBytesPerExporter || opts.pendingMs <= 0) return false;
    while (e.heldBytes + h.body.length > opts.pendingBytesPerExporter && e.held.length > 0) {
      const out = e.held.shift()!;
      e.heldBytes -= out.body.length;
      faults.heldEvicted++;
    }
    e.held.push(h);
    e.heldBytes += h.body.length;
    return true;
  }

  /** Removes and returns the held sets a just-learned template can decode, oldest first. */
  function takeHeld(e: ExporterState, t: Template): Held[] {
    if (e.held.length === 0) return [];
    const mine = e.held.filter((h) => h.version === t.version && h.domain === t.domain && h.templateId === t.id);
    if (mine.length === 0) return mine;
    e.held = e.held.filter((h) => !mine.includes(h));
    e.heldBytes -= mine.reduce((n, h) => n + h.body.length, 0);
    return mine;
  }

  /** Expires held data of every exporter (for callers with a timer, and at the end of a capture). */
  function expireAll(nowMs: number): void {
    for (const e of exporters.values()) expireHeld(e, nowMs);
  }

  function heldBytes(): number {
    let n = 0;
    for (const e of exporters.values()) n += e.heldBytes;
    return n;
  }

  const store = {
    dirty: false,
    exporter, get, learn, withdraw, domainState, expireHeld, expireAll, hold, takeHeld, heldBytes,
    count: () => total,
    exporters: () => exporters.values(),
    /** Adds a restored template without touching dirty or evicting beyond the bounds. */
    restoreTemplate(addr: string, t: Template): void {
      const e = exporter(addr);
      const key = templateKey(t.version, t.domain, t.id);
      if (!e.templates.has(key)) {
        if (e.templates.size >= opts.templatesPerExporter || total >= opts.templatesTotal) return;
        total++;
      }
      t.lastUsed = ++clock;
      e.templates.set(key, t);
    },
  };
  return store;
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
