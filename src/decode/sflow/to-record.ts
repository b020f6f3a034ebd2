// sFlow samples as printed records (DESIGN.md section 4): a flow sample with the IPFIX names of
// what its records said, a counter sample with "counters":true and IF-MIB names, a discarded
// packet with "dropped":true. Built only for `xenoflow decode` and the flow dump, not per flow
// on the collector's path.
import { formatAddress } from "../../net/address.ts";
import type { FlowRecord } from "../compile-records.ts";
import { ETHERNET_FIELDS, GENERIC_INTERFACE_FIELDS, type SflowCounters } from "./counters.ts";
import { type SflowFlow, flowOctets, flowVlan } from "./flow.ts";
import { dnsNameText, sniText } from "./names.ts";
import { SAMPLE_DISCARDED } from "./spec.ts";

export const SFLOW_RECORD_VERSION = "sflow5";

function macText(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at, at + 6), (x) => x.toString(16).padStart(2, "0")).join(":");
}

function head(f: SflowFlow): FlowRecord {
  return { exporter: formatAddress(f.agentFamily, f.agent), version: SFLOW_RECORD_VERSION, domain: f.subAgent };
}

/** A flow or discarded-packet sample as a record. */
export function flowRecord(f: SflowFlow): FlowRecord {
  const r = head(f);
  if (f.format === SAMPLE_DISCARDED) {
    r.dropped = true;
    r.dropReason = f.reason;
  }
  if (f.srcMacAt >= 0) r.sourceMacAddress = macText(f.bytes, f.srcMacAt);
  if (f.dstMacAt >= 0) r.destinationMacAddress = macText(f.bytes, f.dstMacAt);
  if (flowVlan(f) >= 0) r.vlanId = flowVlan(f);
  if (f.innerVlan >= 0) r.dot1qCustomerVlanId = f.innerVlan;
  if (f.dstVlan >= 0) r.postVlanId = f.dstVlan;
  if (f.family !== 0) {
    const v6 = f.family === 6;
    r[v6 ? "sourceIPv6Address" : "sourceIPv4Address"] = formatAddress(f.family, f.src);
    r[v6 ? "destinationIPv6Address" : "destinationIPv4Address"] = formatAddress(f.family, f.dst);
    r.protocolIdentifier = f.proto;
    r.ipClassOfService = f.tos;
    if (f.icmp) r[v6 ? "icmpTypeCodeIPv6" : "icmpTypeCodeIPv4"] = f.dstPort;
    else if (f.hasPorts) {
      r.sourceTransportPort = f.srcPort;
      r.destinationTransportPort = f.dstPort;
    }
    if (f.proto === 6 && f.hasPorts) r.tcpControlBits = f.tcpFlags;
  }
  if (f.vni >= 0) r.vxlanNetworkIdentifier = f.vni;
  if (f.dnsAt >= 0) r.dnsQueryName = dnsNameText(f);
  if (f.sniAt >= 0) r.tlsServerName = sniText(f);
  r.octetDeltaCount = flowOctets(f);
  r.packetDeltaCount = 1;
  r.samplingInterval = f.rate > 0 ? f.rate : 1;
  r.ingressInterface = f.inIf;
  r.egressInterface = f.outIf;
  if (f.nextHopFamily !== 0) {
    r[f.nextHopFamily === 6 ? "ipNextHopIPv6Address" : "ipNextHopIPv4Address"] = formatAddress(f.nextHopFamily, f.nextHop);
    const v6 = f.family === 6;
    r[v6 ? "sourceIPv6PrefixLength" : "sourceIPv4PrefixLength"] = f.srcMask;
    r[v6 ? "destinationIPv6PrefixLength" : "destinationIPv4PrefixLength"] = f.dstMask;
  }
  if (f.hasGateway) {
    r[f.bgpNextHopFamily === 6 ? "bgpNextHopIPv6Address" : "bgpNextHopIPv4Address"] = formatAddress(f.bgpNextHopFamily, f.bgpNextHop);
    r.bgpSourceAsNumber = f.srcAs;
    r.bgpDestinationAsNumber = f.dstAs;
    r.bgpPrevAdjacentAsNumber = f.peerAs;
    if (f.asPathLen > 0) r.bgpNextAdjacentAsNumber = f.asPath[0]!;
    r.bgpDestinationAsPath = Array.from(f.asPath.subarray(0, f.asPathLen));
    r.bgpDestinationCommunityList = Array.from(f.communities.subarray(0, f.communitiesLen));
  }
  return r;
}

/** A counter sample as a record. */
export function countersRecord(f: SflowFlow, c: SflowCounters): FlowRecord {
  const r = head(f);
  r.counters = true;
  r.sourceIdType = c.sourceType;
  r.sourceIdIndex = c.sourceIndex;
  if (c.hasGeneric) GENERIC_INTERFACE_FIELDS.forEach(([name], i) => (r[name] = c.generic[i]!));
  if (c.hasEthernet) ETHERNET_FIELDS.forEach((name, i) => (r[name] = c.ethernet[i]!));
  return r;
}
