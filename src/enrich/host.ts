// The enrichment work the main thread does once, whatever the engine: the SNMP poller, the poll
// of the networks CSV (each new list handed to every thread's stage, path-stage.ts), and
// `xenoflow_names` written when what enrichment knows changes. It opens no database: the stages
// look addresses up and report the AS organisations they learned (Stage.learned).
import type { NetworkDef } from "../config/types.ts";
import type { Logger } from "../log.ts";
import type { Sink } from "../store/sink.ts";
import { createEnricher, type EnrichSettings } from "./enricher.ts";
import { createNamesWriter, nameRows } from "./name-rows.ts";
import { createSnmpPoller } from "./snmp.ts";

export interface EnrichHost {
  /** Writes `xenoflow_names` when it changed; `ases`: what the stages learned. */
  writeNames(ases: ReadonlyMap<number, string> | undefined): Promise<void>;
  close(): void;
}

export interface EnrichHostOptions {
  /** Every networks list the CSV's poll takes up, for the stages. */
  toStages(defs: readonly NetworkDef[]): void;
  sink: Pick<Sink, "writeNames">;
  /** Told when an SNMP poll changed an exporter's interfaces: names can be written now, not at the next round. */
  changed?: () => void;
}

/** null when the config enriches nothing. */
export function createEnrichHost(config: EnrichSettings & { dataDir: string }, log: Logger, o: EnrichHostOptions): EnrichHost | null {
  const enricher = createEnricher(config, log, { databases: false, onNetworks: o.toStages });
  const snmp = createSnmpPoller(config.exporters, { dataDir: config.dataDir, log, onChange: o.changed });
  if (enricher === null && snmp === null && config.enrich.country === null && config.enrich.asn === null) return null;
  const writer = createNamesWriter(o.sink);
  let failed = false;
  return {
    async writeNames(ases) {
      const refused = await writer.update(nameRows(config, enricher, snmp, ases ?? new Map()));
      // One line when writing starts failing, one when it works again.
      if (refused !== null && !failed) log.warn(`store: cannot write xenoflow_names: ${refused}; retrying`, "names");
      if (refused === null && failed) log.info("store: xenoflow_names written", "names");
      failed = refused !== null;
    },
    close() {
      enricher?.close();
      snmp?.close();
    },
  };
}
