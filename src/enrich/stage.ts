// The enrichment stage, between decode and monitor: fills the batch's enrichment columns
// (countries, networks and their roles, interface roles), fills `src as`/`dst as` per
// `as_source`, and with `skip_unmarked` compacts out flows that cross no interface with a role.
// Works in place on batch[0..length); allocates nothing per flow once the address cache is warm.
import type { FlowBatch } from "../flow/batch.ts";
import { moveRecord } from "../flow/compact.ts";
import type { Logger } from "../log.ts";
import { type EnrichSettings, type Enricher, createEnricher } from "./enricher.ts";

export interface EnrichCounters {
  records: number;
  /** Dropped by skip_unmarked. */
  unmarked: number;
  cacheHits: number;
  cacheMisses: number;
  lookupErrors: number;
}

export interface EnrichStage {
  readonly name: "enrich";
  readonly enricher: Enricher;
  process(batch: FlowBatch): void;
  counters(): EnrichCounters;
  close(): void;
}

function sameExporter(b: FlowBatch, i: number): boolean {
  const a = b.exporterAddr;
  const o = i << 2;
  return b.exporterFamily[i] === b.exporterFamily[i - 1] && a[o] === a[o - 4] && a[o + 1] === a[o - 3] && a[o + 2] === a[o - 2] && a[o + 3] === a[o - 1];
}

/** The stage for `config`, or null when it configures no enrichment (then nothing is added). */
export function createEnrichStage(config: EnrichSettings, log: Logger): EnrichStage | null {
  const enricher = createEnricher(config, log);
  return enricher === null ? null : enrichStage(enricher);
}

export function enrichStage(enricher: Enricher): EnrichStage {
  const { geo, networks, interfaces } = enricher;
  const asFromDb = enricher.asSource !== "exporter";
  const asAlways = enricher.asSource === "database";
  let records = 0;
  let unmarked = 0;

  function process(b: FlowBatch): void {
    const n = b.length;
    records += n;
    if (geo !== null) {
      const { country, asn } = geo;
      geo.refresh();
      for (let i = 0; i < n; i++) {
        const f = b.family[i]!;
        const o = i << 2;
        const s = geo.lookup(f, b.srcAddr, o);
        const d = geo.lookup(f, b.dstAddr, o);
        b.srcCountry[i] = s < 0 ? 0 : country[s]!;
        b.dstCountry[i] = d < 0 ? 0 : country[d]!;
        if (asFromDb) {
          if (s >= 0 && (asAlways || b.srcAs[i] === 0)) b.srcAs[i] = asn[s]!;
          if (d >= 0 && (asAlways || b.dstAs[i] === 0)) b.dstAs[i] = asn[d]!;
        }
      }
    }
    if (networks !== null) {
      const { table, network, role } = networks;
      for (let i = 0; i < n; i++) {
        const f = b.family[i]!;
        const o = i << 2;
        const s = table.match(f, b.srcAddr, o);
        const d = table.match(f, b.dstAddr, o);
        b.srcNetwork[i] = s < 0 ? 0 : network[s]!;
        b.srcRole[i] = s < 0 ? 0 : role[s]!;
        b.dstNetwork[i] = d < 0 ? 0 : network[d]!;
        b.dstRole[i] = d < 0 ? 0 : role[d]!;
      }
    }
    if (interfaces !== null) {
      let w = 0;
      let h = -1;
      let skip = false;
      let dense: Uint16Array | null = null;
      for (let i = 0; i < n; i++) {
        const o = i << 2;
        // Records of one datagram share their exporter: ask only when it changes.
        if (i === 0 || !sameExporter(b, i)) {
          h = interfaces.exporter(b.exporterFamily[i]!, b.exporterAddr, o);
          skip = h >= 0 && interfaces.skipUnmarked(h);
          dense = h >= 0 ? interfaces.dense(h) : null;
        }
        let inRole = 0;
        let outRole = 0;
        if (dense !== null) {
          inRole = dense[b.inIf[i]!] ?? 0;
          outRole = dense[b.outIf[i]!] ?? 0;
        } else if (h >= 0) {
          inRole = interfaces.role(h, b.inIf[i]!);
          outRole = interfaces.role(h, b.outIf[i]!);
        }
        if (skip && inRole === 0 && outRole === 0) {
          unmarked++;
          continue;
        }
        if (w !== i) moveRecord(b, i, w);
        b.inRole[w] = inRole;
        b.outRole[w] = outRole;
        w++;
      }
      b.length = w;
    }
  }

  return {
    name: "enrich",
    enricher,
    process,
    counters: () => ({
      records,
      unmarked,
      cacheHits: geo?.counters.hits ?? 0,
      cacheMisses: geo?.counters.misses ?? 0,
      lookupErrors: geo?.counters.errors ?? 0,
    }),
    close: () => enricher.close(),
  };
}
