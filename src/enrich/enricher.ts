// Everything enrichment knows, built once from the config: the country and ASN databases behind
// one cache, the networks' prefix table (rebuilt when the networks CSV changes), the interfaces'
// roles. The stage reads it per flow and `xenoflow lookup` per address. null when the config
// enables none of it.
import { parseNetworksCsv } from "../config/enrich.ts";
import type { AsSource, Config, NetworkDef } from "../config/types.ts";
import { type ConfigIssue, formatIssue } from "../errors.ts";
import type { Logger } from "../log.ts";
import { pollFile, readError } from "./file-poll.ts";
import { type Geo, GEO_CACHE_SLOTS, createGeo } from "./geo.ts";
import { type InterfaceRoles, interfaceRoles } from "./interfaces.ts";
import { type MmdbFile, openMmdb } from "./mmdb.ts";
import { type EnrichNames, enrichNames } from "./names.ts";
import { type PrefixTable, buildPrefixTable } from "./networks.ts";

export interface Networks {
  /** [[network]]s then the CSV's rows, as last loaded. */
  readonly defs: readonly NetworkDef[];
  readonly table: PrefixTable;
  /** By 1 + the table's match (its -1, none, at [0]): network name id and role id, 0 = none. */
  readonly network: Uint32Array;
  readonly role: Uint16Array;
}

export interface Enricher {
  readonly names: EnrichNames;
  /** With networks, its slots also hold the networks' longest match (SLOT_EXTRA). */
  readonly geo: Geo | null;
  readonly asSource: AsSource;
  /** Replaced when the networks CSV changes: read it per batch, not once. */
  readonly networks: Networks | null;
  readonly interfaces: InterfaceRoles | null;
  /** Takes up a new list of networks (the CSV's poll calls it; so does a worker handed one). */
  setNetworks(defs: readonly NetworkDef[]): void;
  /** Looks at every file now instead of at the next poll; true when one was reloaded. */
  check(): Promise<boolean>;
  close(): void;
}

export const NETWORKS_POLL_MS = 5000;

export interface EnricherOptions {
  cacheSlots?: number;
  /** Poll the networks CSV (default true; false where another thread polls it and hands the result). */
  watchNetworks?: boolean;
  /** Told every networks list the poll takes up, after the enricher itself. */
  onNetworks?: ((defs: readonly NetworkDef[]) => void) | undefined;
  networksPollMs?: number;
  /** Open the databases (default true; false for the main thread of workers, which looks nothing up). */
  databases?: boolean;
}

export type EnrichSettings = Pick<Config, "enrich" | "networks" | "exporters">;

export function createEnricher(config: EnrichSettings, log: Logger, opts: EnricherOptions = {}): Enricher | null {
  const names = enrichNames(config);
  const files: MmdbFile[] = [];
  const open = (path: string | null): MmdbFile | null => {
    if (path === null) return null;
    const f = openMmdb(path, log);
    files.push(f);
    return f;
  };
  const countryDb = opts.databases === false ? null : open(config.enrich.country);
  const asnDb = opts.databases === false ? null : open(config.enrich.asn);
  const build = (defs: readonly NetworkDef[]): Networks | null =>
    defs.length === 0
      ? null
      : {
          defs,
          table: buildPrefixTable(defs.map((n) => n.prefix)),
          network: Uint32Array.from([0, ...defs.map((n) => names.networkId(n.name))]),
          role: Uint16Array.from([0, ...defs.map((n) => names.roleId(n.role))]),
        };
  let networks = build(config.networks);
  // With databases, the networks' match is cached in the same slot as the address's country and AS.
  const geo = countryDb || asnDb ? createGeo(countryDb, asnDb, opts.cacheSlots ?? GEO_CACHE_SLOTS, networks?.table ?? null) : null;
  const interfaces = interfaceRoles(config.exporters, names);
  const csv = config.enrich.networks;
  if (geo === null && networks === null && interfaces === null && csv === null) return null;

  const inline = config.networks.slice(0, config.enrich.inlineNetworks);
  let rowsText = JSON.stringify(config.networks.map((n) => [n.prefix.text, n.name, n.role]));
  const reloadCsv = (file: string, buf: Buffer): boolean => {
    const issues: ConfigIssue[] = [];
    const defs = [...inline, ...parseNetworksCsv(buf.toString("utf8"), file, inline, issues)];
    if (issues.length > 0) {
      const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
      log.warn(`enrich: ${formatIssue(issues[0]!)}${more}; keeping the previous networks`, `networks:${file}`);
      return false;
    }
    const text = JSON.stringify(defs.map((n) => [n.prefix.text, n.name, n.role]));
    if (text === rowsText) return false; // touched, not changed
    rowsText = text;
    self.setNetworks(defs);
    opts.onNetworks?.(defs);
    log.info(`enrich: reloaded ${file} (${defs.length - inline.length} networks)`, `networks:${file}`);
    return true;
  };
  // Polled from "" (not the version the config loaded): the first look re-reads it, which
  // catches a change made since, and changes nothing when it is the same.
  const poll =
    csv !== null && opts.watchNetworks !== false
      ? pollFile(csv, opts.networksPollMs ?? NETWORKS_POLL_MS, "", (buf) => reloadCsv(csv, buf), (err) => log.warn(`enrich: cannot read ${csv}: ${readError(err)}; keeping the previous networks`, `networks:${csv}`))
      : null;

  const self: Enricher = {
    names,
    geo,
    asSource: config.enrich.asSource,
    get networks() {
      return networks;
    },
    interfaces,
    setNetworks(defs) {
      names.add(defs);
      networks = build(defs);
      geo?.setExtra(networks?.table ?? null);
    },
    check: async () => (await Promise.all([...files.map((f) => f.check()), poll?.check() ?? false])).includes(true),
    close: () => {
      for (const f of files) f.close();
      poll?.close();
    },
  };
  return self;
}
