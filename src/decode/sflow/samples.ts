// The samples of a datagram (sFlow v5 "sample_record"): flow (1), counters (2), their expanded
// forms (3, 4) and discarded packets (5). Each sample's fixed fields are checked against its
// length before they are read; its records are walked within it.
import type { Faults } from "../faults.ts";
import { type AgentTable, flowSampleSeen } from "./agents.ts";
import { type SflowCounters, walkCounterRecords } from "./counters.ts";
import { type SflowFlow, resetPacket, u32 } from "./flow.ts";
import { pad4, walkFlowRecords } from "./records.ts";
import {
  COUNTER_EXPANDED_FIXED, COUNTER_SAMPLE_FIXED, DISCARDED_FIXED, FLOW_EXPANDED_FIXED, FLOW_SAMPLE_FIXED, FORMAT_BITS,
  FORMAT_MASK, INTERFACE_FORMAT_SHIFT, INTERFACE_IFINDEX, INTERFACE_UNKNOWN, INTERFACE_VALUE_MASK, SAMPLE_COUNTERS,
  SAMPLE_COUNTERS_EXPANDED, SAMPLE_DISCARDED, SAMPLE_FLOW, SAMPLE_FLOW_EXPANDED, SAMPLE_HEADER, SOURCE_INDEX_MASK,
  SOURCE_TYPE_SHIFT,
} from "./spec.ts";

/** Where decoded samples go: the batch, printed records, or both. */
export interface SflowSink {
  flow(f: SflowFlow): void;
  counters(f: SflowFlow, c: SflowCounters): void;
  dropped(f: SflowFlow): void;
}

type Agent = ReturnType<AgentTable["agent"]>;

export interface SampleState {
  readonly faults: Faults;
  readonly agents: AgentTable;
  readonly flow: SflowFlow;
  readonly counters: SflowCounters;
  /** The datagram's arrival, epoch ms (set by the caller: the decoder reads no clock). */
  arrivalMs: number;
}

/** sFlow v5 "interface" (compact): an ifIndex, else 0 (discarded, several interfaces, unknown). */
function compactInterface(v: number): number {
  if (v >>> INTERFACE_FORMAT_SHIFT !== INTERFACE_IFINDEX) return 0;
  const i = v & INTERFACE_VALUE_MASK;
  return i === INTERFACE_UNKNOWN ? 0 : i;
}

/** Walks `count` samples in b[p, end) of one datagram from agent `a`. */
export function walkSamples(st: SampleState, a: Agent, out: SflowSink, b: Uint8Array, p: number, end: number, count: number): void {
  const { faults } = st;
  for (let k = 0; k < count; k++) {
    if (end - p < SAMPLE_HEADER) {
      faults.sflowSampleCount++;
      return;
    }
    const format = u32(b, p);
    const len = u32(b, p + 4);
    p += SAMPLE_HEADER;
    if (len > end - p) {
      faults.sflowBadSampleLength++;
      return;
    }
    if (format >>> FORMAT_BITS !== 0) faults.sflowUnknownSample++;
    else if (!sample(st, a, out, format & FORMAT_MASK, b, p, p + len)) faults.sflowShortRecord++;
    p += Math.min(pad4(len), end - p);
  }
  if (p !== end) faults.sflowSampleCount++;
}

// One function per sample kind: the dispatch stays small enough for the JIT to inline into the
// walk, and the flow sample path holds no code of the other kinds.
function sample(st: SampleState, a: Agent, out: SflowSink, format: number, b: Uint8Array, p: number, end: number): boolean {
  if (format === SAMPLE_FLOW || format === SAMPLE_FLOW_EXPANDED) return flowSample(st, a, out, format, b, p, end);
  if (format === SAMPLE_COUNTERS || format === SAMPLE_COUNTERS_EXPANDED) return counterSample(st, a, out, format, b, p, end);
  if (format === SAMPLE_DISCARDED) return discardedSample(st, a, out, b, p, end);
  st.faults.sflowUnknownSample++;
  return true;
}

function flowSample(st: SampleState, a: Agent, out: SflowSink, format: number, b: Uint8Array, p: number, end: number): boolean {
  const f = st.flow;
  const expanded = format === SAMPLE_FLOW_EXPANDED;
  const fixed = expanded ? FLOW_EXPANDED_FIXED : FLOW_SAMPLE_FIXED;
  if (end - p < fixed) return false;
  f.format = format;
  f.seq = u32(b, p);
  if (expanded) {
    f.sourceType = u32(b, p + 4);
    f.sourceIndex = u32(b, p + 8);
    // sFlow v5 "interface_expanded": format 0 = ifIndex.
    f.inIf = u32(b, p + 24) === INTERFACE_IFINDEX ? u32(b, p + 28) : 0;
    f.outIf = u32(b, p + 32) === INTERFACE_IFINDEX ? u32(b, p + 36) : 0;
  } else {
    const source = u32(b, p + 4);
    f.sourceType = source >>> SOURCE_TYPE_SHIFT;
    f.sourceIndex = source & SOURCE_INDEX_MASK;
    f.inIf = compactInterface(u32(b, p + 20));
    f.outIf = compactInterface(u32(b, p + 24));
  }
  const q = expanded ? p + 12 : p + 8;
  f.rate = u32(b, q);
  f.pool = u32(b, q + 4);
  f.drops = u32(b, q + 8);
  f.reason = 0;
  resetPacket(f);
  walkFlowRecords(f, st.faults, b, p + fixed, end, u32(b, p + fixed - 4));
  flowSampleSeen(st.agents, a, f.sourceType, f.sourceIndex, f.seq, f.pool, f.drops);
  out.flow(f);
  return true;
}

function counterSample(st: SampleState, a: Agent, out: SflowSink, format: number, b: Uint8Array, p: number, end: number): boolean {
  const expanded = format === SAMPLE_COUNTERS_EXPANDED;
  const fixed = expanded ? COUNTER_EXPANDED_FIXED : COUNTER_SAMPLE_FIXED;
  if (end - p < fixed) return false;
  const c = st.counters;
  c.seq = u32(b, p);
  if (expanded) {
    c.sourceType = u32(b, p + 4);
    c.sourceIndex = u32(b, p + 8);
  } else {
    const source = u32(b, p + 4);
    c.sourceType = source >>> SOURCE_TYPE_SHIFT;
    c.sourceIndex = source & SOURCE_INDEX_MASK;
  }
  walkCounterRecords(c, st.faults, b, p + fixed, end, u32(b, p + fixed - 4));
  st.agents.counters(a, c, st.arrivalMs);
  out.counters(st.flow, c);
  return true;
}

function discardedSample(st: SampleState, a: Agent, out: SflowSink, b: Uint8Array, p: number, end: number): boolean {
  const f = st.flow;
  if (end - p < DISCARDED_FIXED) return false;
  f.format = SAMPLE_DISCARDED;
  f.seq = u32(b, p);
  f.sourceType = u32(b, p + 4);
  f.sourceIndex = u32(b, p + 8);
  f.drops = u32(b, p + 12);
  f.inIf = u32(b, p + 16);
  f.outIf = u32(b, p + 20);
  f.reason = u32(b, p + 24);
  f.rate = 1;
  f.pool = 0;
  resetPacket(f);
  walkFlowRecords(f, st.faults, b, p + DISCARDED_FIXED, end, u32(b, p + DISCARDED_FIXED - 4));
  st.agents.discarded(a, f.reason);
  out.dropped(f);
  return true;
}
