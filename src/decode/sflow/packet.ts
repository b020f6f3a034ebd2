// The sampled header of an sFlow flow sample (sFlow v5 "sampled_header"): the first bytes of the
// packet (often 128), parsed as far as they go for the flow key. A header cut short is normal
// (the agent truncates it), so running out of bytes ends the parse without a fault.
import { type SflowFlow, u32 } from "./flow.ts";
import { dnsName, tlsServerName } from "./names.ts";

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
const mac = (b: Uint8Array, p: number) => u16(b, p) * 4294967296 + u32(b, p + 2);

/**
 * An Ethernet frame in b[p, end); `frameL3` is the frame length less stripped bytes (for samples
 * without IP). `inner`: a VXLAN payload, whose keys replace the outer ones but whose octets do not
 * (the link carried the outer packet).
 */
export function parseEthernet(f: SflowFlow, b: Uint8Array, p: number, end: number, frameL3: number, inner: boolean): void {
  if (end - p < ETHERNET_HEADER) return;
  if (!inner) {
    f.dstMac = mac(b, p);
    f.srcMac = mac(b, p + 6);
  }
  let q = p + 12;
  let type = u16(b, q);
  q += 2;
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
    let labels = 0;
    for (;;) {
      if (end - q < MPLS_ENTRY || labels === MPLS_LABELS_MAX) return;
      const bottom = b[q + 2]! & MPLS_BOTTOM;
      q += MPLS_ENTRY;
      labels++;
      if (bottom) break;
    }
    // RFC 3032 leaves the payload's protocol to the label's binding: the IP version nibble tells.
    const v = end > q ? b[q]! >> 4 : 0;
    type = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
  }
  if (!inner && frameL3 >= 0) f.frameL3 = Math.max(0, frameL3 - (q - p));
  if (type === ETHERTYPE_IPV4) parseIpv4(f, b, q, end, inner);
  else if (type === ETHERTYPE_IPV6) parseIpv6(f, b, q, end, inner);
}

export function parseIpv4(f: SflowFlow, b: Uint8Array, p: number, end: number, inner: boolean): void {
  if (end - p < IPV4_MIN_HEADER || b[p]! >> 4 !== 4) return;
  const ihl = (b[p]! & 0x0f) * 4;
  if (ihl < IPV4_MIN_HEADER) return;
  f.family = 4;
  f.tos = b[p + 1]!;
  if (!inner) f.ipLength = u16(b, p + 2);
  f.proto = b[p + 9]!;
  f.src[0] = u32(b, p + 12);
  f.dst[0] = u32(b, p + 16);
  f.src[1] = f.src[2] = f.src[3] = f.dst[1] = f.dst[2] = f.dst[3] = 0;
  f.hasPorts = false;
  f.icmp = false;
  f.srcPort = f.dstPort = f.tcpFlags = 0;
  f.fragment = (u16(b, p + 6) & IPV4_OFFSET_MASK) !== 0;
  if (!f.fragment) parseTransport(f, b, p + ihl, end, inner);
}

export function parseIpv6(f: SflowFlow, b: Uint8Array, p: number, end: number, inner: boolean): void {
  if (end - p < IPV6_HEADER || b[p]! >> 4 !== 6) return;
  f.family = 6;
  f.tos = ((b[p]! & 0x0f) << 4) | (b[p + 1]! >> 4);
  const payload = u16(b, p + 4);
  // A zero payload length is a jumbogram (RFC 2675): the frame length stands in.
  if (!inner && payload > 0) f.ipLength = payload + IPV6_HEADER;
  for (let w = 0; w < 4; w++) {
    f.src[w] = u32(b, p + 8 + 4 * w);
    f.dst[w] = u32(b, p + 24 + 4 * w);
  }
  f.hasPorts = false;
  f.icmp = false;
  f.srcPort = f.dstPort = f.tcpFlags = 0;
  f.fragment = false;
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
  if (!f.fragment && q <= end) parseTransport(f, b, q, end, inner);
}

function parseTransport(f: SflowFlow, b: Uint8Array, q: number, end: number, inner: boolean): void {
  const p = f.proto;
  if (p === PROTO_ICMP || p === PROTO_ICMPV6) {
    if (end - q < 2) return;
    // As NetFlow v5 exporters report ICMP: type and code in the destination port.
    f.dstPort = (b[q]! << 8) | b[q + 1]!;
    f.hasPorts = true;
    f.icmp = true;
    return;
  }
  if (p !== PROTO_TCP && p !== PROTO_UDP && p !== PROTO_SCTP) return;
  if (end - q < 4) return;
  f.srcPort = u16(b, q);
  f.dstPort = u16(b, q + 2);
  f.hasPorts = true;
  if (p === PROTO_TCP && end - q >= 14) {
    f.tcpFlags = ((b[q + 12]! & 0x01) << 8) | b[q + 13]!;
    tlsServerName(f, b, q + (b[q + 12]! >> 4) * 4, end);
  }
  if (p !== PROTO_UDP) return;
  if (f.srcPort === DNS_PORT) dnsName(f, b, q + UDP_HEADER, end);
  else if (!inner && f.dstPort === VXLAN_PORT && end - q >= UDP_HEADER + VXLAN_HEADER && (b[q + 8]! & VXLAN_FLAG_I) !== 0) {
    f.vni = u32(b, q + 12) >>> 8;
    parseEthernet(f, b, q + UDP_HEADER + VXLAN_HEADER, end, -1, true);
  }
}
