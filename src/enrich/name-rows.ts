// The rows of `xenoflow_names` (DESIGN.md section 5) from what enrichment knows now: network
// names and roles from the config and the networks CSV as last loaded, interface names per exporter (static over SNMP, snmp.ts), and
// the AS organisations the databases answered so far. A writer hands them to the store only when
// the set changed, and again after a failed write.
import type { NameRow } from "../store/names.ts";
import type { Sink } from "../store/sink.ts";
import type { EnrichSettings, Enricher } from "./enricher.ts";
import { enrichNames } from "./names.ts";
import { type SnmpPoller, mergedInterfaces } from "./snmp.ts";

/** `ases`: the AS organisations seen (by default those of this enricher's own lookups). */
export function nameRows(
  config: EnrichSettings,
  enricher: Enricher | null,
  snmp: SnmpPoller | null,
  ases: ReadonlyMap<number, string> = enricher?.geo?.asNames() ?? new Map(),
): NameRow[] {
  const rows: NameRow[] = [];
  const names = enrichNames(config);
  // A name may cover several prefixes: the role of its first one.
  const roles = new Map<string, string>();
  for (const n of enricher?.networks?.defs ?? config.networks) if (!roles.has(n.name)) roles.set(n.name, n.role);
  for (let id = 1; id < names.networks.length; id++) {
    const name = names.networks[id]!;
    rows.push({ kind: "network", exporter: "", id, name, description: "", role: roles.get(name) ?? "" });
  }
  for (const e of config.exporters) {
    const merged = mergedInterfaces(e, snmp?.interfaces(e.address.text) ?? new Map());
    for (const [id, i] of [...merged].sort((a, b) => a[0] - b[0])) {
      rows.push({ kind: "if", exporter: e.address.text, id, name: i.name, description: i.description, role: i.role });
    }
  }
  for (const [id, name] of [...ases].sort((a, b) => a[0] - b[0])) rows.push({ kind: "as", exporter: "", id, name, description: "", role: "" });
  return rows;
}

export interface NamesWriter {
  /** Writes `rows` when they differ from the last set written; resolves to the store's refusal, or null. */
  update(rows: readonly NameRow[]): Promise<string | null>;
}

export function createNamesWriter(sink: Pick<Sink, "writeNames">): NamesWriter {
  let written = "";
  return {
    async update(rows) {
      const sig = JSON.stringify(rows);
      if (sig === written) return null;
      try {
        await sink.writeNames(rows);
        written = sig;
        return null;
      } catch (err) {
        written = "";
        return (err as Error).message;
      }
    },
  };
}
