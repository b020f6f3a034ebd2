// The capture reader on captures built inline: every container variant and link type, and the
// frames it must skip (counted) rather than misread or throw on.
import { describe, expect, test } from "bun:test";
import { XenoflowError } from "../../src/errors.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import * as W from "../support/pcapwrite.ts";
import { pcapngFile } from "../support/pcapngwrite.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
const PAYLOAD = hex("000900010000000a5f5e1000");
const v4 = { src: "192.0.2.7", srcPort: 50123, dst: "198.51.100.1", dstPort: 2055, payload: PAYLOAD };
const v6 = { src: "2001:db8::7", srcPort: 50124, dst: "2001:db8:0:1::1", dstPort: 4739, payload: PAYLOAD };
const ip4 = W.udpIpPacket(v4);
const ip6 = W.udpIpPacket(v6);
const T = 1700000000250; // ms

function only(bytes: Uint8Array) {
  const r = readCapture(bytes);
  return { skipped: r.skipped, got: r.datagrams.map(({ payload, ...d }) => ({ ...d, payload: [...payload] })) };
}
const want = (f: typeof v4, frame = 1, tsMs = T) => ({ ...f, frame, tsMs, payload: [...f.payload] });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}
const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);
const sll = (proto: number) => concat(hex("00000304000600000000000000000000").subarray(0, 14), u16(proto)); // Linux cooked v1: 16 bytes, protocol last
const sll2 = (proto: number) => // Linux cooked v2: 20 bytes, protocol first
  concat(u16(proto), hex("0000000000010304000600000000000000000000").subarray(0, 18));

describe("classic pcap", () => {
  test("writePcap: Ethernet with IPv4 and IPv6 by address family", () => {
    expect(only(W.writePcap([{ tsMs: T, ...v4 }, { tsMs: T + 1000, ...v6 }]))).toEqual({
      skipped: 0,
      got: [want(v4), want(v6, 2, T + 1000)],
    });
  });

  for (const bigEndian of [false, true]) {
    for (const nano of [false, true]) {
      test(`${bigEndian ? "big" : "little"}-endian, ${nano ? "nano" : "micro"}second timestamps`, () => {
        const file = W.pcapFile(W.LINKTYPE_RAW, [{ tsMs: T + 0.123, data: ip4 }], { bigEndian, nano });
        const { got } = only(file);
        expect(got.length).toBe(1);
        expect(got[0]?.tsMs).toBeCloseTo(T + 0.123, 4);
      });
    }
  }

  const linkTypes: [string, number, Uint8Array, Uint8Array][] = [
    ["Ethernet", W.LINKTYPE_ETHERNET, W.ethernetFrame(W.ETHERTYPE_IPV4, ip4), W.ethernetFrame(W.ETHERTYPE_IPV6, ip6)],
    ["Ethernet 802.1Q", W.LINKTYPE_ETHERNET, W.ethernetFrame(W.ETHERTYPE_IPV4, ip4, [10]), W.ethernetFrame(W.ETHERTYPE_IPV6, ip6, [20])],
    ["Ethernet QinQ", W.LINKTYPE_ETHERNET, W.ethernetFrame(W.ETHERTYPE_IPV4, ip4, [100, 10]), W.ethernetFrame(W.ETHERTYPE_IPV6, ip6, [100, 20])],
    ["Linux SLL", W.LINKTYPE_LINUX_SLL, concat(sll(0x0800), ip4), concat(sll(0x86dd), ip6)],
    ["Linux SLL2", W.LINKTYPE_LINUX_SLL2, concat(sll2(0x0800), ip4), concat(sll2(0x86dd), ip6)],
    ["raw IP", W.LINKTYPE_RAW, ip4, ip6],
    ["BSD loopback", W.LINKTYPE_NULL, concat(hex("02000000"), ip4), concat(hex("1e000000"), ip6)],
    ["OpenBSD loopback", W.LINKTYPE_LOOP, concat(hex("00000002"), ip4), concat(hex("00000018"), ip6)],
  ];
  for (const [name, lt, a, b] of linkTypes) {
    test(`link type ${name} (${lt})`, () => {
      const file = W.pcapFile(lt, [{ tsMs: T, data: a }, { tsMs: T, data: b }]);
      expect(only(file)).toEqual({ skipped: 0, got: [want(v4), want(v6, 2)] });
    });
  }

  test("link types 228 (IPv4) and 229 (IPv6)", () => {
    expect(only(W.pcapFile(W.LINKTYPE_IPV4, [{ tsMs: T, data: ip4 }]))).toEqual({ skipped: 0, got: [want(v4)] });
    expect(only(W.pcapFile(W.LINKTYPE_IPV6, [{ tsMs: T, data: ip6 }]))).toEqual({ skipped: 0, got: [want(v6)] });
  });

  test("IPv4 options and IPv6 hop-by-hop, routing, destination-options headers are stepped over", () => {
    const s4 = W.parseAddress(v4.src);
    const d4 = W.parseAddress(v4.dst);
    const s6 = W.parseAddress(v6.src);
    const d6 = W.parseAddress(v6.dst);
    const udp4 = W.udpDatagram(s4, d4, v4.srcPort, v4.dstPort, PAYLOAD);
    const udp6 = W.udpDatagram(s6, d6, v6.srcPort, v6.dstPort, PAYLOAD);
    const withOpts = W.ipv4Packet(s4, d4, 17, udp4, { options: hex("94040000") }); // router alert (RFC 2113)
    const exts = concat(W.ipv6ExtHeader(43, 1), W.ipv6ExtHeader(60, 2), W.ipv6ExtHeader(17, 1), udp6);
    const file = W.pcapFile(W.LINKTYPE_RAW, [{ tsMs: T, data: withOpts }, { tsMs: T, data: W.ipv6Packet(s6, d6, 0, exts) }]);
    expect(only(file)).toEqual({ skipped: 0, got: [want(v4), want(v6, 2)] });
  });

  test("Ethernet padding after a short IP packet is not payload", () => {
    const padded = concat(W.ethernetFrame(W.ETHERTYPE_IPV4, ip4), new Uint8Array(18));
    expect(only(W.pcapFile(W.LINKTYPE_ETHERNET, [{ tsMs: T, data: padded }]))).toEqual({ skipped: 0, got: [want(v4)] });
  });

  test("other protocols, cut frames and ARP are skipped and counted; the rest is read", () => {
    const tcp = W.ipv4Packet(W.parseAddress(v4.src), W.parseAddress(v4.dst), 6, new Uint8Array(20));
    const frames = [
      W.ethernetFrame(W.ETHERTYPE_IPV4, tcp),
      W.ethernetFrame(0x0806, new Uint8Array(28)), // ARP
      W.ethernetFrame(W.ETHERTYPE_IPV4, ip4).subarray(0, 14 + 20 + 4), // cut inside the UDP header
      W.ethernetFrame(W.ETHERTYPE_IPV4, ip4),
      new Uint8Array(5), // shorter than an Ethernet header
    ];
    const file = W.pcapFile(W.LINKTYPE_ETHERNET, frames.map((data) => ({ tsMs: T, data })));
    expect(only(file)).toEqual({ skipped: 4, got: [want(v4, 4)] });
  });
  test("a record cut by the snap length is skipped", () => {
    const file = W.pcapFile(W.LINKTYPE_RAW, [{ tsMs: T, data: ip4 }, { tsMs: T, data: ip6 }], { capLen: (d) => (d === ip6 ? 50 : d.length) });
    expect(only(file)).toEqual({ skipped: 1, got: [want(v4)] });
  });

  test("a file that ends inside a record keeps what came before and counts the tail", () => {
    const file = W.pcapFile(W.LINKTYPE_RAW, [{ tsMs: T, data: ip4 }, { tsMs: T, data: ip6 }]);
    expect(only(file.subarray(0, file.length - 3))).toEqual({ skipped: 1, got: [want(v4)] });
    expect(only(file.subarray(0, 24 + 16 + ip4.length + 5))).toEqual({ skipped: 1, got: [want(v4)] });
    expect(only(file.subarray(0, 10))).toEqual({ skipped: 1, got: [] });
  });

  test("unknown link types are skipped", () => {
    expect(only(W.pcapFile(147, [{ tsMs: T, data: ip4 }]))).toEqual({ skipped: 1, got: [] });
  });
});

describe("IP fragments", () => {
  const big = { ...v4, payload: Uint8Array.from({ length: 3000 }, (_, i) => (i * 7) & 0xff) };
  const big6 = { ...v6, payload: big.payload };
  /** The UDP datagram of `f` cut into pieces of `size` bytes (a multiple of 8), as IP packets. */
  function fragments(f: typeof v4, size: number, id: number): Uint8Array[] {
    const s = W.parseAddress(f.src);
    const d = W.parseAddress(f.dst);
    const udp = W.udpDatagram(s, d, f.srcPort, f.dstPort, f.payload);
    const out: Uint8Array[] = [];
    for (let off = 0; off < udp.length; off += size) {
      const piece = udp.subarray(off, off + size);
      const more = off + size < udp.length;
      if (s.length === 4) out.push(W.ipv4Packet(s, d, 17, piece, { id, flagsFragment: (more ? 0x2000 : 0) | (off / 8) }));
      else {
        const fh = Uint8Array.of(17, 0, (off >> 8) & 0xff, (off & 0xf8) | (more ? 1 : 0), 0, 0, id >> 8, id & 0xff); // RFC 8200 section 4.5
        out.push(W.ipv6Packet(s, d, 44, concat(fh, piece)));
      }
    }
    return out;
  }

  test("IPv4 and IPv6 datagrams are reassembled in any order, at the frame that completes them", () => {
    const [a1, a2, a3] = fragments(big, 1480, 77);
    const [b1, b2, b3] = fragments(big6, 1232, 78);
    const order = [a3, b1, a1, ip4, b3, b2, a2].map((data) => ({ tsMs: T, data: data ?? new Uint8Array(0) }));
    const r = readCapture(W.pcapFile(W.LINKTYPE_RAW, order));
    expect(r.skipped).toBe(0);
    const head = (f: typeof v4) => ({ src: f.src, srcPort: f.srcPort, dst: f.dst, dstPort: f.dstPort, tsMs: T });
    expect(r.datagrams.map(({ payload, ...d }) => ({ ...d, payload: Buffer.from(payload).toString("hex") }))).toEqual([
      { ...head(v4), frame: 4, payload: Buffer.from(PAYLOAD).toString("hex") },
      { ...head(v6), frame: 6, payload: Buffer.from(big.payload).toString("hex") },
      { ...head(v4), frame: 7, payload: Buffer.from(big.payload).toString("hex") },
    ]);
  });

  test("pieces that never complete, and a reassembled datagram with a broken UDP header, are counted", () => {
    const [a1, , a3] = fragments(big, 1480, 5);
    const atomic = W.ipv6Packet(W.parseAddress(v6.src), W.parseAddress(v6.dst), 44, concat(Uint8Array.of(17, 0, 0, 0, 0, 0, 0, 9), hex("0009000100040000")));
    const frames = [a1, a3, atomic, ip4].map((data) => ({ tsMs: T, data: data ?? new Uint8Array(0) }));
    expect(only(W.pcapFile(W.LINKTYPE_RAW, frames))).toEqual({ skipped: 3, got: [want(v4, 4)] });
  });

  test("the port filter applies to reassembled datagrams", () => {
    const frames = fragments(big, 1480, 9).map((data) => ({ tsMs: T, data }));
    expect(readCapture(W.pcapFile(W.LINKTYPE_RAW, frames), { ports: [4739] })).toEqual({ datagrams: [], skipped: 3 });
    expect(readCapture(W.pcapFile(W.LINKTYPE_RAW, frames), { ports: [2055] }).datagrams.length).toBe(1);
  });
});

describe("pcapng", () => {
  for (const bigEndian of [false, true]) {
    test(`${bigEndian ? "big" : "little"}-endian: interfaces with their own link type and resolution; EPB, SPB, OPB`, () => {
      const file = pcapngFile(
        [
          { kind: "shb" },
          { kind: "idb", linkType: W.LINKTYPE_ETHERNET }, // default 10^-6 s
          { kind: "idb", linkType: W.LINKTYPE_RAW, tsresol: 9 },
          { kind: "idb", linkType: W.LINKTYPE_LINUX_SLL2, tsresol: 0x80 | 10, tsoffsetSec: 1000 }, // 2^-10 s
          { kind: "other", type: 5, body: hex("0000000000000000") }, // interface statistics
          { kind: "epb", iface: 0, units: BigInt(T) * 1000n, data: W.ethernetFrame(W.ETHERTYPE_IPV4, ip4) },
          { kind: "epb", iface: 1, units: BigInt(T + 1) * 1000000n, data: ip6 },
          { kind: "epb", iface: 2, units: 1024n * 5n + 512n, data: concat(sll2(0x0800), ip4) },
          { kind: "spb", data: W.ethernetFrame(W.ETHERTYPE_IPV6, ip6) },
          { kind: "opb", iface: 1, units: BigInt(T + 2) * 1000000n, data: ip4 },
          { kind: "other", type: 0x40000bad, body: hex("ffffffff") }, // a custom block
        ],
        bigEndian,
      );
      expect(only(file)).toEqual({
        skipped: 0,
        got: [want(v4), want(v6, 2, T + 1), want(v4, 3, 1005500), want(v6, 4, 1005500), want(v4, 5, T + 2)],
      });
    });
  }

  test("a second section resets the byte order and the interfaces", () => {
    const a = pcapngFile([{ kind: "shb" }, { kind: "idb", linkType: W.LINKTYPE_RAW }, { kind: "epb", iface: 0, units: BigInt(T) * 1000n, data: ip4 }]);
    const b = pcapngFile([{ kind: "shb" }, { kind: "idb", linkType: W.LINKTYPE_ETHERNET }, { kind: "epb", iface: 0, units: BigInt(T) * 1000n, data: W.ethernetFrame(W.ETHERTYPE_IPV6, ip6) }], true);
    expect(only(concat(a, b))).toEqual({ skipped: 0, got: [want(v4), want(v6, 2)] });
  });

  test("packets of an undeclared interface, cut blocks and a broken tail are counted", () => {
    const file = pcapngFile([
      { kind: "shb" },
      { kind: "idb", linkType: W.LINKTYPE_RAW },
      { kind: "epb", iface: 3, units: 0n, data: ip4 },
      { kind: "epb", iface: 0, units: BigInt(T) * 1000n, data: ip4, capLen: 30 },
      { kind: "epb", iface: 0, units: BigInt(T) * 1000n, data: ip4 },
    ]);
    expect(only(file)).toEqual({ skipped: 2, got: [want(v4, 3)] });
    expect(only(concat(file, hex("06000000ff000000")))).toEqual({ skipped: 3, got: [want(v4, 3)] });
  });
});

describe("not a capture", () => {
  for (const [name, bytes] of [
    ["empty", new Uint8Array(0)],
    ["text", new TextEncoder().encode("hello, world\n")],
    ["a NetFlow payload", PAYLOAD],
  ] as const) {
    test(name, () => {
      expect(() => readCapture(bytes)).toThrow(XenoflowError);
      try {
        readCapture(bytes);
      } catch (e) {
        expect((e as XenoflowError).code).toBe("E_INPUT");
      }
    });
  }

  test("garbage after a valid header never throws", () => {
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed & 0xff);
    for (let i = 0; i < 200; i++) {
      const file = W.pcapFile(W.LINKTYPE_ETHERNET, [{ tsMs: T, data: W.ethernetFrame(W.ETHERTYPE_IPV4, ip4) }]);
      for (let j = 24; j < file.length; j++) if (rnd() < 40) file[j] = rnd();
      const r = readCapture(file);
      expect(r.datagrams.length + r.skipped).toBeGreaterThanOrEqual(1);
      const ng = pcapngFile([{ kind: "shb" }, { kind: "idb", linkType: 1 }, { kind: "epb", iface: 0, units: 0n, data: ip4 }]);
      for (let j = 28; j < ng.length; j++) if (rnd() < 40) ng[j] = rnd();
      readCapture(ng);
    }
  });
});
