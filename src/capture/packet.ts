// Finds the UDP datagram inside one captured link-layer frame. Pure byte walking, bounds-checked
// against the captured length; the answer goes into a scratch object the caller reuses, so
// scanning a capture allocates nothing for the frames it skips.

// Link types: https://www.tcpdump.org/linktypes.html
export const LINKTYPE_NULL = 0; // BSD loopback, 4-byte address family in the writer's byte order
export const LINKTYPE_ETHERNET = 1;
export const DLT_RAW_BSD = 12; // raw IP as some BSDs number it in files
export const DLT_RAW_OPENBSD = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108; // OpenBSD loopback, address family in network byte order
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad
const ETHERTYPE_QINQ_OLD = 0x9100; // pre-standard double tagging

const IPPROTO_HOPOPTS = 0; // RFC 8200 section 4.3
const IPPROTO_UDP = 17;
const IPPROTO_ROUTING = 43; // RFC 8200 section 4.4
const IPPROTO_FRAGMENT = 44; // RFC 8200 section 4.5
const IPPROTO_AH = 51; // RFC 4302 section 2.2: length in 4-octet units minus 2
const IPPROTO_DSTOPTS = 60; // RFC 8200 section 4.6

export const Outcome = {
  Udp: 0,
  NotUdp: 1, // another protocol or link type, or not IP at all
  Fragment: 2, // one piece of a fragmented UDP datagram (the frag* fields say which)
  Truncated: 3, // cut by the snap length, or lengths that contradict each other
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** Where the datagram's pieces sit in the frame's buffer (absolute offsets). */
export interface UdpView {
  family: 4 | 6;
  srcAt: number;
  dstAt: number;
  srcPort: number;
  dstPort: number;
  payloadStart: number;
  payloadEnd: number;
  // Set when the outcome is Fragment: which datagram the piece belongs to and where it goes.
  fragId: number;
  fragOffset: number; // bytes from the start of the fragmented UDP datagram
  fragMore: boolean;
  fragStart: number; // the piece, absolute offsets in the frame's buffer
  fragEnd: number;
}

export function newUdpView(): UdpView {
  return {
    family: 4, srcAt: 0, dstAt: 0, srcPort: 0, dstPort: 0, payloadStart: 0, payloadEnd: 0,
    fragId: 0, fragOffset: 0, fragMore: false, fragStart: 0, fragEnd: 0,
  };
}

const u16 = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);

/** Reads the frame b[start, end) of the given link type into `out`. */
export function udpInFrame(linkType: number, b: Uint8Array, start: number, end: number, out: UdpView): Outcome {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return end - start < 14 ? Outcome.Truncated : etherPayload(b, start + 12, end, out);
    case LINKTYPE_LINUX_SLL: // 16-byte header, protocol last
      return end - start < 16 ? Outcome.Truncated : etherPayload(b, start + 14, end, out);
    case LINKTYPE_LINUX_SLL2: // 20-byte header, protocol first
      return end - start < 20 ? Outcome.Truncated : etherType(b, u16(b, start), start + 20, end, out);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return end - start < 4 ? Outcome.Truncated : ipPacket(b, start + 4, end, out);
    case LINKTYPE_RAW:
    case DLT_RAW_BSD:
    case DLT_RAW_OPENBSD:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return ipPacket(b, start, end, out);
    default:
      return Outcome.NotUdp;
  }
}

/** `at` points to an EtherType field; VLAN tags in front of the real one are stepped over. */
function etherPayload(b: Uint8Array, at: number, end: number, out: UdpView): Outcome {
  let type = u16(b, at);
  at += 2;
  while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
    if (at + 4 > end) return Outcome.Truncated;
    type = u16(b, at + 2);
    at += 4;
  }
  return etherType(b, type, at, end, out);
}

function etherType(b: Uint8Array, type: number, at: number, end: number, out: UdpView): Outcome {
  if (type !== ETHERTYPE_IPV4 && type !== ETHERTYPE_IPV6) return Outcome.NotUdp;
  return ipPacket(b, at, end, out);
}

function ipPacket(b: Uint8Array, at: number, end: number, out: UdpView): Outcome {
  if (at >= end) return Outcome.Truncated;
  const version = (b[at] ?? 0) >> 4;
  if (version === 4) return ipv4(b, at, end, out);
  if (version === 6) return ipv6(b, at, end, out);
  return Outcome.NotUdp;
}

/** RFC 791 section 3.1. */
function ipv4(b: Uint8Array, at: number, end: number, out: UdpView): Outcome {
  if (end - at < 20) return Outcome.Truncated;
  const ihl = ((b[at] ?? 0) & 0x0f) * 4;
  const total = u16(b, at + 2);
  if (ihl < 20 || total < ihl) return Outcome.Truncated;
  if ((b[at + 9] ?? 0) !== IPPROTO_UDP) return Outcome.NotUdp;
  // Ethernet pads short frames: the IP total length, not the frame, ends the packet.
  if (at + total > end) return Outcome.Truncated;
  out.family = 4;
  out.srcAt = at + 12;
  out.dstAt = at + 16;
  const frag = u16(b, at + 6);
  if ((frag & 0x3fff) !== 0) {
    // MF (0x2000) or a non-zero offset (low 13 bits, 8-octet units): one piece of a datagram.
    return fragment(u16(b, at + 4), (frag & 0x1fff) * 8, (frag & 0x2000) !== 0, at + ihl, at + total, out);
  }
  return udp(b, at + ihl, at + total, out);
}

/** RFC 8200 section 3, walking the extension headers of section 4 up to UDP. */
function ipv6(b: Uint8Array, at: number, end: number, out: UdpView): Outcome {
  if (end - at < 40) return Outcome.Truncated;
  const plen = u16(b, at + 4);
  const ipEnd = at + 40 + plen;
  if (plen === 0 || ipEnd > end) return Outcome.Truncated; // 0 = jumbogram (RFC 2675), not for flow export
  let next = b[at + 6] ?? 0;
  let p = at + 40;
  for (;;) {
    if (next === IPPROTO_UDP) break;
    if (next === IPPROTO_FRAGMENT) {
      // 8 bytes: next header, reserved, offset (13 bits, 8-octet units) + M flag, identification.
      if (p + 8 > ipEnd || (b[p] ?? 0) !== IPPROTO_UDP) return p + 8 > ipEnd ? Outcome.Truncated : Outcome.NotUdp;
      const off = u16(b, p + 2);
      const id = (((b[p + 4] ?? 0) << 24) | ((b[p + 5] ?? 0) << 16) | u16(b, p + 6)) >>> 0;
      out.family = 6;
      out.srcAt = at + 8;
      out.dstAt = at + 24;
      return fragment(id, off & 0xfff8, (off & 1) !== 0, p + 8, ipEnd, out);
    }
    if (next !== IPPROTO_HOPOPTS && next !== IPPROTO_ROUTING && next !== IPPROTO_DSTOPTS && next !== IPPROTO_AH) {
      return Outcome.NotUdp;
    }
    if (p + 2 > ipEnd) return Outcome.Truncated;
    const len = next === IPPROTO_AH ? ((b[p + 1] ?? 0) + 2) * 4 : ((b[p + 1] ?? 0) + 1) * 8;
    next = b[p] ?? 0;
    p += len;
  }
  out.family = 6;
  out.srcAt = at + 8;
  out.dstAt = at + 24;
  return udp(b, p, ipEnd, out);
}

function fragment(id: number, offset: number, more: boolean, start: number, end: number, out: UdpView): Outcome {
  out.fragId = id;
  out.fragOffset = offset;
  out.fragMore = more;
  out.fragStart = start;
  out.fragEnd = end;
  return Outcome.Fragment;
}

/** RFC 768. */
function udp(b: Uint8Array, at: number, ipEnd: number, out: UdpView): Outcome {
  if (at + 8 > ipEnd) return Outcome.Truncated;
  const len = u16(b, at + 4);
  if (len < 8 || at + len > ipEnd) return Outcome.Truncated;
  out.srcPort = u16(b, at);
  out.dstPort = u16(b, at + 2);
  out.payloadStart = at + 8;
  out.payloadEnd = at + len;
  return Outcome.Udp;
}
