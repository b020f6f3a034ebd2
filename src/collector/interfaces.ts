// The periodic producer of `xenoflow_interfaces` (DESIGN.md section 5): every
// `[storage] interface_counters`, the rates of each sFlow agent interface over its latest counter
// samples, as one export for the store. It reads the engine's merged agent table, so inline and
// with workers alike (each worker decodes its own agents' counter samples; their reports carry the
// latest counters to this thread).
import type { ExporterDef } from "../config/types.ts";
import type { AgentStats } from "../decode/index.ts";
import type { WindowExport } from "../flow/export.ts";
import { createInterfaceRates } from "../monitor/interface-rates.ts";
import { interfacesExport } from "../store/interfaces.ts";

/**
 * `everySeconds` > 0. Intervals are aligned to multiples of it since the epoch, as windows are;
 * a row's time is its interval's start.
 */
export function createInterfaceExports(everySeconds: number, exporters: () => readonly ExporterDef[]) {
  const rates = createInterfaceRates();
  const everyMs = everySeconds * 1000;
  let endMs = -1;
  // [[exporter.interface]] names the interfaces of an exporter's address.
  const ifName = (exporter: string, ifIndex: number) =>
    exporters().find((e) => e.address.text === exporter)?.interfaces.find((i) => i.index === ifIndex)?.name ?? "";
  return {
    /** The export of the interval that ended by `nowMs`; null when none ended or no interface had a newer sample. */
    due(nowMs: number, agents: ReadonlyMap<string, AgentStats>): WindowExport | null {
      if (endMs < 0) {
        endMs = (Math.floor(nowMs / everyMs) + 1) * everyMs;
        rates.next(agents.values()); // baselines: the first interval has rates already
        return null;
      }
      if (nowMs < endMs) return null;
      const start = Math.floor(nowMs / everyMs) * everyMs - everyMs;
      endMs = start + 2 * everyMs;
      const list = rates.next(agents.values());
      return list.length > 0 ? interfacesExport(start / 1000, list, ifName) : null;
    },
  };
}
