// Options state per exporter: a DomainState per (version, observation domain) that options data
// gave a rate or an init time, holding a rate per sampler id. Both the domain ids and the sampler
// ids come from the packet, so the entries (a domain counts one, each sampler one more) are
// bounded per exporter and in total. Least recently announced goes first, counted in
// optionsEvicted; across exporters the victim is chosen by fair share (fair.ts).
import { type DomainState, createDomainState } from "./context.ts";
import { createFairShare } from "./fair.ts";
import type { Faults } from "./faults.ts";
import { domainKey } from "./template.ts";

/** The options part of an exporter's state. */
export interface DomainOwner {
  /** Least recently announced first: an options record moves its domain, and sampler, to the end. */
  readonly domains: Map<number, DomainState>;
  optionEntries: number;
}

export interface DomainBounds {
  optionsPerExporter: number;
  optionsTotal: number;
}

/** Where options records write (options.ts); each returns true when the value changed. */
export interface OptionsSink {
  rate(sampler: number | null, rate: number): boolean;
  init(ms: number): boolean;
}

// What a domain without options state reads: shared and never written, so that a datagram naming
// a new observation domain allocates nothing (spoofed domain ids cost no memory).
const NO_STATE: DomainState = createDomainState();

export function createDomainStore(bounds: DomainBounds, faults: Faults) {
  const fair = createFairShare<DomainOwner>((o) => o.optionEntries);
  let total = 0;

  function add(o: DomainOwner, delta: number): void {
    const before = o.optionEntries;
    o.optionEntries += delta;
    total += delta;
    fair.resized(o, before);
  }

  /** Drops the owner's least recently announced entry other than `keep` itself; false if none. */
  function evictOne(o: DomainOwner, keep: DomainState | null): boolean {
    for (const [key, d] of o.domains) {
      if (d.samplers.size > 0) {
        d.samplers.delete(d.samplers.keys().next().value as number);
      } else if (d !== keep) {
        o.domains.delete(key);
      } else continue;
      add(o, -1);
      faults.optionsEvicted++;
      return true;
    }
    return false;
  }

  /** Makes room for one more entry of `o`; false when the bounds leave none (the new one is dropped). */
  function reserve(o: DomainOwner, keep: DomainState | null): boolean {
    while (o.optionEntries + 1 > bounds.optionsPerExporter) if (!evictOne(o, keep)) return false;
    while (total + 1 > bounds.optionsTotal) {
      const v = fair.victim(total, o);
      if (!v || !evictOne(v, keep)) return false;
    }
    return true;
  }

  /** The domain's state, created (within the bounds) and marked most recently announced. */
  function own(o: DomainOwner, key: number): DomainState | null {
    let d = o.domains.get(key);
    if (d) {
      o.domains.delete(key);
      o.domains.set(key, d);
      return d;
    }
    if (!reserve(o, null)) {
      faults.optionsEvicted++;
      return null;
    }
    d = createDomainState();
    o.domains.set(key, d);
    add(o, 1);
    return d;
  }

  let cur: DomainOwner | null = null;
  let curKey = 0;
  const sink: OptionsSink = {
    rate(sampler, rate) {
      const d = own(cur!, curKey);
      if (!d) return false;
      if (sampler === null) {
        const changed = d.defaultRate !== rate;
        d.defaultRate = rate;
        return changed;
      }
      const old = d.samplers.get(sampler);
      if (old !== undefined) {
        d.samplers.delete(sampler);
        d.samplers.set(sampler, rate);
        return old !== rate;
      }
      if (!reserve(cur!, d)) {
        faults.optionsEvicted++;
        return false;
      }
      d.samplers.set(sampler, rate);
      add(cur!, 1);
      return true;
    },
    init(ms) {
      const d = own(cur!, curKey);
      if (!d || d.sysInitMs === ms) return false;
      d.sysInitMs = ms;
      return true;
    },
  };

  return {
    /** The state decoders read for (version, domain): the owner's, or a shared empty one. */
    get(o: DomainOwner, version: number, domain: number): DomainState {
      return o.domains.get(domainKey(version, domain)) ?? NO_STATE;
    },
    /** The writer for options records of (version, domain); valid until the next call. */
    sink(o: DomainOwner, version: number, domain: number): OptionsSink {
      cur = o;
      curKey = domainKey(version, domain);
      return sink;
    },
    /** Marks an owner active for the fair choice of a victim. */
    touch: (o: DomainOwner) => fair.touch(o),
    /** Forgets an owner's state (the exporter is being dropped). */
    drop(o: DomainOwner): void {
      add(o, -o.optionEntries);
      o.domains.clear();
    },
    get total(): number {
      return total;
    },
  };
}

export type DomainStore = ReturnType<typeof createDomainStore>;
