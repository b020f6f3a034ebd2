// Template, options and held-data state, per exporter address. Templates are keyed by (version,
// domain, template id) within an exporter and bounded per exporter and in total. Within an
// exporter the least recently used goes first (CLOCK: one pass from the oldest placed, giving used
// ones a second chance, so eviction never sorts or scans the whole map); across exporters the
// total bound takes from whoever holds more than its fair share (fair.ts). Every eviction is
// counted. Held data (held.ts) and options state (domains.ts) have bounds of their own.
import { addrWords } from "./addr.ts";
import type { DomainState } from "./context.ts";
import { type DomainOwner, type OptionsSink, createDomainStore } from "./domains.ts";
import { createFairShare } from "./fair.ts";
import type { Faults } from "./faults.ts";
import { type Held, type HeldOwner, createHeldQueue } from "./held.ts";
import { type Template, type TemplateField, makeTemplate, sameFields, templateKey } from "./template.ts";

export type { Held } from "./held.ts";

export interface ExporterState extends HeldOwner, DomainOwner {
  readonly addr: string;
  readonly family: number;
  readonly words: readonly [number, number, number, number];
  /** Eviction order: oldest placed first. */
  readonly templates: Map<number, Template>;
}

export interface TemplateStoreOptions {
  templatesPerExporter: number;
  templatesTotal: number;
  pendingBytesPerExporter: number;
  pendingBytesTotal: number;
  pendingMs: number;
  optionsPerExporter: number;
  optionsTotal: number;
}

// Exporters with nothing stored are forgotten; a search for one looks at this many at most.
const FORGET_SCAN = 16;

export function createTemplateStore(opts: TemplateStoreOptions, faults: Faults) {
  const exporters = new Map<string, ExporterState>();
  const held = createHeldQueue(opts, faults);
  const doms = createDomainStore(opts, faults);
  const fair = createFairShare<ExporterState>((e) => e.templates.size);
  let total = 0;
  let clock = 0; // a use counter, not time: LRU order only

  // Datagrams come in runs from one exporter: a repeat skips the map lookup.
  let lastAddr = "";
  let last: ExporterState | null = null;
  // Exporters without templates, options or held data (v5, junk) are forgotten beyond this many.
  const maxExporters = Math.max(1024, opts.templatesTotal);

  function exporter(addr: string): ExporterState {
    if (addr === lastAddr && last) return last;
    let e = exporters.get(addr);
    if (!e) {
      if (exporters.size >= maxExporters) forgetIdleExporter();
      const w = addrWords(addr);
      e = {
        addr, family: w.family, words: w.words, templates: new Map(), domains: new Map(), optionEntries: 0,
        heldHead: null, heldTail: null, heldBytes: 0, heldCount: 0, heldByKey: new Map(),
      };
      exporters.set(addr, e);
    } else {
      fair.touch(e);
      doms.touch(e);
    }
    lastAddr = addr;
    last = e;
    return e;
  }

  // Exporters holding state are moved behind the others as they are passed over, so a flood of
  // new sources costs O(1) each even when the oldest known exporters all hold templates.
  function forgetIdleExporter(): void {
    for (let n = Math.min(FORGET_SCAN, exporters.size); n > 0; n--) {
      const [addr, e] = exporters.entries().next().value as [string, ExporterState];
      exporters.delete(addr);
      if (e.templates.size > 0 || e.heldCount > 0 || e.optionEntries > 0) exporters.set(addr, e);
      else {
        if (last === e) { last = null; lastAddr = ""; }
        return;
      }
    }
  }

  function get(e: ExporterState, version: number, domain: number, id: number): Template | undefined {
    const t = e.templates.get(templateKey(version, domain, id));
    if (t) t.lastUsed = ++clock;
    return t;
  }

  function evictFrom(e: ExporterState): void {
    for (let n = e.templates.size; n >= 0; n--) {
      const [key, t] = e.templates.entries().next().value as [number, Template];
      e.templates.delete(key);
      if (t.lastUsed > t.placed && n > 0) {
        t.placed = ++clock; // used since it was placed: a second chance, at the back
        e.templates.set(key, t);
        continue;
      }
      total--;
      faults.templateEvicted++;
      fair.resized(e, e.templates.size + 1);
      return;
    }
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
    if (old) e.templates.delete(key);
    else {
      if (e.templates.size >= opts.templatesPerExporter) evictFrom(e);
      if (total >= opts.templatesTotal) {
        const v = fair.victim(total, e);
        if (v) evictFrom(v);
      }
      total++;
    }
    const before = e.templates.size;
    const t = makeTemplate(version, domain, id, fields, scopeCount, options);
    t.lastUsed = t.placed = ++clock;
    e.templates.set(key, t);
    fair.resized(e, before);
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
        fair.resized(e, e.templates.size + 1);
        store.dirty = true;
      }
    }
  }

  /** Holds a data set for later; false when it cannot be held at all. */
  function hold(e: ExporterState, h: Held): boolean {
    if (!held.fits(h.body.length)) return false;
    held.hold(e, h);
    return true;
  }

  const store = {
    dirty: false,
    exporter, get, learn, withdraw, hold,
    /** Removes and returns (linked by tNext, oldest first) the held sets `t` can decode, or null. */
    takeHeld: (e: ExporterState, t: Template): Held | null => held.take(e, templateKey(t.version, t.domain, t.id)),
    /** Drops held data older than pendingMs at `nowMs`, counted (Infinity drops all). */
    expireHeld: (nowMs: number): void => held.expire(nowMs),
    heldBytes: (): number => held.bytes,
    /** The options state data decoders read for (version, domain); shared and empty when none. */
    domainState: (e: ExporterState, version: number, domain: number): DomainState => doms.get(e, version, domain),
    /** Where options records of (version, domain) are written, within the options bounds. */
    optionsSink: (e: ExporterState, version: number, domain: number): OptionsSink => doms.sink(e, version, domain),
    count: () => total,
    exporters: () => exporters.values(),
    /** Adds a restored template without touching dirty or evicting beyond the bounds. */
    restoreTemplate(addr: string, t: Template): void {
      const e = exporter(addr);
      const key = templateKey(t.version, t.domain, t.id);
      const before = e.templates.size;
      if (!e.templates.has(key)) {
        if (before >= opts.templatesPerExporter || total >= opts.templatesTotal) return;
        total++;
      }
      e.templates.delete(key);
      t.lastUsed = t.placed = ++clock;
      e.templates.set(key, t);
      fair.resized(e, before);
    },
  };
  return store;
}

export type TemplateStore = ReturnType<typeof createTemplateStore>;
