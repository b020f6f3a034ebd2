// The ground-truth packet reader the end-to-end tests trust (test/support/traffic.ts): it must
// count what exporters count, or the pipeline tests would compare against the wrong totals.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, LINKTYPE_ETHERNET, LINKTYPE_RAW, ethernetFrame, ipv4Packet, ipv6Packet, parseAddress, pcapFile, udpIpPacket } from "../support/pcapwrite.ts";
import { fiveTuple, prefixOf, readPackets, totalsBy } from "../support/traffic.ts";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => Number.parseInt(x, 16));

test("traffic.pcap: 312 IPv4 packets, 40 5-tuples, the octets of traffic.totals.json", () => {
  const dir = join(import.meta.dir, "../fixtures/exporters");
  const { packets, skipped } = readPackets(new Uint8Array(readFileSync(join(dir, "traffic.pcap"))));
  const totals = JSON.parse(readFileSync(join(dir, "traffic.totals.json"), "utf8"));
  expect({ skipped, packets: packets.length, flows: new Set(packets.map(fiveTuple)).size }).toEqual({ skipped: 0, packets: 312, flows: 40 });
  expect(totalsBy(packets, () => [])).toEqual([[totals.octets, totals.packets, totals.flows]]);
  expect(packets[0]).toEqual({ tsMs: totals.firstMs, family: 4, src: "10.1.3.89", dst: "198.51.100.141", proto: 6, srcPort: 29014, dstPort: 8080, octets: 590 }); // as tshark reads frame 1
});

test("IPv6 ICMPv6, VLAN-tagged IPv4 TCP, a later IPv4 fragment and ARP, per key", () => {
  const v6src = parseAddress("2001:db8::1");
  const v6dst = parseAddress("2001:db8:0:1::2");
  const icmp6 = ipv6Packet(v6src, v6dst, 58, hex("8000abcd00010001"));
  // TCP SYN 10.0.0.1:40000 -> 192.0.2.9:443, header only.
  const tcp = ipv4Packet(parseAddress("10.0.0.1"), parseAddress("192.0.2.9"), 6, hex("9c4001bb000000000000000050020000e6b40000"));
  const frag = ipv4Packet(parseAddress("10.0.0.1"), parseAddress("192.0.2.9"), 17, new Uint8Array(24), { flagsFragment: 0x0003 });
  const arp = hex("ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002");
  const udp = udpIpPacket({ src: "10.0.0.1", srcPort: 53, dst: "10.0.0.2", dstPort: 5353, payload: new Uint8Array(3) });
  const eth = pcapFile(LINKTYPE_ETHERNET, [
    { tsMs: 1000, data: ethernetFrame(ETHERTYPE_IPV6, icmp6) },
    { tsMs: 1001.5, data: ethernetFrame(ETHERTYPE_IPV4, tcp, [7]) },
    { tsMs: 1002, data: ethernetFrame(ETHERTYPE_IPV4, frag, [7, 8]) },
    { tsMs: 1003, data: arp },
  ]);
  const { packets, skipped } = readPackets(eth);
  expect(skipped).toBe(1);
  expect(packets).toEqual([
    { tsMs: 1000, family: 6, src: "2001:db8::1", dst: "2001:db8:0:1::2", proto: 58, srcPort: 0, dstPort: 0x8000, octets: 48 },
    { tsMs: 1001.5, family: 4, src: "10.0.0.1", dst: "192.0.2.9", proto: 6, srcPort: 40000, dstPort: 443, octets: 40 },
    { tsMs: 1002, family: 4, src: "10.0.0.1", dst: "192.0.2.9", proto: 17, srcPort: 0, dstPort: 0, octets: 44 },
  ]);
  const raw = readPackets(pcapFile(LINKTYPE_RAW, [{ tsMs: 5, data: udp }], { bigEndian: true, nano: true }));
  expect(raw.packets).toEqual([{ tsMs: 5, family: 4, src: "10.0.0.1", dst: "10.0.0.2", proto: 17, srcPort: 53, dstPort: 5353, octets: 31 }]);
  expect(totalsBy(packets, (p) => [prefixOf(p.src, p.family === 4 ? 24 : 48)])).toEqual([
    ["10.0.0.0/24", 84, 2, 2],
    ["2001:db8::/48", 48, 1, 1],
  ]);
});

test("prefixOf masks IPv4 and IPv6 at any length", () => {
  expect(["10.1.2.186/0", "10.1.2.186/9", "10.1.2.186/32", "2001:db8:ff::1/0", "2001:db8:ff::1/36", "2001:db8:ff::1/128", "::ffff:1/127"].map((t) => {
    const [a = "", b = ""] = t.split("/");
    return prefixOf(a, Number(b));
  })).toEqual(["0.0.0.0/0", "10.0.0.0/9", "10.1.2.186/32", "::/0", "2001:db8::/36", "2001:db8:ff::1/128", "::ffff:0/127"]);
});
