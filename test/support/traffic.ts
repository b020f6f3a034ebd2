// The ground truth for end-to-end tests: the packets of a classic pcap (the traffic that exporters
// turned into flow records), parsed independently of src/ so that a bug in the collector's own
// capture or address code cannot hide itself. Only what flow totals need: addresses, protocol,
// ports, IP length. Test code: clarity over speed, one object per packet is fine here.

export interface Packet {
  tsMs: number;
  family: 4 | 6;
  src: string;
  dst: string;
  proto: number;
  /** TCP/UDP ports; ICMP carries 0 and type * 256 + code, the NetFlow v5 convention. */
  srcPort: number;
  dstPort: number;
  /** IP total length (IPv6: payload length + 40): what softflowd, pmacct and nfdump count as octets. */
  octets: number;
}

// https://www.tcpdump.org/manpages/pcap-savefile.5.html
const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
const PCAP_MAGIC_NANO = 0xa1b23c4d;
// https://www.tcpdump.org/linktypes.html
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_RAW = 101;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100; // IEEE 802.1Q
const ETHERTYPE_QINQ = 0x88a8; // IEEE 802.1ad
const IPPROTO_ICMP = 1; // RFC 792
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ICMPV6 = 58; // RFC 4443

/** Every IPv4/IPv6 packet of a classic pcap; frames of other kinds are counted in `skipped`. */
export function readPackets(bytes: Uint8Array): { packets: Packet[]; skipped: number } {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = dv.getUint32(0, false);
  const swapped = dv.getUint32(0, true);
  const le = swapped === PCAP_MAGIC_MICRO || swapped === PCAP_MAGIC_NANO;
  const nano = (le ? swapped : magic) === PCAP_MAGIC_NANO;
  if (!le && magic !== PCAP_MAGIC_MICRO && magic !== PCAP_MAGIC_NANO) throw new Error("not a classic pcap file");
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const packets: Packet[] = [];
  let skipped = 0;
  for (let at = 24; at + 16 <= bytes.length; ) {
    const tsMs = dv.getUint32(at, le) * 1000 + dv.getUint32(at + 4, le) / (nano ? 1e6 : 1e3);
    const caplen = dv.getUint32(at + 8, le);
    const start = at + 16;
    at = start + caplen;
    if (at > bytes.length) break;
    const ip = ipStart(dv, linkType, start, at);
    const p = ip < 0 ? null : parseIp(bytes, dv, ip, at, tsMs);
    if (p) packets.push(p);
    else skipped++;
  }
  return { packets, skipped };
}

function ipStart(dv: DataView, linkType: number, start: number, end: number): number {
  if (linkType === LINKTYPE_RAW) return start;
  if (linkType !== LINKTYPE_ETHERNET) return -1;
  let at = start + 12;
  while (at + 2 <= end && (dv.getUint16(at) === ETHERTYPE_VLAN || dv.getUint16(at) === ETHERTYPE_QINQ)) at += 4;
  if (at + 2 > end) return -1;
  const type = dv.getUint16(at);
  return type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6 ? at + 2 : -1;
}

function parseIp(b: Uint8Array, dv: DataView, at: number, end: number, tsMs: number): Packet | null {
  const version = (b[at] ?? 0) >> 4;
  let proto: number;
  let l4: number;
  let octets: number;
  let src: string;
  let dst: string;
  if (version === 4 && at + 20 <= end) {
    octets = dv.getUint16(at + 2);
    proto = b[at + 9] ?? 0;
    l4 = at + ((b[at] ?? 0) & 0x0f) * 4;
    src = [...b.subarray(at + 12, at + 16)].join(".");
    dst = [...b.subarray(at + 16, at + 20)].join(".");
    // A later fragment has no transport header: its packet still counts, its ports do not exist.
    if ((dv.getUint16(at + 6) & 0x1fff) !== 0) return { tsMs, family: 4, src, dst, proto, srcPort: 0, dstPort: 0, octets };
  } else if (version === 6 && at + 40 <= end) {
    octets = dv.getUint16(at + 4) + 40;
    proto = b[at + 6] ?? 0; // extension headers are not walked: the test traffic has none
    l4 = at + 40;
    src = v6(dv, at + 8);
    dst = v6(dv, at + 24);
  } else {
    return null;
  }
  let srcPort = 0;
  let dstPort = 0;
  if ((proto === IPPROTO_TCP || proto === IPPROTO_UDP) && l4 + 4 <= end) {
    srcPort = dv.getUint16(l4);
    dstPort = dv.getUint16(l4 + 2);
  } else if ((proto === IPPROTO_ICMP || proto === IPPROTO_ICMPV6) && l4 + 2 <= end) {
    dstPort = dv.getUint16(l4);
  }
  return { tsMs, family: version, src, dst, proto, srcPort, dstPort, octets };
}

/** RFC 5952 text: lower case, longest run of two or more zero groups as "::". */
function v6(dv: DataView, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(dv.getUint16(at + i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(":");
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** The conventional unidirectional flow: what every exporter here keys its records by. */
export function fiveTuple(p: Packet): string {
  return `${p.src} ${p.dst} ${p.proto} ${p.srcPort} ${p.dstPort}`;
}

export interface Totals {
  octets: number;
  packets: number;
  /** Distinct 5-tuples among the packets: one flow record each when no exporter splits a flow. */
  flows: number;
}

/**
 * Sums packets per key. `key` returns the key's column values (null for none); rows come back as
 * [...key, octets, packets, flows], sorted, so that they compare whole against a table's rows.
 */
export function totalsBy(packets: readonly Packet[], key: (p: Packet) => ReadonlyArray<string | number | null>): Array<Array<string | number | null>> {
  const groups = new Map<string, { key: ReadonlyArray<string | number | null>; octets: number; packets: number; flows: Set<string> }>();
  for (const p of packets) {
    const k = key(p);
    const id = JSON.stringify(k);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { key: k, octets: 0, packets: 0, flows: new Set() }));
    g.octets += p.octets;
    g.packets++;
    g.flows.add(fiveTuple(p));
  }
  return sortRows([...groups.values()].map((g) => [...g.key, g.octets, g.packets, g.flows.size]));
}

export function sortRows<T extends ReadonlyArray<string | number | null>>(rows: T[]): T[] {
  const text = (r: T) => JSON.stringify(r);
  return rows.sort((a, b) => (text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

/** "10.1.2.186" -> "10.1.2.0/24"; IPv6 masked the same way ("2001:db8::/64"). */
export function prefixOf(addr: string, bits: number): string {
  if (!addr.includes(":")) {
    const n = addr.split(".").reduce((a, x) => a * 256 + Number(x), 0);
    const masked = bits === 0 ? 0 : Math.floor(n / 2 ** (32 - bits)) * 2 ** (32 - bits);
    return `${[24, 16, 8, 0].map((s) => Math.floor(masked / 2 ** s) % 256).join(".")}/${bits}`;
  }
  const bytes = new Uint8Array(16);
  const dv = new DataView(bytes.buffer);
  const [head = "", tail = ""] = addr.split("::");
  const hs = head ? head.split(":") : [];
  const ts = addr.includes("::") && tail ? tail.split(":") : [];
  const groups = [...hs, ...Array(8 - hs.length - ts.length).fill("0"), ...ts];
  groups.forEach((x, i) => dv.setUint16(i * 2, Number.parseInt(x, 16)));
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return `${v6(dv, 0)}/${bits}`;
}
