// The flow records of a flow or discarded-packet sample (sFlow v5 "flow_record"), walked with
// every length checked against its sample; what they say goes into the sample's SflowFlow.
import type { Faults } from "../faults.ts";
import { AS_PATH_MAX, COMMUNITIES_MAX, type SflowFlow, u32 } from "./flow.ts";
import { START_ETHERNET, START_IPV4, START_IPV6, parsePacket } from "./packet.ts";
import {
  ADDRESS_IPV4, ADDRESS_IPV6, EXTENDED_SWITCH_LEN, FLOW_EXTENDED_GATEWAY, FLOW_EXTENDED_ROUTER, FLOW_EXTENDED_SWITCH,
  FLOW_SAMPLED_ETHERNET, FLOW_SAMPLED_HEADER, FLOW_SAMPLED_IPV4, FLOW_SAMPLED_IPV6, FORMAT_BITS, FORMAT_MASK,
  HEADER_ETHERNET, HEADER_IPV4, HEADER_IPV6, RECORD_HEADER, SAMPLED_ETHERNET_LEN, SAMPLED_HEADER_FIXED,
  SAMPLED_IPV4_LEN, SAMPLED_IPV6_LEN,
} from "./spec.ts";

/** XDR pads opaque data to 4 bytes (RFC 4506 section 4.10). */
export const pad4 = (n: number) => (n + 3) & ~3;

/** Walks `count` records in b[p, end) (sFlow v5 "flow_record flow_records<>"). */
export function walkFlowRecords(f: SflowFlow, faults: Faults, b: Uint8Array, p: number, end: number, count: number): void {
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
    if (format >>> FORMAT_BITS !== 0) faults.sflowUnknownRecord++;
    else if (!flowRecord(f, faults, format & FORMAT_MASK, b, p, p + len)) faults.sflowShortRecord++;
    p += Math.min(pad4(len), end - p);
  }
  if (p !== end) faults.sflowRecordCount++;
}

/**
 * One record in b[p, end); false when it is shorter than its format says. Each format has its own
 * function, so this dispatch and the common raw header's stay small enough for the JIT to inline.
 */
function flowRecord(f: SflowFlow, faults: Faults, format: number, b: Uint8Array, p: number, end: number): boolean {
  switch (format) {
    case FLOW_SAMPLED_HEADER:
      return sampledHeader(f, b, p, end);
    case FLOW_SAMPLED_ETHERNET:
      return sampledEthernet(f, b, p, end);
    case FLOW_SAMPLED_IPV4:
    case FLOW_SAMPLED_IPV6:
      return sampledIp(f, format === FLOW_SAMPLED_IPV6, b, p, end);
    case FLOW_EXTENDED_SWITCH:
      return extendedSwitch(f, b, p, end);
    case FLOW_EXTENDED_ROUTER:
      return router(f, faults, b, p, end);
    case FLOW_EXTENDED_GATEWAY:
      return gateway(f, faults, b, p, end);
    default:
      faults.sflowUnknownRecord++;
      return true;
  }
}

/** sFlow v5 "sampled_header" (1). */
function sampledHeader(f: SflowFlow, b: Uint8Array, p: number, end: number): boolean {
  const len = end - p;
  if (len < SAMPLED_HEADER_FIXED) return false;
  const protocol = u32(b, p);
  const frame = u32(b, p + 4);
  const stripped = u32(b, p + 8);
  const headerLen = u32(b, p + 12);
  if (headerLen > len - SAMPLED_HEADER_FIXED) return false;
  const frameL3 = Math.max(0, frame - stripped);
  const start = protocol === HEADER_ETHERNET ? START_ETHERNET : protocol === HEADER_IPV4 ? START_IPV4
    : protocol === HEADER_IPV6 ? START_IPV6 : -1;
  if (start >= 0) parsePacket(f, b, p + SAMPLED_HEADER_FIXED, p + SAMPLED_HEADER_FIXED + headerLen, frameL3, start, false);
  else f.frameL3 = frameL3;
  return true;
}

/** sFlow v5 "sampled_ethernet" (2). */
function sampledEthernet(f: SflowFlow, b: Uint8Array, p: number, end: number): boolean {
  if (end - p < SAMPLED_ETHERNET_LEN) return false;
  if (f.srcMacAt < 0) {
    f.srcMacAt = p + 4; // opaque<6>, padded to 8
    f.dstMacAt = p + 12;
  }
  // sFlow v5: the MAC packet's length including FCS; without IP the layer-3 part is that less header and FCS.
  if (f.frameL3 < 0) f.frameL3 = Math.max(0, u32(b, p) - 18);
  return true;
}

/** sFlow v5 "sampled_ipv4" (3) and "sampled_ipv6" (4). */
function sampledIp(f: SflowFlow, v6: boolean, b: Uint8Array, p: number, end: number): boolean {
  if (end - p < (v6 ? SAMPLED_IPV6_LEN : SAMPLED_IPV4_LEN)) return false;
  if (f.family !== 0) return true; // the raw header said it already
  f.family = v6 ? 6 : 4;
  f.ipLength = u32(b, p);
  f.proto = u32(b, p + 4) & 0xff;
  const words = v6 ? 4 : 1;
  for (let w = 0; w < 4; w++) {
    f.src[w] = w < words ? u32(b, p + 8 + 4 * w) : 0;
    f.dst[w] = w < words ? u32(b, p + 8 + 4 * words + 4 * w) : 0;
  }
  const q = p + 8 + 8 * words;
  f.srcPort = u32(b, q) & 0xffff;
  f.dstPort = u32(b, q + 4) & 0xffff;
  f.hasPorts = true;
  f.tcpFlags = u32(b, q + 8) & 0x1ff;
  f.tos = u32(b, q + 12) & 0xff;
  return true;
}

/** sFlow v5 "extended_switch" (1001). */
function extendedSwitch(f: SflowFlow, b: Uint8Array, p: number, end: number): boolean {
  if (end - p < EXTENDED_SWITCH_LEN) return false;
  f.extended = true;
  f.srcVlan = u32(b, p) & 0xfff;
  f.dstVlan = u32(b, p + 8) & 0xfff;
  return true;
}

/** sFlow v5 "extended_router" (1002). */
function router(f: SflowFlow, faults: Faults, b: Uint8Array, p: number, end: number): boolean {
  f.extended = true;
  const q = readAddress(b, p, end, f.nextHop, faults);
  if (q === -2) return true;
  if (q < 0 || end - q < 8) return false;
  f.nextHopFamily = u32(b, p) === ADDRESS_IPV4 ? 4 : 6;
  f.srcMask = Math.min(u32(b, q), 128);
  f.dstMask = Math.min(u32(b, q + 4), 128);
  return true;
}

/**
 * sFlow v5 "address" at p into `out` (4 words); returns the position after it, -1 when it runs
 * past `end`, -2 when its type is unknown (counted as sflowBadAddress).
 */
export function readAddress(b: Uint8Array, p: number, end: number, out: Uint32Array, faults: Faults): number {
  if (end - p < 4) return -1;
  const type = u32(b, p);
  const words = type === ADDRESS_IPV4 ? 1 : type === ADDRESS_IPV6 ? 4 : 0;
  if (words === 0) {
    faults.sflowBadAddress++;
    return -2;
  }
  if (end - p - 4 < 4 * words) return -1;
  for (let w = 0; w < 4; w++) out[w] = w < words ? u32(b, p + 4 + 4 * w) : 0;
  return p + 4 + 4 * words;
}

/** sFlow v5 "extended_gateway" (1003): next hop, AS numbers, AS path, communities, local_pref. */
function gateway(f: SflowFlow, faults: Faults, b: Uint8Array, p: number, end: number): boolean {
  f.extended = true;
  let q = readAddress(b, p, end, f.bgpNextHop, faults);
  if (q === -2) return true;
  if (q < 0 || end - q < 16) return false;
  f.bgpNextHopFamily = u32(b, p) === ADDRESS_IPV4 ? 4 : 6;
  f.localAs = u32(b, q);
  f.srcAs = u32(b, q + 4);
  f.peerAs = u32(b, q + 8);
  const segments = u32(b, q + 12);
  q += 16;
  f.asPathLen = 0;
  let last = 0;
  for (let s = 0; s < segments; s++) {
    if (end - q < 8) return false;
    const n = u32(b, q + 4);
    q += 8;
    if (n > (end - q) / 4) return false;
    for (let k = 0; k < n; k++) {
      last = u32(b, q + 4 * k);
      if (f.asPathLen < AS_PATH_MAX) f.asPath[f.asPathLen++] = last;
    }
    q += 4 * n;
  }
  // The origin AS ends the path; an empty path means the destination is the router's own AS.
  f.dstAs = segments > 0 && f.asPathLen > 0 ? last : f.localAs;
  if (end - q < 4) return false;
  const communities = u32(b, q);
  q += 4;
  if (communities > (end - q) / 4) return false;
  f.communitiesLen = Math.min(communities, COMMUNITIES_MAX);
  for (let k = 0; k < f.communitiesLen; k++) f.communities[k] = u32(b, q + 4 * k);
  f.hasGateway = true;
  return true;
}
