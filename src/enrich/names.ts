// Numeric ids for enrichment names, derived from the config alone so that every part that sees
// the same config (the stage, filters, key rendering, `lookup`) agrees on them without sharing
// state: network ids number the distinct `[[network]]`/CSV names in config order, role ids the
// distinct roles of networks and interfaces. 0 means none. A reloaded networks CSV numbers its
// new names after these (add), so an id never changes while the collector runs.
import type { Config, NetworkDef } from "../config/types.ts";
import type { NameKind, NameRow } from "../store/names.ts";

export interface EnrichNames {
  /** id -> name; [0] is "". */
  readonly networks: readonly string[];
  readonly roles: readonly string[];
  networkId(name: string): number;
  roleId(role: string): number;
  /** Numbers the names and roles of `networks` not known yet (a reloaded CSV's). */
  add(networks: readonly NetworkDef[]): void;
}

type NameSource = Pick<Config, "networks" | "exporters">;

const built = new WeakMap<NameSource, EnrichNames>();

function numbering(values: Iterable<string>): { list: string[]; ids: Map<string, number>; add(vs: Iterable<string>): void } {
  const list = [""];
  const ids = new Map<string, number>();
  const add = (vs: Iterable<string>): void => {
    for (const v of vs) {
      if (v === "" || ids.has(v)) continue;
      ids.set(v, list.length);
      list.push(v);
    }
  };
  add(values);
  return { list, ids, add };
}

export function enrichNames(config: NameSource): EnrichNames {
  const cached = built.get(config);
  if (cached) return cached;
  const nets = numbering(config.networks.map((n) => n.name));
  const roles = numbering([...config.networks.map((n) => n.role), ...config.exporters.flatMap((e) => e.interfaces.map((i) => i.role))]);
  const names: EnrichNames = {
    networks: nets.list,
    roles: roles.list,
    networkId: (n) => nets.ids.get(n) ?? 0,
    roleId: (r) => roles.ids.get(r) ?? 0,
    add(networks) {
      nets.add(networks.map((n) => n.name));
      roles.add(networks.map((n) => n.role));
    },
  };
  built.set(config, names);
  return names;
}

/** What enrichment calls a number: a `xenoflow_names` row by (kind, exporter, id). */
export interface NameIndex {
  /** `exporter`: the exporter's address text for interfaces, "" for ASes and networks. */
  get(kind: NameKind, exporter: string, id: number): NameRow | undefined;
  /** The row's name, "" when none is known. */
  name(kind: NameKind, exporter: string, id: number): string;
}

/**
 * An index over name rows: the stage's names() in the collector, or `xenoflow_names` read back
 * from the store by `report` and the HTTP API.
 */
export function nameIndex(rows: readonly NameRow[]): NameIndex {
  const byKey = new Map<string, NameRow>();
  for (const r of rows) byKey.set(`${r.kind} ${r.exporter} ${r.id}`, r);
  const get = (kind: NameKind, exporter: string, id: number): NameRow | undefined => byKey.get(`${kind} ${exporter} ${id}`);
  return { get, name: (kind, exporter, id) => get(kind, exporter, id)?.name ?? "" };
}
