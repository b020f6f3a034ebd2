// The enrichment stage, between decode and monitor: fills the batch's enrichment columns
// (countries, networks and their roles, interface roles), fills `src as`/`dst as` per
// `as_source`, and with `skip_unmarked` compacts out flows that cross no interface with a role.
// Works in place on batch[0..length); allocates nothing per flow once the address cache is warm.
import type { FlowBatch } from "../flow/batch.ts";
import { moveRecord } from "../flow/compact.ts";
import type { Logger } from "../log.ts";
import type { NameRow } from "../store/names.ts";
import { type EnrichSettings, type Enricher, createEnricher } from "./enricher.ts";
import { SLOT_ASN, SLOT_COUNTRY, SLOT_EXTRA } from "./geo.ts";
import { nameRows } from "./name-rows.ts";
import { type SnmpPoller, createSnmpPoller } from "./snmp.ts";

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
  /** null when only SNMP names are configured: nothing to do per flow. */
  readonly enricher: Enricher | null;
  readonly snmp: SnmpPoller | null;
  process(batch: FlowBatch): void;
  counters(): EnrichCounters;
  /** What `xenoflow_names` should hold now (src/enrich/name-rows.ts). */
  names(): NameRow[];
  close(): void;
}

function sameExporter(b: FlowBatch, i: number): boolean {
  const a = b.exporterAddr;
  const o = i << 2;
  return b.exporterFamily[i] === b.exporterFamily[i - 1] && a[o] === a[o - 4] && a[o + 1] === a[o - 3] && a[o + 2] === a[o - 2] && a[o + 3] === a[o - 1];
}

/**
 * The stage for `config`, or null when it configures no enrichment (then nothing is added to the
 * path). Starts the SNMP poller of exporters with an `snmp_community_file`.
 */
export function createEnrichStage(config: EnrichSettings & { dataDir: string }, log: Logger): EnrichStage | null {
  const enricher = createEnricher(config, log);
  const snmp = createSnmpPoller(config.exporters, { dataDir: config.dataDir, log });
  if (enricher === null && snmp === null) return null;
  return enrichStage(config, enricher, snmp);
}

export function enrichStage(config: EnrichSettings, enricher: Enricher | null, snmp: SnmpPoller | null): EnrichStage {
  const geo = enricher?.geo ?? null;
  const networks = enricher?.networks ?? null;
  const interfaces = enricher?.interfaces ?? null;
  const asFromDb = config.enrich.asSource !== "exporter";
  const asAlways = config.enrich.asSource === "database";
  let records = 0;
  let unmarked = 0;

  function process(b: FlowBatch): void {
    const n = b.length;
    records += n;
    if (geo !== null) {
      const t = geo.table;
      geo.refresh();
      for (let i = 0; i < n; i++) {
        const f = b.family[i]!;
        const o = i << 2;
        const s = geo.lookup(f, b.srcAddr, o);
        const d = geo.lookup(f, b.dstAddr, o);
        if (s < 0) {
          b.srcCountry[i] = 0;
          b.dstCountry[i] = 0;
          b.srcNetwork[i] = 0;
          b.srcRole[i] = 0;
          b.dstNetwork[i] = 0;
          b.dstRole[i] = 0;
          continue;
        }
        b.srcCountry[i] = t[s + SLOT_COUNTRY]!;
        b.dstCountry[i] = t[d + SLOT_COUNTRY]!;
        if (asFromDb) {
          if (asAlways || b.srcAs[i] === 0) b.srcAs[i] = t[s + SLOT_ASN]!;
          if (asAlways || b.dstAs[i] === 0) b.dstAs[i] = t[d + SLOT_ASN]!;
        }
        if (networks !== null) {
          const sp = t[s + SLOT_EXTRA]! | 0;
          const dp = t[d + SLOT_EXTRA]! | 0;
          b.srcNetwork[i] = sp < 0 ? 0 : networks.network[sp]!;
          b.srcRole[i] = sp < 0 ? 0 : networks.role[sp]!;
          b.dstNetwork[i] = dp < 0 ? 0 : networks.network[dp]!;
          b.dstRole[i] = dp < 0 ? 0 : networks.role[dp]!;
        }
      }
    } else if (networks !== null) {
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
    snmp,
    process,
    names: () => nameRows(config, enricher, snmp),
    counters: () => ({
      records,
      unmarked,
      cacheHits: geo?.counters.hits ?? 0,
      cacheMisses: geo?.counters.misses ?? 0,
      lookupErrors: geo?.counters.errors ?? 0,
    }),
    close: () => {
      enricher?.close();
      snmp?.close();
    },
  };
}
