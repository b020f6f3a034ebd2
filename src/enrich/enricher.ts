// Everything enrichment knows, built once from the config: the country and ASN databases behind
// one cache, the networks' prefix table, the interfaces' roles. The stage reads it per flow and
// `xenoflow lookup` per address. null when the config enables none of it.
import type { AsSource, Config } from "../config/types.ts";
import type { Logger } from "../log.ts";
import { type Geo, GEO_CACHE_SLOTS, createGeo } from "./geo.ts";
import { type InterfaceRoles, interfaceRoles } from "./interfaces.ts";
import { type MmdbFile, openMmdb } from "./mmdb.ts";
import { type EnrichNames, enrichNames } from "./names.ts";
import { type PrefixTable, buildPrefixTable } from "./networks.ts";

export interface Networks {
  readonly table: PrefixTable;
  /** Per prefix (config.networks order): network name id and role id. */
  readonly network: Uint32Array;
  readonly role: Uint16Array;
}

export interface Enricher {
  readonly names: EnrichNames;
  /** With networks, its slots also hold the networks' longest match (SLOT_EXTRA). */
  readonly geo: Geo | null;
  readonly asSource: AsSource;
  readonly networks: Networks | null;
  readonly interfaces: InterfaceRoles | null;
  close(): void;
}

export type EnrichSettings = Pick<Config, "enrich" | "networks" | "exporters">;

export function createEnricher(config: EnrichSettings, log: Logger, cacheSlots = GEO_CACHE_SLOTS): Enricher | null {
  const names = enrichNames(config);
  const files: MmdbFile[] = [];
  const open = (path: string | null): MmdbFile | null => {
    if (path === null) return null;
    const f = openMmdb(path, log);
    files.push(f);
    return f;
  };
  const countryDb = open(config.enrich.country);
  const asnDb = open(config.enrich.asn);
  const networks: Networks | null =
    config.networks.length === 0
      ? null
      : {
          table: buildPrefixTable(config.networks.map((n) => n.prefix)),
          network: Uint32Array.from(config.networks, (n) => names.networkId(n.name)),
          role: Uint16Array.from(config.networks, (n) => names.roleId(n.role)),
        };
  // With databases, the networks' match is cached in the same slot as the address's country and AS.
  const geo = countryDb || asnDb ? createGeo(countryDb, asnDb, cacheSlots, networks?.table ?? null) : null;
  const interfaces = interfaceRoles(config.exporters, names);
  if (geo === null && networks === null && interfaces === null) return null;
  return {
    names,
    geo,
    asSource: config.enrich.asSource,
    networks,
    interfaces,
    close: () => {
      for (const f of files) f.close();
    },
  };
}
