// Per-agent sFlow state: sample sequence numbers per data source (a gap = samples lost between
// agent and collector), the latest sample pool and drops of each source, discarded packets per
// reason. Agents are keyed by agent address + sub-agent id (sFlow v5 "sFlow Datagram"); the
// tables are bounded and the oldest entry makes room (counted in sflowStateEvicted).
import type { Faults } from "../faults.ts";
import { formatAddress } from "../../net/address.ts";
import {
  G_IF_INDEX, G_IN_DISCARDS, G_IN_ERRORS, G_IN_OCTETS, G_IN_UCAST, G_OUT_DISCARDS, G_OUT_ERRORS, G_OUT_OCTETS, G_OUT_UCAST,
  G_SPEED, type SflowCounters,
} from "./counters.ts";

export const AGENTS_MAX = 4096;
export const SOURCES_PER_AGENT_MAX = 1024;
export const DROP_REASONS_MAX = 256;
export const INTERFACES_PER_AGENT_MAX = 1024;
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
  /** The latest generic interface counters per ifIndex (sFlow v5 "if_counters"), as the agent counts. */
  readonly interfaces: Map<number, InterfaceCounters>;
}

/** IF-MIB counters of one interface; packets are unicast + multicast + broadcast. */
export interface InterfaceCounters {
  ifIndex: number;
  /** The counter sample's sequence number (it restarts with the agent) and arrival time, epoch ms. */
  seq: number;
  atMs: number;
  speed: number; // bits per second
  inOctets: number;
  outOctets: number;
  inPackets: number;
  outPackets: number;
  inErrors: number;
  outErrors: number;
  inDiscards: number;
  outDiscards: number;
}

export interface Agent extends AgentStats {
  readonly sources: Map<number, Source>;
  /** The source of the agent's latest flow sample and its key: samples of one source come in runs. */
  lastSource: Source | null;
  lastSourceKey: number;
}

/** The reported figures of an agent, without its tracking state (what workers send the main thread). */
export function agentStats(a: AgentStats): AgentStats {
  const { agent, subAgent, datagrams, flowSamples, counterSamples, discardedSamples, lostSamples, pool, drops } = a;
  return {
    agent, subAgent, datagrams, flowSamples, counterSamples, discardedSamples, lostSamples, pool, drops,
    dropReasons: new Map(a.dropReasons), interfaces: new Map([...a.interfaces].map(([k, v]) => [k, { ...v }])),
  };
}

export function createAgentTable(faults: Faults) {
  const agents = new Map<string, Agent>();
  // Datagrams of one agent arrive in runs: the last one is looked up without building a key.
  let last: Agent | null = null;
  let lastFamily = 0;
  const lastWords = new Uint32Array(4);
  let lastSub = -1;

  /** The source `key` of agent a, made the last one; null when it is new (added with these figures). */
  function otherSource(a: Agent, key: number, seq: number, pool: number, drops: number): Source | null {
    const s = a.sources.get(key);
    if (s !== undefined) {
      a.lastSource = s;
      a.lastSourceKey = key;
      return s;
    }
    if (a.sources.size >= SOURCES_PER_AGENT_MAX) {
      const [k0, s0] = a.sources.entries().next().value!;
      a.pool -= s0.pool;
      a.drops -= s0.drops;
      a.sources.delete(k0);
      faults.sflowStateEvicted++;
    }
    const added = { seq, pool, drops };
    a.sources.set(key, added);
    a.lastSource = added;
    a.lastSourceKey = key;
    a.pool += pool;
    a.drops += drops;
    return null;
  }

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
          pool: 0, drops: 0, sources: new Map(), lastSource: null, lastSourceKey: -1, dropReasons: new Map(), interfaces: new Map(),
        };
        agents.set(key, a);
      }
      last = a;
      lastFamily = family;
      lastWords.set(words);
      lastSub = subAgent;
      return a;
    },
    otherSource,
    /** A counter sample: its generic interface counters replace the interface's previous ones. */
    counters(a: AgentStats, c: SflowCounters, arrivalMs: number): void {
      a.counterSamples++;
      if (!c.hasGeneric) return;
      const g = c.generic;
      const ifIndex = g[G_IF_INDEX]!;
      let i = a.interfaces.get(ifIndex);
      if (i === undefined) {
        if (a.interfaces.size >= INTERFACES_PER_AGENT_MAX) {
          faults.sflowStateEvicted++;
          return;
        }
        i = { ifIndex, seq: 0, atMs: 0, speed: 0, inOctets: 0, outOctets: 0, inPackets: 0, outPackets: 0, inErrors: 0, outErrors: 0, inDiscards: 0, outDiscards: 0 };
        a.interfaces.set(ifIndex, i);
      }
      i.seq = c.seq;
      i.atMs = arrivalMs;
      i.speed = g[G_SPEED]!;
      i.inOctets = g[G_IN_OCTETS]!;
      i.inPackets = g[G_IN_UCAST]! + g[G_IN_UCAST + 1]! + g[G_IN_UCAST + 2]!;
      i.inDiscards = g[G_IN_DISCARDS]!;
      i.inErrors = g[G_IN_ERRORS]!;
      i.outOctets = g[G_OUT_OCTETS]!;
      i.outPackets = g[G_OUT_UCAST]! + g[G_OUT_UCAST + 1]! + g[G_OUT_UCAST + 2]!;
      i.outDiscards = g[G_OUT_DISCARDS]!;
      i.outErrors = g[G_OUT_ERRORS]!;
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

/**
 * A flow sample's sequence number, pool and drops for its source (type, index). A plain function
 * kept small, so the JIT inlines it into the sample walk; a source other than the agent's last one
 * is looked up apart.
 */
export function flowSampleSeen(t: AgentTable, a: Agent, sourceType: number, sourceIndex: number, seq: number, pool: number, drops: number): void {
  a.flowSamples++;
  const key = (sourceType & 0xff) * 4294967296 + sourceIndex;
  const s = key === a.lastSourceKey ? a.lastSource : t.otherSource(a, key, seq, pool, drops);
  if (s === null) return;
  const step = (seq - s.seq) >>> 0;
  if (step === 0) return; // the same sample again (a datagram decoded twice)
  if (step <= GAP_MAX) a.lostSamples += step - 1;
  s.seq = seq;
  a.pool += pool - s.pool;
  a.drops += drops - s.drops;
  s.pool = pool;
  s.drops = drops;
}
