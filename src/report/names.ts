// Names beside key values in JSON reports and the console (DESIGN.md section 8): protocol and
// well-known port names compiled in (src/filter/names.ts), AS and interface names from what
// enrichment wrote to `xenoflow_names`. Network, role and country keys are stored as their names.
import { PORTS, PROTOCOL_NAMES } from "../filter/names.ts";
import type { NameRow } from "../store/names.ts";
import type { KeyColumn } from "../store/sink.ts";

// The first name of each port, as PROTOCOL_NAMES keeps the first of each protocol.
const PORT_NAMES: ReadonlyMap<number, string> = new Map([...PORTS].reverse().map(([name, n]) => [n, name]));

/** Per key cell, its name or null. */
export type KeyNamer = (keys: readonly KeyColumn[], cells: readonly (string | null)[]) => (string | null)[];

export function keyNamer(rows: readonly NameRow[]): KeyNamer {
  const as = new Map<number, string>();
  // ifIndex -> exporter -> name: without an exporter column in the key, a name shared by every exporter that has the index.
  const ifs = new Map<number, Map<string, string>>();
  for (const r of rows) {
    if (r.kind === "as") as.set(r.id, r.name);
    else if (r.kind === "if") {
      let m = ifs.get(r.id);
      if (!m) ifs.set(r.id, (m = new Map()));
      m.set(r.exporter, r.name);
    }
  }
  const ifName = (id: number, exporter: string | null): string | null => {
    const m = ifs.get(id);
    if (!m) return null;
    if (exporter !== null) return m.get(exporter) ?? null;
    const names = new Set(m.values());
    return names.size === 1 ? [...names][0]! : null;
  };
  return (keys, cells) => {
    const exporterAt = keys.findIndex((k) => k.name === "exporter");
    const exporter = exporterAt < 0 ? null : (cells[exporterAt] ?? null);
    return keys.map((k, i) => {
      const v = cells[i];
      if (v === null || v === undefined || k.type !== "uint") return null;
      const n = Number(v);
      switch (k.name) {
        case "proto":
          return PROTOCOL_NAMES.get(n) ?? null;
        case "src_port":
        case "dst_port":
          return PORT_NAMES.get(n) ?? null;
        case "src_as":
        case "dst_as":
          return as.get(n) ?? null;
        case "in_if":
        case "out_if":
          return ifName(n, exporter);
        default:
          return null;
      }
    });
  };
}
