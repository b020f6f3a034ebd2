// Numeric ids for enrichment names, derived from the config alone so that every part that sees
// the same config (the stage, filters, key rendering, `lookup`) agrees on them without sharing
// state: network ids number the distinct `[[network]]`/CSV names in config order, role ids the
// distinct roles of networks and interfaces. 0 means none.
import type { Config } from "../config/types.ts";

export interface EnrichNames {
  /** id -> name; [0] is "". */
  readonly networks: readonly string[];
  readonly roles: readonly string[];
  networkId(name: string): number;
  roleId(role: string): number;
}

type NameSource = Pick<Config, "networks" | "exporters">;

const built = new WeakMap<NameSource, EnrichNames>();

function numbering(values: Iterable<string>): { list: string[]; ids: Map<string, number> } {
  const list = [""];
  const ids = new Map<string, number>();
  for (const v of values) {
    if (v === "" || ids.has(v)) continue;
    ids.set(v, list.length);
    list.push(v);
  }
  return { list, ids };
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
  };
  built.set(config, names);
  return names;
}
