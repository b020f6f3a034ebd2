// `xenoflow_interfaces` (DESIGN.md section 5): interface utilisation from sFlow counter samples,
// one row per interface every `[storage] interface_counters`, written as a window export of rates,
// so it takes the same path as every window (the spool when the database is away, exactly once,
// retention, the collector column of a fleet).
import type { InterfaceRate } from "../monitor/interface-rates.ts";
import type { KeyColumn, WindowExport } from "./sink.ts";

export const INTERFACES_TABLE = "xenoflow_interfaces";

const KEYS: readonly KeyColumn[] = [
  { name: "exporter", type: "address" },
  { name: "if_index", type: "uint" },
  { name: "if_name", type: "string" },
];
/** Per second; if_speed in bits per second as the agent reports it. */
const VALUES = [
  "if_speed", "in_octets", "out_octets", "in_packets", "out_packets", "in_errors", "out_errors", "in_discards", "out_discards",
] as const;

/**
 * The rows of one interval starting at `time` (epoch seconds); `ifName` names an interface of an
 * exporter ("" when nothing does: the config's [[exporter.interface]], SNMP).
 */
export function interfacesExport(time: number, rates: readonly InterfaceRate[], ifName: (exporter: string, ifIndex: number) => string): WindowExport {
  return {
    mo: "",
    window: INTERFACES_TABLE,
    table: INTERFACES_TABLE,
    time,
    keys: KEYS,
    values: VALUES,
    rates: true,
    rows: rates.map((r) => [
      r.exporter, r.ifIndex, ifName(r.exporter, r.ifIndex),
      r.speed, r.inOctets, r.outOctets, r.inPackets, r.outPackets, r.inErrors, r.outErrors, r.inDiscards, r.outDiscards,
    ]),
  };
}
