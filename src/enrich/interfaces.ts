// Interface roles per exporter, from `[[exporter.interface]]` (DESIGN.md section 3), for the
// stage's `in role`/`out role` and `skip_unmarked`. Roles are static configuration: SNMP gives
// names, never roles (snmp.ts). The stage asks once per run of records from one exporter.
import type { ExporterDef } from "../config/types.ts";
import type { EnrichNames } from "./names.ts";

export interface InterfaceRoles {
  /** A handle for the exporter at words[o..o+4) of `family`, or -1 when it has no roles. */
  exporter(family: number, words: Uint32Array, o: number): number;
  /** Role id of interface `ifIndex` of exporter `handle`; 0 none. */
  role(handle: number, ifIndex: number): number;
  /** The exporter's roles by ifIndex when every index is below 2^16 (a load per flow), else null. */
  dense(handle: number): Uint16Array | null;
  skipUnmarked(handle: number): boolean;
  /** Exporters with at least one role. */
  readonly count: number;
}

interface Entry {
  family: number;
  words: readonly [number, number, number, number];
  roles: Map<number, number>;
  /** The same roles by ifIndex when every index is small, for a load instead of a hash. */
  dense: Uint16Array | null;
  skip: boolean;
}

const DENSE_MAX = 1 << 16;

/** null when no exporter gives any interface a role. */
export function interfaceRoles(exporters: readonly ExporterDef[], names: EnrichNames): InterfaceRoles | null {
  const entries: Entry[] = [];
  for (const e of exporters) {
    const roles = new Map<number, number>();
    for (const i of e.interfaces) if (i.role !== "") roles.set(i.index, names.roleId(i.role));
    if (roles.size === 0) continue;
    const top = Math.max(...roles.keys());
    const dense = top < DENSE_MAX ? new Uint16Array(top + 1) : null;
    if (dense) for (const [k, v] of roles) dense[k] = v;
    entries.push({ family: e.address.family, words: e.address.words, roles, dense, skip: e.skipUnmarked });
  }
  if (entries.length === 0) return null;
  return {
    count: entries.length,
    exporter(family, words, o) {
      for (let k = 0; k < entries.length; k++) {
        const e = entries[k]!;
        if (e.family !== family || e.words[0] !== words[o]) continue;
        if (family === 4 || (e.words[1] === words[o + 1] && e.words[2] === words[o + 2] && e.words[3] === words[o + 3])) return k;
      }
      return -1;
    },
    role(h, ifIndex) {
      const e = entries[h];
      if (e === undefined) return 0;
      return e.dense !== null ? (e.dense[ifIndex] ?? 0) : (e.roles.get(ifIndex) ?? 0);
    },
    dense: (h) => entries[h]?.dense ?? null,
    skipUnmarked: (h) => entries[h]?.skip ?? false,
  };
}
