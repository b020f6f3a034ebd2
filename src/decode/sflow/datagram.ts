// sFlow v5 "sFlow Datagram": version, agent address, sub-agent id, sequence number, uptime and
// the samples. Pure and bounded: every length and count is checked against what remains, faults
// are counted, nothing throws.
import type { Faults } from "../faults.ts";
import { type AgentTable, createAgentTable } from "./agents.ts";
import { createCounters } from "./counters.ts";
import { createFlow, u32 } from "./flow.ts";
import { readAddress } from "./records.ts";
import { type SampleState, type SflowSink, walkSamples } from "./samples.ts";
import { ADDRESS_IPV4, DATAGRAM_HEADER_FIXED, DATAGRAM_HEADER_REST, SFLOW_VERSION } from "./spec.ts";

export type { SflowSink } from "./samples.ts";

/** An sFlow v5 datagram starts with the 32-bit version 5; NetFlow v5 with the 16-bit 00 05. */
export function isSflow(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 0 && b[3] === SFLOW_VERSION;
}

export interface SflowDecoder extends SampleState {
  readonly agents: AgentTable;
}

export function createSflowDecoder(faults: Faults): SflowDecoder {
  return { faults, agents: createAgentTable(faults), flow: createFlow(), counters: createCounters(), arrivalMs: 0 };
}

/** Decodes one datagram (isSflow is true) into `out`. */
export function decodeSflow(st: SflowDecoder, b: Uint8Array, out: SflowSink): void {
  const { faults, flow: f } = st;
  const end = b.length;
  if (end < DATAGRAM_HEADER_FIXED) {
    faults.truncatedHeader++;
    return;
  }
  const p = readAddress(b, 4, end, f.agent, faults);
  if (p === -2) return;
  if (p < 0 || end - p < DATAGRAM_HEADER_REST) {
    faults.truncatedHeader++;
    return;
  }
  f.agentFamily = u32(b, 4) === ADDRESS_IPV4 ? 4 : 6;
  f.bytes = b;
  f.subAgent = u32(b, p);
  const a = st.agents.agent(f.agentFamily, f.agent, f.subAgent);
  a.datagrams++;
  walkSamples(st, a, out, b, p + DATAGRAM_HEADER_REST, end, u32(b, p + 12));
}
