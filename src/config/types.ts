// The validated, fully-defaulted configuration (DESIGN.md section 3). `load.ts` produces it
// frozen; every other module reads it and never sees raw TOML.

/** A UDP or TCP listen address: host is an IPv4/IPv6 literal or hostname, without brackets. */
export interface ListenAddress {
  host: string;
  port: number;
}

/** An address or prefix, parsed. IPv4 in words[0]; IPv6 as four big-endian 32-bit words. */
export interface Cidr {
  family: 4 | 6;
  words: readonly [number, number, number, number];
  bits: number; // prefix length
  text: string; // as written, normalised
}

export type FieldType = "uint" | "address" | "mac" | "string";

/** `[[field]]`: an Information Element usable in filters and keys under a chosen name. */
export interface FieldDef {
  name: string;
  pen: number; // 0 for IANA
  element: number;
  type: FieldType;
}

export interface ExporterDef {
  address: Cidr; // a host address (/32 or /128)
  name: string;
  samplingRate: number | null; // forced rate, or null: from options templates / data / v5 header
  snmpCommunity: string | null; // SNMP v2c community read from snmp_community_file; null = no polling
  snmpEvery: number; // seconds between polls
  skipUnmarked: boolean; // drop flows that cross no interface with a role
  interfaces: readonly InterfaceDef[];
}

// --- enrichment (DESIGN.md section 3: [enrich], [[network]], [[exporter.interface]]) ---

/** `[[exporter.interface]]`: a static name and role; wins over SNMP. */
export interface InterfaceDef {
  index: number; // ifIndex
  name: string;
  description: string;
  role: string; // "" = none
  speed: number; // bits per second; 0 = unknown
}

export type AsSource = "auto" | "exporter" | "database";

export interface EnrichDef {
  country: string | null; // absolute path of a MaxMind-format country database
  asn: string | null; // absolute path of a MaxMind-format ASN database
  asSource: AsSource;
  networks: string | null; // absolute path of the prefix,name,role CSV (already read into `networks`)
  inlineNetworks: number; // Config.networks[0..inlineNetworks) are the [[network]]s, the CSV's rows follow
}

/** One of the operator's prefixes, from `[[network]]` or the networks CSV. */
export interface NetworkDef {
  prefix: Cidr;
  name: string;
  role: string; // "" = none
}

export type ValueName = "octets" | "packets" | "bits" | "flows";

export interface WindowDef {
  name: string;
  every: number; // seconds
  key: readonly string[]; // key field expressions as written ("src host", "src net/24", "vrf")
  values: readonly ValueName[];
  top: number; // 0 = all rows
  extended: boolean;
}

export interface LimitDef {
  name: string;
  thresholds: Readonly<Partial<Record<ValueName, number>>>; // per-second
  file: string | null; // absolute path of the per-key overrides CSV
  onExceed: string | null; // absolute path of the script
  onNormal: string | null;
  normalAfter: number; // seconds
  enable: readonly string[]; // "mo/window" of extended windows
  /** Watch for rates falling under the thresholds (a service gone quiet) instead of over them. */
  below: boolean;
}

export interface MavgDef {
  name: string;
  window: number; // seconds: the time constant
  key: readonly string[];
  values: readonly ValueName[];
  maxKeys: number;
  limits: readonly LimitDef[];
}

export interface MoDef {
  name: string;
  parent: string | null;
  filter: string; // source text; "" = every flow
  windows: readonly WindowDef[];
  mavgs: readonly MavgDef[];
}

export interface Config {
  file: string; // absolute path of the main file
  dataDir: string; // absolute
  collector: {
    name: string; // this collector's name in a fleet sharing one database
    listen: readonly ListenAddress[];
    workers: number;
    recvBuffer: number; // bytes
    allow: readonly Cidr[];
    templatesPerExporter: number;
    templatesTotal: number;
    pendingBytesPerExporter: number; // data held while its template has not arrived
    pendingSeconds: number;
    pendingBytesTotal: number; // held data of all exporters together
    optionsPerExporter: number; // options state entries (sampler ids, domains)
    optionsTotal: number;
  };
  storage: {
    url: string; // "sqlite:/abs/path", "postgres://..." or "clickhouse://..."
    kind: "sqlite" | "postgres" | "clickhouse";
    retention: number; // seconds
    spoolMax: number; // bytes
    partition: number; // seconds, whole days; 0 = window tables not partitioned (PostgreSQL)
    collector: string; // [collector] name: whom this collector's rows and exactly-once records name
    interfaceCounters: number; // seconds between xenoflow_interfaces rows; 0 = off
  };
  http: { listen: ListenAddress | null; token: string | null };
  alerts: { scriptTimeout: number; scriptConcurrency: number };
  debug: { dumpFlows: string };
  enrich: EnrichDef;
  networks: readonly NetworkDef[]; // [[network]] first, then the CSV's rows
  fields: readonly FieldDef[];
  exporters: readonly ExporterDef[];
  mos: readonly MoDef[]; // parents before children
}
