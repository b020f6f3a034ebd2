// sFlow agents as the workers report them, summed: one agent may reach several workers (several
// source ports), and each worker counts only what it decoded.
import { type AgentStats, agentStats } from "../decode/index.ts";

export function mergeAgents(into: Map<string, AgentStats>, perWorker: readonly (readonly AgentStats[])[]): void {
  into.clear();
  for (const agents of perWorker) {
    for (const a of agents) {
      const key = `${a.agent}/${a.subAgent}`;
      const had = into.get(key);
      if (had === undefined) {
        into.set(key, agentStats(a));
        continue;
      }
      had.datagrams += a.datagrams;
      had.flowSamples += a.flowSamples;
      had.counterSamples += a.counterSamples;
      had.discardedSamples += a.discardedSamples;
      had.lostSamples += a.lostSamples;
      had.pool += a.pool;
      had.drops += a.drops;
      for (const [r, n] of a.dropReasons) had.dropReasons.set(r, (had.dropReasons.get(r) ?? 0) + n);
      // An interface's counters are the agent's own totals: any worker's latest copy will do.
      for (const [k, c] of a.interfaces) had.interfaces.set(k, c);
    }
  }
}
