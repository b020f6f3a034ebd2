// pmacctd's sFlow agent (the sfprobe plugin, scripts/make-fixtures.sh sflow) sampling a known
// traffic capture at rates 1 and 10: every flow sample equals tshark's reading of it, and at rate
// 1 the samples add up to the traffic's own IP bytes and packets. The expected record is derived
// here from tshark's fields (its own dissection of the sampled header), never from our decoder.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { decodeCapture } from "../../src/capture/decode.ts";
import { createDecoder } from "../../src/decode/index.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { faultsExcept } from "./wire.ts";

const DIR = join(import.meta.dir, "../fixtures/sflow");
type Ref = Record<string, string | string[]>;

const ETHERNET_HEADER = 14;
const IPV6_HEADER = 40;
const INTERFACE_UNKNOWN = 0x3fffffff; // sFlow v5 "interface": ifIndex unknown, which we print as 0

/** The section 4 record tshark's fields describe. */
function expected(t: Ref): Record<string, unknown> {
  const one = (k: string, i = 0) => (t[k] as string[] | undefined)?.[i];
  const last = (k: string) => (t[k] as string[] | undefined)?.at(-1);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const s = (k: string) => t[k] as string;
  const r: Record<string, unknown> = {
    exporter: s("sflow_245.agent"), version: "sflow5", domain: Number(s("sflow_245.sub_agent_id")),
    sourceMacAddress: one("eth.src"), destinationMacAddress: one("eth.dst"),
    vlanId: num(one("vlan.id")) ?? Number(s("sflow_245.vlan.in")), postVlanId: Number(s("sflow_245.vlan.out")),
    packetDeltaCount: 1, samplingInterval: Number(s("sflow.flow_sample.sampling_rate")),
  };
  const input = Number(s("sflow.flow_sample.input_interface"));
  const output = Number(s("sflow.flow_sample.output_interface_value"));
  r.ingressInterface = input === INTERFACE_UNKNOWN ? 0 : input;
  r.egressInterface = output === INTERFACE_UNKNOWN ? 0 : output;
  // VXLAN: the keys are the inner packet's (the second IP header), the octets the outer's.
  const inner = t["vxlan.vni"] ? 1 : 0;
  if (inner) r.vxlanNetworkIdentifier = Number(one("vxlan.vni"));
  r.dnsQueryName = one("dns.qry.name");
  r.tlsServerName = one("tls.handshake.extensions_server_name");
  const v6 = t["ipv6.src"] !== undefined;
  if (t["ip.src"] || v6) {
    const tcp = t["tcp.srcport"] !== undefined;
    const udp = t["udp.srcport"] !== undefined;
    const proto = v6
      ? tcp ? 6 : udp ? 17 : t["icmpv6.type"] ? 58 : Number(one("ipv6.nxt"))
      : Number(one("ip.proto", inner));
    Object.assign(r, v6
      ? { sourceIPv6Address: one("ipv6.src"), destinationIPv6Address: one("ipv6.dst"), ipClassOfService: Number(one("ipv6.tclass")) }
      : { sourceIPv4Address: one("ip.src", inner), destinationIPv4Address: one("ip.dst", inner), ipClassOfService: Number(one("ip.dsfield", inner)) });
    r.protocolIdentifier = proto;
    r.octetDeltaCount = v6 ? Number(one("ipv6.plen")) + IPV6_HEADER : Number(one("ip.len"));
    const icmp = v6 ? "icmpv6" : "icmp";
    if (t[`${icmp}.type`]) r[v6 ? "icmpTypeCodeIPv6" : "icmpTypeCodeIPv4"] = Number(one(`${icmp}.type`)) * 256 + Number(one(`${icmp}.code`));
    else if (Number(one("ip.frag_offset") ?? 0) === 0 && (proto === 6 || proto === 17)) {
      const l4 = proto === 6 ? "tcp" : "udp";
      r.sourceTransportPort = Number(last(`${l4}.srcport`));
      r.destinationTransportPort = Number(last(`${l4}.dstport`));
      if (proto === 6) r.tcpControlBits = Number(last("tcp.flags"));
    }
  } else {
    r.octetDeltaCount = Number(s("sflow_245.header.frame_length")) - Number(s("sflow_245.header.payload_stripped")) - ETHERNET_HEADER;
  }
  for (const k of Object.keys(r)) if (r[k] === undefined) delete r[k];
  return r;
}

function load(name: string) {
  const bytes = new Uint8Array(readFileSync(join(DIR, `${name}.pcap`)));
  const refs = readFileSync(join(DIR, `${name}.tshark.jsonl`), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Ref);
  return { bytes, refs };
}

describe("pmacctd sfprobe", () => {
  for (const name of ["pmacct-rate1", "pmacct-rate10"]) {
    test(`${name}: every flow sample equals tshark's`, () => {
      const { bytes, refs } = load(name);
      const { rows, faults } = decodeCapture(bytes);
      expect(rows.map((r) => r.record)).toEqual(refs.map(expected) as never);
      expect(rows.map((r) => r.frame)).toEqual(refs.map((r) => r._frame as unknown as number));
      expect(faults).toEqual(faultsExcept(faults, {}));
    });
  }

  test("rate 1: the samples add up to the traffic's IP bytes and packets", () => {
    const { bytes } = load("pmacct-rate1");
    const totals = JSON.parse(readFileSync(join(DIR, "traffic.totals.json"), "utf8")) as { octets: number; packets: number };
    const flows = decodeCapture(bytes).rows.map((r) => r.record);
    const sum = (k: string) => flows.reduce((a, r) => a + (r[k] as number) * (r.samplingInterval as number), 0);
    expect([sum("octetDeltaCount"), sum("packetDeltaCount")]).toEqual([totals.octets, totals.packets]);
  });

  test("the agent's sequence numbers, sample pool and drops", () => {
    for (const name of ["pmacct-rate1", "pmacct-rate10"]) {
      const d = createDecoder({ templatesPerExporter: 4, templatesTotal: 4, pendingBytesPerExporter: 0, pendingMs: 0 });
      for (const g of readCapture(load(name).bytes).datagrams) d.decodeToRecords(g.payload, { addr: g.src, id: 0 }, g.tsMs, () => {});
      const a = d.sflowAgents.get("192.0.2.100/0")!;
      const refs = load(name).refs;
      expect({ samples: a.flowSamples, lost: a.lostSamples, pool: a.pool, drops: a.drops }).toEqual({
        samples: refs.length, lost: 0, pool: Math.max(...refs.map((r) => Number(r["sflow.flow_sample.sample_pool"]))), drops: 0,
      });
    }
  });
});
