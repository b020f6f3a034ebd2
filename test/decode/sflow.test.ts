// sFlow v5 from inline datagrams (test/support/sflowwrite.ts lays them out word by word): every
// sample and record format, the sampled header's layers, and every length or count that lies.
import { describe, expect, test } from "bun:test";
import { createDecoder } from "../../src/decode/index.ts";
import { AGENTS_MAX, DROP_REASONS_MAX, SOURCES_PER_AGENT_MAX } from "../../src/decode/sflow/agents.ts";
import { BATCH_VERSION_SFLOW } from "../../src/decode/sflow/spec.ts";
import { createBatch } from "../../src/flow/batch.ts";
import { memoryLines } from "../../src/flow/json-bytes.ts";
import {
  ETHERTYPE_IPV4, ETHERTYPE_IPV6, ethernetFrame, ipv4Packet, ipv6ExtHeader, ipv6Packet, parseAddress, udpDatagram,
} from "../support/pcapwrite.ts";
import { type Part, address, datagram, flowSample, headerRecord, tlv, xdr } from "../support/sflowwrite.ts";
import { OPTS, faultsExcept, hex } from "./wire.ts";

const AGENT = "192.0.2.10";
const UDP_SOURCE = { addr: "127.0.0.1", id: 3 };
const A = parseAddress("10.0.0.1");
const B = parseAddress("10.0.0.2");
const A6 = parseAddress("2001:db8::1");
const B6 = parseAddress("2001:db8::2");

function decode(...datagrams: Uint8Array[]) {
  const d = createDecoder(OPTS);
  const out: Record<string, unknown>[] = [];
  for (const g of datagrams) d.decodeToRecords(g, UDP_SOURCE, 1000, (r) => out.push(r));
  return { out, faults: { ...d.faults }, agents: d.sflowAgents };
}
const only = (...samples: Part[]) => decode(datagram(AGENT, samples));

const udp4 = (payload: Uint8Array = new Uint8Array(20), sp = 1234, dp = 53) => ipv4Packet(A, B, 17, udpDatagram(A, B, sp, dp, payload));
const tcpSegment = (sp: number, dp: number, flags: number) => {
  const t = new Uint8Array(20);
  new DataView(t.buffer).setUint16(0, sp);
  new DataView(t.buffer).setUint16(2, dp);
  t[12] = 0x50;
  t[13] = flags;
  return t;
};
const base = { exporter: AGENT, version: "sflow5", domain: 0, packetDeltaCount: 1, samplingInterval: 1, ingressInterface: 3, egressInterface: 4 };
const ETH = { sourceMacAddress: "02:00:c0:00:02:01", destinationMacAddress: "00:00:00:00:00:00" };
const V4 = { sourceIPv4Address: "10.0.0.1", destinationIPv4Address: "10.0.0.2", ipClassOfService: 0 };

describe("sFlow v5 samples and records", () => {
  test("raw Ethernet header: UDP over IPv4 with 802.1Q; octets = the IP length", () => {
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, udp4(), [100]))]));
    expect(r.out).toEqual([{ ...base, ...ETH, ...V4, vlanId: 100, protocolIdentifier: 17, sourceTransportPort: 1234, destinationTransportPort: 53, octetDeltaCount: 48 }]);
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("QinQ: outer tag as vlanId, the customer tag beside it", () => {
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, udp4(), [200, 300]))]));
    expect(r.out[0]).toMatchObject({ vlanId: 200, dot1qCustomerVlanId: 300, sourceIPv4Address: "10.0.0.1", octetDeltaCount: 48 });
  });

  test("MPLS: two labels, then IPv4 found by its version nibble", () => {
    const labels = hex("003e8000 003e8140"); // labels 1000 and 1000 (bottom of stack on the second)
    const frame = ethernetFrame(0x8847, Uint8Array.from([...labels, ...udp4()]));
    const r = only(flowSample([headerRecord(frame)]));
    expect(r.out[0]).toMatchObject({ ...V4, protocolIdentifier: 17, destinationTransportPort: 53, octetDeltaCount: 48 });
  });

  test("IPv4 options are skipped; a fragment past the first carries no ports", () => {
    const withOptions = ipv4Packet(A, B, 17, udpDatagram(A, B, 7, 9, new Uint8Array(4)), { options: hex("94040000") });
    const later = ipv4Packet(A, B, 17, new Uint8Array(40), { flagsFragment: 185 });
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, withOptions))]), flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, later))], { seq: 2 }));
    expect(r.out[0]).toMatchObject({ sourceTransportPort: 7, destinationTransportPort: 9, octetDeltaCount: 36 });
    expect(r.out[1]).toEqual({ ...base, ...ETH, ...V4, protocolIdentifier: 17, octetDeltaCount: 60 });
  });

  test("IPv6 through hop-by-hop and destination options to TCP; flags and traffic class", () => {
    const body = Uint8Array.from([...ipv6ExtHeader(60), ...ipv6ExtHeader(6, 2), ...tcpSegment(443, 50000, 0x12)]);
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV6, ipv6Packet(A6, B6, 0, body)))]));
    expect(r.out).toEqual([{
      ...base, ...ETH, sourceIPv6Address: "2001:db8::1", destinationIPv6Address: "2001:db8::2", ipClassOfService: 0,
      protocolIdentifier: 6, sourceTransportPort: 443, destinationTransportPort: 50000, tcpControlBits: 0x12, octetDeltaCount: 40 + 44,
    }]);
  });

  test("IPv6 fragment header: the first fragment keeps its ports, a later one does not", () => {
    const frag = (offset: number) => Uint8Array.from([17, 0, offset >> 5, (offset << 3) & 0xff, 0, 0, 0, 1]);
    const udp = udpDatagram(A6, B6, 5000, 5001, new Uint8Array(8));
    const first = ipv6Packet(A6, B6, 44, Uint8Array.from([...frag(0), ...udp]));
    const later = ipv6Packet(A6, B6, 44, Uint8Array.from([...frag(100), ...udp]));
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV6, first))]), flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV6, later))], { seq: 2 }));
    expect(r.out.map((x) => [x.protocolIdentifier, x.sourceTransportPort, x.destinationTransportPort])).toEqual([[17, 5000, 5001], [17, undefined, undefined]]);
  });

  test("ICMP: type and code as icmpTypeCode (and in the batch's destination port)", () => {
    const icmp = ipv4Packet(A, B, 1, hex("0b01 0000 00000000"));
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, icmp))]));
    expect(r.out[0]).toMatchObject({ protocolIdentifier: 1, icmpTypeCodeIPv4: 0x0b01, octetDeltaCount: 28 });
    expect(r.out[0]!.destinationTransportPort).toBeUndefined();
  });

  test("VXLAN: keys from the inner packet, octets of the outer one", () => {
    const C = parseAddress("172.16.0.1");
    const D = parseAddress("172.16.0.2");
    const inner = ethernetFrame(ETHERTYPE_IPV4, ipv4Packet(C, D, 6, tcpSegment(45000, 80, 0x18)));
    const vxlan = Uint8Array.from([...hex("08000000 00138900"), ...inner]); // I flag, VNI 5001
    const outer = ethernetFrame(ETHERTYPE_IPV4, ipv4Packet(A, B, 17, udpDatagram(A, B, 51000, 4789, vxlan)));
    const r = only(flowSample([headerRecord(outer)]));
    expect(r.out).toEqual([{
      ...base, ...ETH, sourceIPv4Address: "172.16.0.1", destinationIPv4Address: "172.16.0.2", ipClassOfService: 0,
      protocolIdentifier: 6, sourceTransportPort: 45000, destinationTransportPort: 80, tcpControlBits: 0x18,
      vxlanNetworkIdentifier: 5001, octetDeltaCount: 20 + 8 + 8 + 14 + 40,
    }]);
  });

  test("DNS: a response's query name; queries, pointers and cut names give none", () => {
    const question = hex("076578616d706c6503636f6d00 0001 0001"); // example.com A IN
    const dns = (flags: string, q: Uint8Array) => Uint8Array.from([...hex(`1234 ${flags} 0001 0000 0000 0000`), ...q]);
    const sample = (payload: Uint8Array, cut?: number) => flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, udp4(payload, 53, 40000)), { cut })]);
    const r = only(sample(dns("8180", question)), sample(dns("0100", question)), sample(dns("8180", hex("c00c 0001 0001"))), sample(dns("8180", question), 14 + 28 + 12 + 5));
    expect(r.out.map((x) => x.dnsQueryName)).toEqual(["example.com", undefined, undefined, undefined]);
  });

  test("TLS: a ClientHello's server name, on any TCP port; cut short, none", () => {
    const name = new TextEncoder().encode("www.example.org");
    const sni = Uint8Array.from([0, 0, 0, name.length + 5, 0, name.length + 3, 0, 0, name.length, ...name]);
    const body = Uint8Array.from([3, 3, ...new Uint8Array(32), 0, 0, 2, 0x13, 1, 1, 0, 0, sni.length, ...sni]);
    const hello = Uint8Array.from([22, 3, 1, 0, body.length + 4, 1, 0, 0, body.length, ...body]);
    const tcp = Uint8Array.from([...tcpSegment(50000, 8443, 0x18), ...hello]);
    const frame = ethernetFrame(ETHERTYPE_IPV4, ipv4Packet(A, B, 6, tcp));
    const r = only(flowSample([headerRecord(frame)]), flowSample([headerRecord(frame, { cut: frame.length - 3 })]));
    expect(r.out.map((x) => x.tlsServerName)).toEqual(["www.example.org", undefined]);
  });

  test("a header cut short by the agent: what it holds, octets from the IP header", () => {
    const r = only(flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, udp4(new Uint8Array(400))), { cut: 36 })]));
    expect(r.out[0]).toMatchObject({ ...V4, protocolIdentifier: 17, octetDeltaCount: 428 });
    expect(r.out[0]!.sourceTransportPort).toBeUndefined();
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("a header without IP: octets = frame length less stripped bytes and the link header", () => {
    const arp = ethernetFrame(0x0806, new Uint8Array(28));
    const r = only(flowSample([headerRecord(arp, { frameLength: 64, stripped: 4 })]));
    expect(r.out).toEqual([{ ...base, ...ETH, octetDeltaCount: 64 - 4 - 14 }]);
  });

  test("raw IPv4 header protocol (11)", () => {
    const r = only(flowSample([headerRecord(udp4(), { protocol: 11 })]));
    expect(r.out).toEqual([{ ...base, ...V4, protocolIdentifier: 17, sourceTransportPort: 1234, destinationTransportPort: 53, octetDeltaCount: 48 }]);
  });

  test("sampled Ethernet (2), IPv4 (3) and IPv6 (4) records", () => {
    const eth = tlv(2, 1518, hex("0000 5e00 5301 0000"), hex("0000 5e00 5302 0000"), 0x0800);
    const v4 = tlv(3, 1500, 6, A, B, 1000, 443, 0x02, 0x28);
    const v6 = tlv(4, 1280, 17, A6, B6, 53, 5353, 0, 7);
    const r = only(flowSample([eth, v4]), flowSample([v6], { seq: 2, rate: 100 }));
    expect(r.out).toEqual([
      { ...base, sourceMacAddress: "00:00:5e:00:53:01", destinationMacAddress: "00:00:5e:00:53:02", ...V4, ipClassOfService: 0x28,
        protocolIdentifier: 6, sourceTransportPort: 1000, destinationTransportPort: 443, tcpControlBits: 2, octetDeltaCount: 1500 },
      { ...base, samplingInterval: 100, sourceIPv6Address: "2001:db8::1", destinationIPv6Address: "2001:db8::2", ipClassOfService: 7,
        protocolIdentifier: 17, sourceTransportPort: 53, destinationTransportPort: 5353, octetDeltaCount: 1280 },
    ]);
  });

  test("extended switch, router and gateway (AS path, communities), IPv6 next hops", () => {
    const sw = tlv(1001, 10, 0, 20, 0);
    const router = tlv(1002, address("2001:db8::fe"), 48, 64);
    const gw = tlv(1003, address("2001:db8::ff"), 65000, 64500, 64501, 2, [1, 2, 64510, 64511], [2, 2, 64520, 64530], 2, 0xfde80001, 0xfde80002, 100);
    const r = only(flowSample([sw, router, gw, tlv(4, 100, 17, A6, B6, 1, 2, 0, 0)]));
    expect(r.out[0]).toMatchObject({
      vlanId: 10, postVlanId: 20, ipNextHopIPv6Address: "2001:db8::fe", sourceIPv6PrefixLength: 48, destinationIPv6PrefixLength: 64,
      bgpNextHopIPv6Address: "2001:db8::ff", bgpSourceAsNumber: 64500, bgpDestinationAsNumber: 64530, bgpPrevAdjacentAsNumber: 64501,
      bgpNextAdjacentAsNumber: 64510, bgpDestinationAsPath: [64510, 64511, 64520, 64530], bgpDestinationCommunityList: [0xfde80001, 0xfde80002],
    });
    expect(r.faults).toEqual(faultsExcept(r.faults, {}));
  });

  test("an empty AS path: the destination is the router's own AS", () => {
    const r = only(flowSample([tlv(1003, address("10.0.0.254"), 65000, 0, 0, 0, 0, 0), tlv(3, 40, 6, A, B, 1, 2, 0, 0)]));
    expect(r.out[0]).toMatchObject({ bgpNextHopIPv4Address: "10.0.0.254", bgpSourceAsNumber: 0, bgpDestinationAsNumber: 65000, bgpDestinationAsPath: [] });
  });

  test("expanded flow sample (3): 32-bit source index and interfaces", () => {
    const s = tlv(3, 9, 0, 0x01000002, 512, 4096, 0, 0, 0x01000003, 0, 0x01000004, 1, tlv(3, 40, 6, A, B, 1, 2, 0, 0));
    const r = only(s);
    expect(r.out[0]).toMatchObject({ samplingInterval: 512, ingressInterface: 0x01000003, egressInterface: 0x01000004, octetDeltaCount: 40 });
    expect(r.agents.get(`${AGENT}/0`)).toMatchObject({ flowSamples: 1, pool: 4096 });
  });

  test("counter samples (2) and expanded (4): generic interface and Ethernet counters", () => {
    const generic = tlv(1, 7, 6, 0, 1e9, 1, 3, 0, 123456, 10, 1, 2, 3, 4, 5, 0, 654321, 11, 12, 13, 14, 15, 0);
    const ether = tlv(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    const r = only(tlv(2, 5, 7, 2, generic, ether), tlv(4, 6, 0, 0x01000007, 1, generic));
    expect(r.out[0]).toEqual({
      exporter: AGENT, version: "sflow5", domain: 0, counters: true, sourceIdType: 0, sourceIdIndex: 7,
      ifIndex: 7, ifType: 6, ifSpeed: 1e9, ifDirection: 1, ifStatus: 3, ifInOctets: 123456, ifInUcastPkts: 10,
      ifInMulticastPkts: 1, ifInBroadcastPkts: 2, ifInDiscards: 3, ifInErrors: 4, ifInUnknownProtos: 5, ifOutOctets: 654321,
      ifOutUcastPkts: 11, ifOutMulticastPkts: 12, ifOutBroadcastPkts: 13, ifOutDiscards: 14, ifOutErrors: 15, ifPromiscuousMode: 0,
      dot3StatsAlignmentErrors: 1, dot3StatsFCSErrors: 2, dot3StatsSingleCollisionFrames: 3, dot3StatsMultipleCollisionFrames: 4,
      dot3StatsSQETestErrors: 5, dot3StatsDeferredTransmissions: 6, dot3StatsLateCollisions: 7, dot3StatsExcessiveCollisions: 8,
      dot3StatsInternalMacTransmitErrors: 9, dot3StatsCarrierSenseErrors: 10, dot3StatsFrameTooLongs: 11,
      dot3StatsInternalMacReceiveErrors: 12, dot3StatsSymbolErrors: 13,
    });
    expect(r.out[1]).toMatchObject({ counters: true, sourceIdIndex: 0x01000007, ifIndex: 7 });
    expect(r.agents.get(`${AGENT}/0`)!.counterSamples).toBe(2);
    expect([...r.agents.get(`${AGENT}/0`)!.interfaces.values()]).toEqual([{
      ifIndex: 7, seq: 6, atMs: 1000, speed: 1e9, inOctets: 123456, outOctets: 654321, inPackets: 13, outPackets: 36, inErrors: 4, outErrors: 15, inDiscards: 3, outDiscards: 14,
    }]);
  });

  test("discarded packets (5): printed with dropped, counted per reason, never in the batch", () => {
    const drop = (reason: number) => tlv(5, 1, 0, 3, 0, 3, 0, reason, 1, tlv(3, 40, 6, A, B, 1, 2, 0, 0));
    const g = datagram(AGENT, [drop(259), drop(259), drop(3)]);
    const r = decode(g);
    expect(r.out[0]).toMatchObject({ dropped: true, dropReason: 259, sourceIPv4Address: "10.0.0.1", ingressInterface: 3 });
    expect([...r.agents.get(`${AGENT}/0`)!.dropReasons]).toEqual([[259, 2], [3, 1]]);
    const d = createDecoder(OPTS);
    const b = createBatch([], 8);
    d.decodeToBatch(g, UDP_SOURCE, 0, b, () => {});
    expect(b.length).toBe(0);
  });

  test("the batch: one record per flow sample, exporter = the agent, sampling = the sample's rate", () => {
    const d = createDecoder(OPTS);
    const b = createBatch([], 8);
    const g = datagram("2001:db8::a", [flowSample([tlv(1002, address("10.0.0.254"), 24, 16), tlv(3, 1500, 6, A, B, 1000, 443, 0x12, 0x28)], { rate: 400 })], { subAgent: 7 });
    d.decodeToBatch(g, UDP_SOURCE, 123, b, () => {});
    expect(b.length).toBe(1);
    expect({
      exporterFamily: b.exporterFamily[0], exporterAddr: [...b.exporterAddr.subarray(0, 4)], exporterId: b.exporterId[0],
      version: b.version[0], domain: b.domain[0], family: b.family[0], src: b.srcAddr[0], dst: b.dstAddr[0], nextHop: b.nextHop[0],
      srcMask: b.srcMask[0], dstMask: b.dstMask[0], ports: [b.srcPort[0], b.dstPort[0]], proto: b.proto[0], tos: b.tos[0],
      flags: b.tcpFlags[0], ifs: [b.inIf[0], b.outIf[0]], octets: b.octets[0], packets: b.packets[0], sampling: b.sampling[0], arrival: b.arrivalMs[0],
    }).toEqual({
      exporterFamily: 6, exporterAddr: [0x20010db8, 0, 0, 0x0a], exporterId: 3, version: BATCH_VERSION_SFLOW, domain: 7, family: 4,
      src: 0x0a000001, dst: 0x0a000002, nextHop: 0x0a0000fe, srcMask: 24, dstMask: 16, ports: [1000, 443], proto: 6, tos: 0x28,
      flags: 0x12, ifs: [3, 4], octets: 1500, packets: 1, sampling: 400, arrival: 123,
    });
    expect(d.records).toBe(1);
  });

  test("the flow dump prints every sample, counters and drops included, as decode does", () => {
    const g = datagram(AGENT, [
      flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)]), tlv(2, 5, 7, 1, tlv(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)),
      tlv(5, 1, 0, 3, 0, 3, 0, 259, 0),
    ]);
    const d = createDecoder(OPTS);
    const lines = memoryLines();
    const b = createBatch([], 8);
    d.decodeToBatch(g, UDP_SOURCE, 0, b, () => {}, lines);
    expect(lines.text()).toBe(`${decode(g).out.map((r) => JSON.stringify(r)).join("\n")}\n`);
    expect([b.length, lines.text().split("\n").length - 1]).toEqual([1, 3]);
  });

  // A configured [[exporter]] sampling_rate is the collector's sampling stage (test/collector/sampling.test.ts).
  test("each sample keeps its own rate; a rate of 0 is taken as 1", () => {
    const g = datagram(AGENT, [flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)], { rate: 10 }), flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)], { rate: 0 })]);
    const rec = { ...base, ...V4, protocolIdentifier: 6, sourceTransportPort: 1, destinationTransportPort: 2, tcpControlBits: 0, octetDeltaCount: 40 };
    expect(decode(g).out).toEqual([{ ...rec, samplingInterval: 10 }, { ...rec, samplingInterval: 1 }]);
    const d = createDecoder(OPTS);
    const b = createBatch([], 8);
    d.decodeToBatch(g, UDP_SOURCE, 0, b, () => {});
    expect([...b.sampling.subarray(0, b.length)]).toEqual([10, 1]);
  });

  test("sequence gaps per data source are lost samples; a restart or a repeat is not", () => {
    const s = (seq: number, source = 3) => flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)], { seq, source, pool: seq * 10, drops: 1 });
    const r = decode(datagram(AGENT, [s(1), s(2), s(5), s(1, 4)]), datagram(AGENT, [s(9), s(9), s(2), s(3, 4)]));
    expect(r.agents.get(`${AGENT}/0`)).toMatchObject({ flowSamples: 8, lostSamples: 2 + 3 + 1, pool: 20 + 30, drops: 2, datagrams: 2 });
  });

  test("agents are keyed by address and sub-agent id", () => {
    const s = flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)]);
    const r = decode(datagram(AGENT, [s], { subAgent: 1 }), datagram(AGENT, [s], { subAgent: 2 }), datagram("192.0.2.11", [s], { subAgent: 1 }));
    expect([...r.agents.keys()]).toEqual([`${AGENT}/1`, `${AGENT}/2`, "192.0.2.11/1"]);
    expect(r.out.map((x) => [x.exporter, x.domain])).toEqual([[AGENT, 1], [AGENT, 2], ["192.0.2.11", 1]]);
  });

  test("the agent, source and drop-reason tables are bounded: the oldest makes room, counted", () => {
    const s = (source: number) => flowSample([tlv(3, 40, 6, A, B, 1, 2, 0, 0)], { source, pool: 1 });
    const d = createDecoder(OPTS);
    const sources = Array.from({ length: SOURCES_PER_AGENT_MAX + 5 }, (_, k) => s(k));
    d.decodeToRecords(datagram(AGENT, sources), UDP_SOURCE, 0, () => {});
    for (let k = 0; k <= AGENTS_MAX; k++) d.decodeToRecords(datagram(AGENT, [], { subAgent: k + 1 }), UDP_SOURCE, 0, () => {});
    const drops = Array.from({ length: DROP_REASONS_MAX + 3 }, (_, k) => tlv(5, 1, 0, 3, 0, 3, 0, k, 0));
    d.decodeToRecords(datagram("192.0.2.99", drops), UDP_SOURCE, 0, () => {});
    expect(d.sflowAgents.size).toBe(AGENTS_MAX);
    expect(d.sflowAgents.has(`${AGENT}/0`)).toBe(false); // the oldest agent went first
    expect(d.sflowAgents.get("192.0.2.99/0")!.dropReasons.size).toBe(DROP_REASONS_MAX);
    expect(d.faults.sflowStateEvicted).toBe(5 + 3 + 3); // sources; agents: 4099 seen, 4096 kept; reasons
  });

  test("NetFlow v5 (16-bit version 5) is not taken for sFlow (32-bit version 5)", () => {
    const d = createDecoder(OPTS);
    const out: Record<string, unknown>[] = [];
    d.decodeToRecords(hex("0005 0000 00002710 65000000 00000000 00000001 00 00 0000"), UDP_SOURCE, 0, (r) => out.push(r));
    expect([out.length, d.faults.countMismatch, d.sflowAgents.size]).toEqual([0, 0, 0]);
  });
});

describe("sFlow v5 lengths and counts that lie", () => {
  const rec = tlv(3, 40, 6, A, B, 1, 2, 0, 0);
  const cases: [string, Uint8Array, Record<string, number>, number][] = [
    ["datagram cut inside the agent address", hex("00000005 00000001 c000"), { truncatedHeader: 1 }, 0],
    ["datagram cut before num_samples", hex("00000005 00000001 c0000201 00000000 00000001"), { truncatedHeader: 1 }, 0],
    ["agent address type 3", hex("00000005 00000003 c0000201 00000000 00000001 00000000 00000001"), { sflowBadAddress: 1 }, 0],
    ["num_samples above the samples present", xdr(5, address(AGENT), 0, 1, 0, 3, flowSample([rec])), { sflowSampleCount: 1 }, 1],
    ["num_samples 0xffffffff", xdr(5, address(AGENT), 0, 1, 0, 0xffffffff), { sflowSampleCount: 1 }, 0],
    ["bytes after the last sample", xdr(5, address(AGENT), 0, 1, 0, 1, flowSample([rec]), 0), { sflowSampleCount: 1 }, 1],
    ["sample length beyond the datagram", xdr(5, address(AGENT), 0, 1, 0, 1, 1, 0xfffffff0, 1, 2, 3), { sflowBadSampleLength: 1 }, 0],
    ["flow sample shorter than its fixed fields", datagram(AGENT, [tlv(1, 1, 2, 3, 4)]), { sflowShortRecord: 1 }, 0],
    ["record count above the records present", datagram(AGENT, [tlv(1, 1, 3, 1, 1, 0, 3, 4, 5, rec)]), { sflowRecordCount: 1 }, 1],
    ["record length beyond its sample", datagram(AGENT, [tlv(1, 1, 3, 1, 1, 0, 3, 4, 1, 3, 0x7fffffff, 1)]), { sflowBadRecordLength: 1 }, 1],
    ["header length beyond its record", datagram(AGENT, [flowSample([tlv(1, 1, 64, 4, 200, new Uint8Array(8))])]), { sflowShortRecord: 1 }, 1],
    ["sampled IPv4 record too short", datagram(AGENT, [flowSample([tlv(3, 40, 6, A)])]), { sflowShortRecord: 1 }, 1],
    ["AS path segment longer than the record", datagram(AGENT, [flowSample([tlv(1003, address("10.0.0.1"), 1, 2, 3, 1, 2, 0x40000000, 5)])]), { sflowShortRecord: 1 }, 1],
    ["AS path segment count 0xffffffff", datagram(AGENT, [flowSample([tlv(1003, address("10.0.0.1"), 1, 2, 3, 0xffffffff)])]), { sflowShortRecord: 1 }, 1],
    ["community count 0xffffffff", datagram(AGENT, [flowSample([tlv(1003, address("10.0.0.1"), 1, 2, 3, 0, 0xffffffff, 1)])]), { sflowShortRecord: 1 }, 1],
    ["next hop address type 7", datagram(AGENT, [flowSample([tlv(1002, 7, 1, 2, 3)])]), { sflowBadAddress: 1 }, 1],
    ["next hop address cut", datagram(AGENT, [flowSample([tlv(1002, 2, 1, 2)])]), { sflowShortRecord: 1 }, 1],
    ["counter record too short", datagram(AGENT, [tlv(2, 1, 3, 1, tlv(1, 1, 2, 3))]), { sflowShortRecord: 1 }, 1],
    ["counter record count above the records present", datagram(AGENT, [tlv(2, 1, 3, 9)]), { sflowRecordCount: 1 }, 1],
    ["unknown enterprise sample, then a flow sample", datagram(AGENT, [tlv((9 << 12) | 1, 1, 2), flowSample([rec])]), { sflowUnknownSample: 1 }, 1],
    ["unknown sample format", datagram(AGENT, [tlv(77, 1), flowSample([rec])]), { sflowUnknownSample: 1 }, 1],
    ["unknown flow and counter records", datagram(AGENT, [flowSample([tlv(2100, 1, 2), tlv((4300 << 12) | 1, 5), rec]), tlv(2, 1, 3, 1, tlv(1005, 1))]), { sflowUnknownRecord: 3 }, 2],
  ];
  for (const [name, bytes, faults, records] of cases) {
    test(name, () => {
      const r = decode(bytes);
      expect(r.faults).toEqual(faultsExcept(r.faults, faults));
      expect(r.out.length).toBe(records);
    });
  }

  test("every prefix of a valid datagram decodes without throwing", () => {
    const g = datagram(AGENT, [
      flowSample([headerRecord(ethernetFrame(ETHERTYPE_IPV4, udp4(), [5, 6])), tlv(1003, address("10.0.0.1"), 1, 2, 3, 1, [2, 2, 4, 5], 1, 9, 0)]),
      tlv(2, 5, 7, 1, tlv(1, 7, 6, 0, 1e9, 1, 3, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0)),
    ]);
    const d = createDecoder(OPTS);
    for (let n = 0; n <= g.length; n++) d.decodeToRecords(g.subarray(0, n), UDP_SOURCE, 0, () => {});
    expect(d.faults.truncatedHeader).toBeGreaterThan(0);
  });
});
