// The enrichment stage, between decode and monitor: fills the batch's enrichment columns
// (countries, networks and their roles, interface roles), fills `src as`/`dst as` per
// `as_source`, and with `skip_unmarked` compacts out flows that cross no interface with a role.
// Works in place on batch[0..length); allocates nothing per flow once the address cache is warm.
import type { NetworkDef } from "../config/types.ts";
import type { FlowBatch } from "../flow/batch.ts";
import { moveRecord } from "../flow/compact.ts";
import type { Logger } from "../log.ts";
import type { NameRow } from "../store/names.ts";
import { type EnrichSettings, type Enricher, type Networks, createEnricher } from "./enricher.ts";
import type { InterfaceRoles } from "./interfaces.ts";
import { AS_ALWAYS, AS_NEVER, AS_WHEN_ZERO, type AsMode } from "./geo.ts";
import type { EnrichNeeds } from "./needs.ts";
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

export interface EnrichStageOptions {
  /** What the monitoring objects read (enrichNeeds); the rest is left unfilled. Default: all. */
  needs?: EnrichNeeds;
  /**
   * SNMP and the networks CSV's poll run elsewhere, once (host.ts, on the main thread), which
   * hands new networks over (enricher.setNetworks): the collector's stages, one per thread, each
   * with its own databases and caches, all numbering networks alike.
   */
  hosted?: boolean;
  /** Told every networks list the CSV's poll takes up (the main thread: to hand to workers). */
  onNetworks?: (defs: readonly NetworkDef[]) => void;
}

/**
 * The stage for `config`, or null when it configures no enrichment (then nothing is added to the
 * path). Starts the SNMP poller of exporters with an `snmp_community_file`.
 */
export function createEnrichStage(config: EnrichSettings & { dataDir: string }, log: Logger, opts: EnrichStageOptions = {}): EnrichStage | null {
  const hosted = opts.hosted === true;
  const enricher = createEnricher(config, log, { watchNetworks: !hosted, onNetworks: opts.onNetworks });
  const snmp = hosted ? null : createSnmpPoller(config.exporters, { dataDir: config.dataDir, log });
  if (enricher === null && snmp === null) return null;
  return enrichStage(config, enricher, snmp, opts.needs);
}

/** Every column filled: for `lookup` and tests; the engine passes enrichNeeds(config). */
export const NEEDS_ALL: EnrichNeeds = { src: true, dst: true, ifRoles: true };

export function enrichStage(config: EnrichSettings, enricher: Enricher | null, snmp: SnmpPoller | null, needs: EnrichNeeds = NEEDS_ALL): EnrichStage {
  const geo = enricher?.geo ?? null;
  const interfaces = enricher?.interfaces ?? null;
  const asMode: AsMode = config.enrich.asSource === "exporter" ? AS_NEVER : config.enrich.asSource === "database" ? AS_ALWAYS : AS_WHEN_ZERO;
  let records = 0;
  let unmarked = 0;
  // Per record of a batch: the networks' match of one side's address (Geo.resolveAll).
  let matches = new Int32Array(0);

  // One side's network and role from 1 + the networks' match of each record (0: none).
  function fromMatches(n: number, match: Int32Array, nets: Networks, network: Uint32Array, role: Uint16Array): void {
    const ids = nets.network;
    const roles = nets.role;
    // Without a branch: which records have a network is random, and a mispredicted branch per
    // record cost more than the loop (4 of ~6 ns a record).
    for (let i = 0; i < n; i++) {
      const p = match[i]!;
      network[i] = ids[p]!;
      role[i] = roles[p]!;
    }
  }
  // Networks without databases: the longest match per record, straight from the prefix table.
  function fromNetworks(b: FlowBatch, nets: Networks, words: Uint32Array, network: Uint32Array, role: Uint16Array): void {
    for (let i = 0; i < b.length; i++) {
      const p = 1 + nets.table.match(b.family[i]!, words, i << 2);
      network[i] = nets.network[p]!;
      role[i] = nets.role[p]!;
    }
  }

  // `in role`/`out role`; with skip_unmarked, compacts out the flows that cross no role.
  function roles(b: FlowBatch, ifs: InterfaceRoles): void {
    const n = b.length;
    const { exporterFamily: ef, exporterAddr: ea, inIf, outIf, inRole, outRole } = b;
    let w = 0;
    let h = -1;
    let skip = false;
    let dense: Uint16Array | null = null;
    let pf = -1, p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (let i = 0; i < n; i++) {
      const o = i << 2;
      // Records of one datagram share their exporter: ask only when it changes.
      if (ef[i] !== pf || ea[o] !== p0 || ea[o + 1] !== p1 || ea[o + 2] !== p2 || ea[o + 3] !== p3) {
        pf = ef[i]!;
        p0 = ea[o]!;
        p1 = ea[o + 1]!;
        p2 = ea[o + 2]!;
        p3 = ea[o + 3]!;
        h = ifs.exporter(pf, ea, o);
        skip = h >= 0 && ifs.skipUnmarked(h);
        dense = h >= 0 ? ifs.dense(h) : null;
      }
      let r1 = 0;
      let r2 = 0;
      if (dense !== null) {
        // Bounds checked here: a read past a typed array's end takes the engine's slow path.
        const x = inIf[i]!, y = outIf[i]!;
        r1 = x < dense.length ? dense[x]! : 0;
        r2 = y < dense.length ? dense[y]! : 0;
      } else if (h >= 0) {
        r1 = ifs.role(h, inIf[i]!);
        r2 = ifs.role(h, outIf[i]!);
      }
      if (skip && r1 === 0 && r2 === 0) {
        unmarked++;
        continue;
      }
      if (w !== i) moveRecord(b, i, w);
      inRole[w] = r1;
      outRole[w] = r2;
      w++;
    }
    b.length = w;
  }

  function process(b: FlowBatch): void {
    const n = b.length;
    records += n;
    // Replaced when the networks CSV changes: taken once per batch.
    const networks = enricher?.networks ?? null;
    if (geo !== null && (needs.src || needs.dst)) {
      geo.refresh();
      if (matches.length < n) matches = new Int32Array(b.capacity);
      if (needs.src) {
        geo.resolveAll(b.family, b.srcAddr, n, b.srcCountry, b.srcAs, asMode, matches);
        if (networks !== null) fromMatches(n, matches, networks, b.srcNetwork, b.srcRole);
      }
      if (needs.dst) {
        geo.resolveAll(b.family, b.dstAddr, n, b.dstCountry, b.dstAs, asMode, matches);
        if (networks !== null) fromMatches(n, matches, networks, b.dstNetwork, b.dstRole);
      }
    } else if (networks !== null) {
      if (needs.src) fromNetworks(b, networks, b.srcAddr, b.srcNetwork, b.srcRole);
      if (needs.dst) fromNetworks(b, networks, b.dstAddr, b.dstNetwork, b.dstRole);
    }
    // A networks CSV reloaded empty: no network for anyone (resolveAll leaves the columns alone).
    if (networks === null && config.enrich.networks !== null) {
      b.srcNetwork.fill(0, 0, n);
      b.srcRole.fill(0, 0, n);
      b.dstNetwork.fill(0, 0, n);
      b.dstRole.fill(0, 0, n);
    }
    if (interfaces !== null && needs.ifRoles) roles(b, interfaces);
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
