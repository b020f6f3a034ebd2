// Interface utilisation from sFlow counter samples (issue 23, DESIGN.md section 5
// `xenoflow_interfaces`): each interface's IF-MIB counters turned into rates per second between
// the previous counter sample and the latest one, once per `[storage] interface_counters`. Pure:
// the caller hands over what the decoders hold (their latest samples, with arrival times).
//
// Counters step back for two reasons. A 32-bit counter wraps at 2^32 (sFlow v5 "if_counters":
// packets, errors, discards); a 64-bit one (octets) never does in practice. An agent that restarts
// starts its counters and its counter-sample sequence numbers again from zero. So: a sequence
// number that went back, a 64-bit counter that went back, or a sample no later than the previous
// one is a discontinuity (no rate this time, the new sample becomes the baseline); a 32-bit
// counter that went back otherwise wrapped (packets are the sum of three 32-bit counters, each of
// which may have wrapped once).
import type { AgentStats, InterfaceCounters } from "../decode/sflow/agents.ts";

/** One interface's rates, per second, over the span between two of its counter samples. */
export interface InterfaceRate {
  /** The sFlow agent's address. */
  exporter: string;
  ifIndex: number;
  /** ifSpeed as the agent reports it, bits per second. */
  speed: number;
  inOctets: number;
  outOctets: number;
  inPackets: number;
  outPackets: number;
  inErrors: number;
  outErrors: number;
  inDiscards: number;
  outDiscards: number;
}

const WRAP32 = 2 ** 32;
/** Sequence steps past half the range went back (sFlow sequence numbers are 32-bit). */
const SEQ_BACK = 2 ** 31;
/** The 32-bit counters summed into inPackets / outPackets (unicast, multicast, broadcast). */
const PACKET_COUNTERS = 3;

/** A 64-bit counter's increase; NaN when it went back. */
function delta64(now: number, before: number): number {
  return now >= before ? now - before : NaN;
}

/** The increase of a sum of `n` 32-bit counters, each wrapping at most once; NaN beyond that. */
function delta32(now: number, before: number, n = 1): number {
  let d = now - before;
  for (let k = 0; d < 0 && k < n; k++) d += WRAP32;
  return d >= 0 ? d : NaN;
}

/** The rates between samples `a` and `b` of one interface; null for a discontinuity. */
export function ratesBetween(exporter: string, a: InterfaceCounters, b: InterfaceCounters): InterfaceRate | null {
  const seconds = (b.atMs - a.atMs) / 1000;
  const step = (b.seq - a.seq) >>> 0;
  if (!(seconds > 0) || step === 0 || step >= SEQ_BACK) return null;
  const r: InterfaceRate = {
    exporter,
    ifIndex: b.ifIndex,
    speed: b.speed,
    inOctets: delta64(b.inOctets, a.inOctets) / seconds,
    outOctets: delta64(b.outOctets, a.outOctets) / seconds,
    inPackets: delta32(b.inPackets, a.inPackets, PACKET_COUNTERS) / seconds,
    outPackets: delta32(b.outPackets, a.outPackets, PACKET_COUNTERS) / seconds,
    inErrors: delta32(b.inErrors, a.inErrors) / seconds,
    outErrors: delta32(b.outErrors, a.outErrors) / seconds,
    inDiscards: delta32(b.inDiscards, a.inDiscards) / seconds,
    outDiscards: delta32(b.outDiscards, a.outDiscards) / seconds,
  };
  // Octets that went back mean the agent started again: none of this sample's deltas hold.
  return Number.isNaN(r.inOctets) || Number.isNaN(r.outOctets) ? null : r;
}

/**
 * Rates per interface between successive calls. Each call takes every agent's latest counters
 * (inline: the decoder's table; with workers: the agents merged from their reports) and returns
 * the rates of the interfaces with a newer sample than the one kept from before; interfaces of
 * agents no longer in the table are forgotten, so the state is as bounded as the decoders'.
 */
export function createInterfaceRates() {
  const last = new Map<string, InterfaceCounters>();
  return {
    next(agents: Iterable<AgentStats>): InterfaceRate[] {
      const out: InterfaceRate[] = [];
      const seen = new Set<string>();
      for (const a of agents) {
        for (const now of a.interfaces.values()) {
          const key = `${a.agent}/${a.subAgent}/${now.ifIndex}`;
          seen.add(key);
          const before = last.get(key);
          if (before !== undefined && before.atMs === now.atMs && before.seq === now.seq) continue; // no newer sample
          if (before !== undefined) {
            const r = ratesBetween(a.agent, before, now);
            if (r !== null) out.push(r);
          }
          last.set(key, { ...now });
        }
      }
      for (const key of last.keys()) if (!seen.has(key)) last.delete(key);
      return out;
    },
  };
}

export type InterfaceRates = ReturnType<typeof createInterfaceRates>;
