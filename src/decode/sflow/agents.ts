// Per-agent sFlow state: sample sequence numbers per data source (a gap = samples lost between
// agent and collector), the latest sample pool and drops of each source, discarded packets per
// reason. Agents are keyed by agent address + sub-agent id (sFlow v5 "sFlow Datagram"); the
// tables are bounded and the oldest entry makes room (counted in sflowStateEvicted).
import type { Faults } from "../faults.ts";
import { formatAddress } from "../../net/address.ts";

export const AGENTS_MAX = 4096;
export const SOURCES_PER_AGENT_MAX = 1024;
export const DROP_REASONS_MAX = 256;
/**
 * A forward step larger than this is an agent restart or reordering, not loss (sFlow v5: sequence
 * numbers restart from the agent's reset).
 */
const GAP_MAX = 1 << 20;

interface Source {
  seq: number;
  pool: number;
  drops: number;
}

export interface AgentStats {
  readonly agent: string;
  readonly subAgent: number;
  datagrams: number;
  flowSamples: number;
  counterSamples: number;
  discardedSamples: number;
  /** Flow samples missing from the sequence numbers. */
  lostSamples: number;
  /** Sums over the agent's data sources of their latest sample_pool and drops. */
  pool: number;
  drops: number;
  /** Discarded-packet samples per reason code (sFlow drops extension "drop_reason"). */
  readonly dropReasons: Map<number, number>;
}

interface Agent extends AgentStats {
  readonly sources: Map<number, Source>;
  /** The source of the agent's latest flow sample and its key: samples of one source come in runs. */
  lastSource: Source | null;
  lastSourceKey: number;
}

/** The reported figures of an agent, without its tracking state (what workers send the main thread). */
export function agentStats(a: AgentStats): AgentStats {
  const { agent, subAgent, datagrams, flowSamples, counterSamples, discardedSamples, lostSamples, pool, drops } = a;
  return { agent, subAgent, datagrams, flowSamples, counterSamples, discardedSamples, lostSamples, pool, drops, dropReasons: new Map(a.dropReasons) };
}

export function createAgentTable(faults: Faults) {
  const agents = new Map<string, Agent>();
  // Datagrams of one agent arrive in runs: the last one is looked up without building a key.
  let last: Agent | null = null;
  let lastFamily = 0;
  const lastWords = new Uint32Array(4);
  let lastSub = -1;

  return {
    agents: agents as ReadonlyMap<string, AgentStats>,
    /** The agent of a datagram, found or added. */
    agent(family: number, words: Uint32Array, subAgent: number): Agent {
      if (last !== null && family === lastFamily && subAgent === lastSub && words[0] === lastWords[0]
        && words[1] === lastWords[1] && words[2] === lastWords[2] && words[3] === lastWords[3]) return last;
      const addr = formatAddress(family, words);
      const key = `${addr}/${subAgent}`;
      let a = agents.get(key);
      if (a === undefined) {
        if (agents.size >= AGENTS_MAX) {
          agents.delete(agents.keys().next().value!);
          faults.sflowStateEvicted++;
        }
        a = {
          agent: addr, subAgent, datagrams: 0, flowSamples: 0, counterSamples: 0, discardedSamples: 0, lostSamples: 0,
          pool: 0, drops: 0, sources: new Map(), lastSource: null, lastSourceKey: -1, dropReasons: new Map(),
        };
        agents.set(key, a);
      }
      last = a;
      lastFamily = family;
      lastWords.set(words);
      lastSub = subAgent;
      return a;
    },
    /** A flow sample's sequence number, pool and drops for its source (type, index). */
    flowSample(a: Agent, sourceType: number, sourceIndex: number, seq: number, pool: number, drops: number): void {
      a.flowSamples++;
      const key = (sourceType & 0xff) * 4294967296 + sourceIndex;
      const s = key === a.lastSourceKey ? a.lastSource : a.sources.get(key);
      if (s === undefined || s === null) {
        if (a.sources.size >= SOURCES_PER_AGENT_MAX) {
          const [k0, s0] = a.sources.entries().next().value!;
          a.pool -= s0.pool;
          a.drops -= s0.drops;
          a.sources.delete(k0);
          if (s0 === a.lastSource) a.lastSource = null;
          faults.sflowStateEvicted++;
        }
        const added = { seq, pool, drops };
        a.sources.set(key, added);
        a.lastSource = added;
        a.lastSourceKey = key;
        a.pool += pool;
        a.drops += drops;
        return;
      }
      a.lastSource = s;
      a.lastSourceKey = key;
      const step = (seq - s.seq) >>> 0;
      if (step === 0) return; // the same sample again (a datagram decoded twice)
      if (step <= GAP_MAX) a.lostSamples += step - 1;
      s.seq = seq;
      a.pool += pool - s.pool;
      a.drops += drops - s.drops;
      s.pool = pool;
      s.drops = drops;
    },
    discarded(a: AgentStats, reason: number): void {
      a.discardedSamples++;
      const n = a.dropReasons.get(reason);
      if (n !== undefined) a.dropReasons.set(reason, n + 1);
      else if (a.dropReasons.size < DROP_REASONS_MAX) a.dropReasons.set(reason, 1);
      else faults.sflowStateEvicted++;
    },
  };
}

export type AgentTable = ReturnType<typeof createAgentTable>;
