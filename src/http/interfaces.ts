// `/api/interfaces`: each sFlow agent's busiest interfaces for the dashboard, by the rates of its
// counter samples (src/monitor/interface-rates.ts). The rates span two samples of an interface,
// whenever the page asks; the latest rate of each interface is kept until a newer sample replaces
// it or its agent leaves the decoders' table.
import type { AgentStats } from "../decode/index.ts";
import { type InterfaceRate, createInterfaceRates } from "../monitor/interface-rates.ts";

export interface AgentInterfaces {
  agent: string;
  /** Busiest first: in + out octets per second. */
  interfaces: InterfaceRate[];
}

const busy = (r: InterfaceRate) => r.inOctets + r.outOctets;

export function createBusiestInterfaces() {
  const rates = createInterfaceRates();
  const latest = new Map<string, InterfaceRate>();
  return (agents: ReadonlyMap<string, AgentStats>, perAgent: number): AgentInterfaces[] => {
    for (const r of rates.next(agents.values())) latest.set(`${r.exporter}/${r.ifIndex}`, r);
    const live = new Set([...agents.values()].map((a) => a.agent));
    const by = new Map<string, InterfaceRate[]>();
    for (const [key, r] of latest) {
      if (!live.has(r.exporter)) latest.delete(key);
      else by.set(r.exporter, [...(by.get(r.exporter) ?? []), r]);
    }
    return [...by].sort(([a], [b]) => a.localeCompare(b)).map(([agent, list]) => ({
      agent, interfaces: list.sort((a, b) => busy(b) - busy(a) || a.ifIndex - b.ifIndex).slice(0, perAgent),
    }));
  };
}
