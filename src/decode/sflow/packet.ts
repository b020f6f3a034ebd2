// The sampled header of an sFlow flow sample (sFlow v5 "sampled_header"): the first bytes of the
// packet (often 128), parsed as far as they go for the flow key. A header cut short is normal
// (the agent truncates it), so running out of bytes ends the parse without a fault.
import { type SflowFlow, u32 } from "./flow.ts";
import { TLS_HANDSHAKE, dnsName, tlsServerName } from "./names.ts";

// IEEE 802 EtherTypes.
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag
const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard double tagging
const ETHERTYPE_MPLS = 0x8847; // RFC 3032
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERNET_HEADER = 14;
const VLAN_TAG = 4;
const VLAN_ID_MASK = 0x0fff;
const TAGS_MAX = 4; // more stacked tags than this is not a real frame
const MPLS_ENTRY = 4; // RFC 3032 section 2.1: label 20 bits, TC 3, S (bottom of stack) 1, TTL 8
const MPLS_BOTTOM = 0x01; // the S bit, in the entry's third byte
const MPLS_LABELS_MAX = 16;

// IP, RFC 791 section 3.1 and RFC 8200 sections 3-4.
const IPV4_MIN_HEADER = 20;
const IPV4_OFFSET_MASK = 0x1fff; // fragment offset, in 8-byte units: non-zero = not the first fragment
const IPV6_HEADER = 40;
const IPV6_FRAGMENT_OFFSET_SHIFT = 3; // RFC 8200 section 4.5: offset in the top 13 bits
const EXT_HEADERS_MAX = 8;
const PROTO_HOPOPTS = 0;
const PROTO_ICMP = 1;
const PROTO_TCP = 6;
const PROTO_UDP = 17;
const PROTO_ROUTING = 43;
const PROTO_FRAGMENT = 44;
const PROTO_AH = 51; // RFC 4302: length in 4-byte units minus 2
const PROTO_ICMPV6 = 58;
const PROTO_DSTOPTS = 60;
const PROTO_SCTP = 132;
const PROTO_MOBILITY = 135;
const PROTO_HIP = 139;
const PROTO_SHIM6 = 140;

// VXLAN, RFC 7348 section 5: UDP port 4789, 8-byte header with the I flag and a 24-bit VNI.
const VXLAN_PORT = 4789;
const VXLAN_HEADER = 8;
const VXLAN_FLAG_I = 0x08;
const DNS_PORT = 53;
const UDP_HEADER = 8;

const u16 = (b: Uint8Array, p: number) => (b[p]! << 8) | b[p + 1]!;

/** What the sampled header starts with (sFlow v5 "header_protocol", as an EtherType). */
export const START_ETHERNET = 0;
export const START_IPV4 = ETHERTYPE_IPV4;
export const START_IPV6 = ETHERTYPE_IPV6;

/**
 * The packet in b[p, end), starting with an Ethernet header or (`start`) an IP header; `frameL3`
 * is the frame length less stripped bytes (for samples without IP). `inner`: a VXLAN payload,
 * whose keys replace the outer ones but whose octets do not (the link carried the outer packet).
 * The common layers (Ethernet, 802.1Q, IPv4, TCP/UDP) are walked here in one function, which the
 * JIT compiles as one piece; the rarer ones (MPLS, IPv6 extension headers, payload names, VXLAN)
 * are helpers.
 */
export function parsePacket(f: SflowFlow, b: Uint8Array, p: number, end: number, frameL3: number, start: number, inner: boolean): void {
  let q = p;
  let type = start;
  if (start === START_ETHERNET) {
    if (end - p < ETHERNET_HEADER) return;
    if (!inner) {
      f.dstMacAt = p;
      f.srcMacAt = p + 6;
    }
    type = u16(b, p + 12);
    q = p + ETHERNET_HEADER;
    for (let tags = 0; (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) && tags < TAGS_MAX; tags++) {
      if (end - q < VLAN_TAG) return;
      const vid = u16(b, q) & VLAN_ID_MASK;
      if (!inner) {
        if (f.vlan < 0) f.vlan = vid;
        else if (f.innerVlan < 0) f.innerVlan = vid;
      }
      type = u16(b, q + 2);
      q += VLAN_TAG;
    }
    if (type === ETHERTYPE_MPLS || type === ETHERTYPE_MPLS_MULTICAST) {
      q = skipLabels(b, q, end);
      if (q < 0) return;
      // RFC 3032 leaves the payload's protocol to the label's binding: the IP version nibble tells.
      const v = end > q ? b[q]! >> 4 : 0;
      type = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
    }
    if (!inner && frameL3 >= 0) f.frameL3 = Math.max(0, frameL3 - (q - p));
  } else if (!inner) f.frameL3 = frameL3;
  // Layer 3: t becomes the transport header's position.
  let t: number;
  if (type === ETHERTYPE_IPV4) {
    if (end - q < IPV4_MIN_HEADER || b[q]! >> 4 !== 4) return;
    const ihl = (b[q]! & 0x0f) * 4;
    if (ihl < IPV4_MIN_HEADER) return;
    if (f.family !== 0) clearLayer3(f);
    f.family = 4;
    f.tos = b[q + 1]!;
    if (!inner) f.ipLength = u16(b, q + 2);
    f.proto = b[q + 9]!;
    f.src[0] = u32(b, q + 12);
    f.dst[0] = u32(b, q + 16);
    f.fragment = (u16(b, q + 6) & IPV4_OFFSET_MASK) !== 0;
    if (f.fragment) return;
    t = q + ihl;
  } else if (type === ETHERTYPE_IPV6) {
    t = parseIpv6(f, b, q, end, inner);
    if (t < 0) return;
  } else return;
  // Layer 4.
  const proto = f.proto;
  if (proto === PROTO_TCP || proto === PROTO_UDP || proto === PROTO_SCTP) {
    if (end - t < 4) return;
    f.srcPort = u16(b, t);
    f.dstPort = u16(b, t + 2);
    f.hasPorts = true;
    if (proto === PROTO_TCP && end - t >= 14) {
      f.tcpFlags = ((b[t + 12]! & 0x01) << 8) | b[t + 13]!;
      const data = t + (b[t + 12]! >> 4) * 4;
      if (end > data && b[data] === TLS_HANDSHAKE) tlsServerName(f, b, data, end);
    } else if (proto === PROTO_UDP && (f.srcPort === DNS_PORT || f.dstPort === VXLAN_PORT)) udpPayload(f, b, t, end, inner);
  } else if ((proto === PROTO_ICMP || proto === PROTO_ICMPV6) && end - t >= 2) {
    // As NetFlow v5 exporters report ICMP: type and code in the destination port.
    f.dstPort = u16(b, t);
    f.hasPorts = true;
    f.icmp = true;
  }
}

/** The position after the MPLS label stack at q; -1 when it runs past `end` or is too deep. */
function skipLabels(b: Uint8Array, q: number, end: number): number {
  for (let labels = 0; labels < MPLS_LABELS_MAX; labels++) {
    if (end - q < MPLS_ENTRY) return -1;
    const bottom = b[q + 2]! & MPLS_BOTTOM;
    q += MPLS_ENTRY;
    if (bottom) return q;
  }
  return -1;
}

/** The IPv6 header and extension headers at p; the transport header's position, -1 = none. */
function parseIpv6(f: SflowFlow, b: Uint8Array, p: number, end: number, inner: boolean): number {
  if (end - p < IPV6_HEADER || b[p]! >> 4 !== 6) return -1;
  if (f.family !== 0) clearLayer3(f);
  f.family = 6;
  f.tos = ((b[p]! & 0x0f) << 4) | (b[p + 1]! >> 4);
  const payload = u16(b, p + 4);
  // A zero payload length is a jumbogram (RFC 2675): the frame length stands in.
  if (!inner && payload > 0) f.ipLength = payload + IPV6_HEADER;
  for (let w = 0; w < 4; w++) {
    f.src[w] = u32(b, p + 8 + 4 * w);
    f.dst[w] = u32(b, p + 24 + 4 * w);
  }
  let next = b[p + 6]!;
  let q = p + IPV6_HEADER;
  for (let k = 0; k < EXT_HEADERS_MAX; k++) {
    if (next === PROTO_FRAGMENT) {
      if (end - q < 8) break;
      f.fragment = u16(b, q + 2) >> IPV6_FRAGMENT_OFFSET_SHIFT !== 0;
      next = b[q]!;
      q += 8;
    } else if (next === PROTO_HOPOPTS || next === PROTO_ROUTING || next === PROTO_DSTOPTS
      || next === PROTO_MOBILITY || next === PROTO_HIP || next === PROTO_SHIM6 || next === PROTO_AH) {
      if (end - q < 2) break;
      const len = next === PROTO_AH ? (b[q + 1]! + 2) * 4 : (b[q + 1]! + 1) * 8;
      next = b[q]!;
      q += len;
    } else break;
  }
  f.proto = next;
  return f.fragment || q > end ? -1 : q;
}

/**
 * What an outer layer (the VXLAN carrier) or an earlier record (sampled IPv4/IPv6) set and the
 * packet now replaces; after resetPacket these are clear already.
 */
function clearLayer3(f: SflowFlow): void {
  f.src[1] = f.src[2] = f.src[3] = f.dst[1] = f.dst[2] = f.dst[3] = 0;
  f.hasPorts = false;
  f.icmp = false;
  f.srcPort = f.dstPort = f.tcpFlags = 0;
  f.fragment = false;
}

/** A DNS response or a VXLAN packet in the UDP datagram at q. */
function udpPayload(f: SflowFlow, b: Uint8Array, q: number, end: number, inner: boolean): void {
  if (f.srcPort === DNS_PORT) dnsName(f, b, q + UDP_HEADER, end);
  else if (!inner && end - q >= UDP_HEADER + VXLAN_HEADER && (b[q + 8]! & VXLAN_FLAG_I) !== 0) {
    f.vni = u32(b, q + 12) >>> 8;
    parsePacket(f, b, q + UDP_HEADER + VXLAN_HEADER, end, -1, START_ETHERNET, true);
  }
}
