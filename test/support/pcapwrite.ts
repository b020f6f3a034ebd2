// Builds captures for tests: classic pcap of UDP datagrams (writePcap, what most tests need) and
// the lower-level pieces (addresses, UDP/IPv4/IPv6 packets, Ethernet frames, pcap files of any
// link type and byte order) that the capture reader's format tests assemble by hand.
// Lengths and checksums are real so that tshark and tcpdump read these files too.

export interface UdpFrame {
  tsMs: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  payload: Uint8Array;
}

/** A classic pcap (microseconds, little-endian, Ethernet) of one UDP datagram per frame. */
export function writePcap(frames: readonly UdpFrame[]): Uint8Array {
  return pcapFile(
    LINKTYPE_ETHERNET,
    frames.map((f) => {
      const ip = udpIpPacket(f);
      return { tsMs: f.tsMs, data: ethernetFrame(((ip[0] ?? 0) >> 4) === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, ip) };
    }),
  );
}

// Link types: https://www.tcpdump.org/linktypes.html
export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
export const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad service tag

export const IPPROTO_UDP = 17;

/** "192.0.2.1" -> 4 bytes, "2001:db8::1" -> 16 bytes. */
export function parseAddress(text: string): Uint8Array {
  if (!text.includes(":")) {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`bad IPv4 ${text}`);
    return Uint8Array.from(parts);
  }
  const [head = "", tail] = text.split("::");
  const h = head === "" ? [] : head.split(":");
  const t = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  if (groups.length !== 8) throw new Error(`bad IPv6 ${text}`);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** The IP packet (v4 or v6 by the address family) carrying one UDP datagram. */
export function udpIpPacket(f: Omit<UdpFrame, "tsMs">): Uint8Array {
  const src = parseAddress(f.src);
  const dst = parseAddress(f.dst);
  if (src.length !== dst.length) throw new Error("mixed address families");
  const udp = udpDatagram(src, dst, f.srcPort, f.dstPort, f.payload);
  return src.length === 4 ? ipv4Packet(src, dst, IPPROTO_UDP, udp) : ipv6Packet(src, dst, IPPROTO_UDP, udp);
}

/** UDP header + payload (RFC 768), checksum over the v4 or v6 pseudo-header. */
export function udpDatagram(src: Uint8Array, dst: Uint8Array, srcPort: number, dstPort: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, srcPort);
  v.setUint16(2, dstPort);
  v.setUint16(4, out.length);
  out.set(payload, 8);
  const pseudo = new Uint8Array(src.length * 2 + (src.length === 4 ? 4 : 8));
  pseudo.set(src, 0);
  pseudo.set(dst, src.length);
  const pv = new DataView(pseudo.buffer);
  if (src.length === 4) {
    pv.setUint8(9, IPPROTO_UDP);
    pv.setUint16(10, out.length);
  } else {
    pv.setUint32(32, out.length);
    pv.setUint8(39, IPPROTO_UDP);
  }
  const sum = onesComplement([pseudo, out]);
  v.setUint16(6, sum === 0 ? 0xffff : sum); // RFC 768: a computed zero is sent as all ones
  return out;
}

export interface Ipv4Options {
  id?: number;
  /** flags (3 bits) and fragment offset (13 bits, in 8-byte units), RFC 791 section 3.1 */
  flagsFragment?: number;
  options?: Uint8Array; // a multiple of 4 bytes
  ttl?: number;
}

/** RFC 791 header (DF unless told otherwise) + body, with its header checksum. */
export function ipv4Packet(src: Uint8Array, dst: Uint8Array, proto: number, body: Uint8Array, o: Ipv4Options = {}): Uint8Array {
  const optLen = o.options?.length ?? 0;
  const hl = 20 + optLen;
  const out = new Uint8Array(hl + body.length);
  const v = new DataView(out.buffer);
  v.setUint8(0, 0x40 | (hl / 4));
  v.setUint16(2, out.length);
  v.setUint16(4, o.id ?? 1);
  v.setUint16(6, o.flagsFragment ?? 0x4000);
  v.setUint8(8, o.ttl ?? 64);
  v.setUint8(9, proto);
  out.set(src, 12);
  out.set(dst, 16);
  if (o.options) out.set(o.options, 20);
  v.setUint16(10, onesComplement([out.subarray(0, hl)]));
  out.set(body, hl);
  return out;
}

/** RFC 8200 fixed header + body; `nextHeader` names the first header inside body. */
export function ipv6Packet(src: Uint8Array, dst: Uint8Array, nextHeader: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(40 + body.length);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x60000000);
  v.setUint16(4, body.length);
  v.setUint8(6, nextHeader);
  v.setUint8(7, 64);
  out.set(src, 8);
  out.set(dst, 24);
  out.set(body, 40);
  return out;
}

/** An IPv6 extension header of `units` 8-octet units (RFC 8200 section 4), followed by `next`. */
export function ipv6ExtHeader(nextHeader: number, units = 1): Uint8Array {
  const out = new Uint8Array(units * 8);
  out[0] = nextHeader;
  out[1] = units - 1;
  return out;
}

/** Ethernet II frame, with one 802.1Q tag per entry of `vlans` (outer first, the first as 802.1ad when two or more). */
export function ethernetFrame(etherType: number, body: Uint8Array, vlans: readonly number[] = []): Uint8Array {
  const out = new Uint8Array(14 + vlans.length * 4 + body.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, 0, 0, 0, 0, 2, 0, 0xc0, 0, 2, 1], 0);
  let o = 12;
  vlans.forEach((id, i) => {
    v.setUint16(o, i === 0 && vlans.length > 1 ? ETHERTYPE_QINQ : ETHERTYPE_VLAN);
    v.setUint16(o + 2, id & 0x0fff);
    o += 4;
  });
  v.setUint16(o, etherType);
  out.set(body, o + 2);
  return out;
}

export interface PcapOptions {
  bigEndian?: boolean;
  nano?: boolean;
  snaplen?: number;
  /** captured bytes per record (cut like a small snaplen); default all */
  capLen?: (data: Uint8Array) => number;
}

/** A classic libpcap file of raw link-layer records. */
export function pcapFile(linkType: number, records: readonly { tsMs: number; data: Uint8Array }[], o: PcapOptions = {}): Uint8Array {
  const le = !o.bigEndian;
  const caps = records.map((r) => Math.min(r.data.length, o.capLen?.(r.data) ?? r.data.length));
  const out = new Uint8Array(24 + caps.reduce((a, c) => a + 16 + c, 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, o.nano ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, o.snaplen ?? 262144, le);
  v.setUint32(20, linkType, le);
  let off = 24;
  records.forEach((r, i) => {
    const cap = caps[i] ?? 0;
    const sec = Math.floor(r.tsMs / 1000);
    const frac = Math.round((r.tsMs - sec * 1000) * (o.nano ? 1e6 : 1e3));
    v.setUint32(off, sec, le);
    v.setUint32(off + 4, frac, le);
    v.setUint32(off + 8, cap, le);
    v.setUint32(off + 12, r.data.length, le);
    out.set(r.data.subarray(0, cap), off + 16);
    off += 16 + cap;
  });
  return out;
}

/** Internet checksum (RFC 1071) over the concatenation of `parts` (each of even length but the last). */
export function onesComplement(parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += ((p[i] ?? 0) << 8) | (p[i + 1] ?? 0);
    if (p.length % 2 === 1) sum += (p[p.length - 1] ?? 0) << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
