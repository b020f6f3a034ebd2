// Counter samples' records (sFlow v5 "counter_record"): generic interface (1) and Ethernet (2)
// counters, named as IF-MIB and EtherLike-MIB name them. Values go into fixed Float64Arrays of one
// scratch object per decoder (64-bit counters are exact up to 2^53).
import type { Faults } from "../faults.ts";
import { u32 } from "./flow.ts";
import { pad4 } from "./records.ts";
import {
  COUNTERS_ETHERNET, COUNTERS_GENERIC_INTERFACE, ETHERNET_COUNTERS_LEN, FORMAT_BITS, FORMAT_MASK,
  GENERIC_INTERFACE_LEN, RECORD_HEADER,
} from "./spec.ts";

/** sFlow v5 "if_counters", in wire order, with each field's size in bytes. */
export const GENERIC_INTERFACE_FIELDS: readonly (readonly [string, 4 | 8])[] = [
  ["ifIndex", 4], ["ifType", 4], ["ifSpeed", 8], ["ifDirection", 4], ["ifStatus", 4], ["ifInOctets", 8],
  ["ifInUcastPkts", 4], ["ifInMulticastPkts", 4], ["ifInBroadcastPkts", 4], ["ifInDiscards", 4], ["ifInErrors", 4],
  ["ifInUnknownProtos", 4], ["ifOutOctets", 8], ["ifOutUcastPkts", 4], ["ifOutMulticastPkts", 4],
  ["ifOutBroadcastPkts", 4], ["ifOutDiscards", 4], ["ifOutErrors", 4], ["ifPromiscuousMode", 4],
];

/** Positions in GENERIC_INTERFACE_FIELDS (and SflowCounters.generic) of the values kept per interface. */
export const G_IF_INDEX = 0;
export const G_SPEED = 2;
export const G_IN_OCTETS = 5;
export const G_IN_UCAST = 6; // then multicast, broadcast
export const G_IN_DISCARDS = 9;
export const G_IN_ERRORS = 10;
export const G_OUT_OCTETS = 12;
export const G_OUT_UCAST = 13; // then multicast, broadcast
export const G_OUT_DISCARDS = 16;
export const G_OUT_ERRORS = 17;

/** sFlow v5 "ethernet_counters" (EtherLike-MIB dot3StatsEntry), all 32-bit. */
export const ETHERNET_FIELDS: readonly string[] = [
  "dot3StatsAlignmentErrors", "dot3StatsFCSErrors", "dot3StatsSingleCollisionFrames",
  "dot3StatsMultipleCollisionFrames", "dot3StatsSQETestErrors", "dot3StatsDeferredTransmissions",
  "dot3StatsLateCollisions", "dot3StatsExcessiveCollisions", "dot3StatsInternalMacTransmitErrors",
  "dot3StatsCarrierSenseErrors", "dot3StatsFrameTooLongs", "dot3StatsInternalMacReceiveErrors",
  "dot3StatsSymbolErrors",
];

export interface SflowCounters {
  seq: number;
  sourceType: number;
  sourceIndex: number;
  hasGeneric: boolean;
  readonly generic: Float64Array; // GENERIC_INTERFACE_FIELDS order
  hasEthernet: boolean;
  readonly ethernet: Float64Array; // ETHERNET_FIELDS order
}

export function createCounters(): SflowCounters {
  return {
    seq: 0, sourceType: 0, sourceIndex: 0,
    hasGeneric: false, generic: new Float64Array(GENERIC_INTERFACE_FIELDS.length),
    hasEthernet: false, ethernet: new Float64Array(ETHERNET_FIELDS.length),
  };
}

/** Walks `count` counter records in b[p, end) into c. */
export function walkCounterRecords(c: SflowCounters, faults: Faults, b: Uint8Array, p: number, end: number, count: number): void {
  c.hasGeneric = false;
  c.hasEthernet = false;
  for (let k = 0; k < count; k++) {
    if (end - p < RECORD_HEADER) {
      faults.sflowRecordCount++;
      return;
    }
    const format = u32(b, p);
    const len = u32(b, p + 4);
    p += RECORD_HEADER;
    if (len > end - p) {
      faults.sflowBadRecordLength++;
      return;
    }
    const known = format >>> FORMAT_BITS === 0 ? format & FORMAT_MASK : 0;
    if (known === COUNTERS_GENERIC_INTERFACE) {
      if (len < GENERIC_INTERFACE_LEN) faults.sflowShortRecord++;
      else {
        let q = p;
        GENERIC_INTERFACE_FIELDS.forEach(([, size], i) => {
          c.generic[i] = size === 8 ? u32(b, q) * 4294967296 + u32(b, q + 4) : u32(b, q);
          q += size;
        });
        c.hasGeneric = true;
      }
    } else if (known === COUNTERS_ETHERNET) {
      if (len < ETHERNET_COUNTERS_LEN) faults.sflowShortRecord++;
      else {
        for (let i = 0; i < ETHERNET_FIELDS.length; i++) c.ethernet[i] = u32(b, p + 4 * i);
        c.hasEthernet = true;
      }
    } else faults.sflowUnknownRecord++;
    p += Math.min(pad4(len), end - p);
  }
  if (p !== end) faults.sflowRecordCount++;
}
