// The scratch state of one sFlow flow sample: filled from the sample's records, then written to a
// FlowBatch or printed. One per decoder, reset per sample, so decoding allocates nothing per flow.

/** Longest AS path and community list kept per sample (for printing); longer ones are cut. */
export const AS_PATH_MAX = 64;
export const COMMUNITIES_MAX = 64;

export interface SflowFlow {
  // The datagram.
  agentFamily: number; // 4 | 6
  readonly agent: Uint32Array; // 4 words
  subAgent: number;
  // The sample.
  format: number; // sample format: 1, 3 or 5
  seq: number;
  sourceType: number;
  sourceIndex: number;
  rate: number;
  pool: number;
  drops: number;
  inIf: number;
  outIf: number;
  reason: number; // discarded packets only
  // The sampled packet (raw header or sampled IPv4/IPv6/Ethernet records).
  family: number; // 0 | 4 | 6
  readonly src: Uint32Array;
  readonly dst: Uint32Array;
  proto: number;
  tos: number;
  tcpFlags: number;
  srcPort: number;
  dstPort: number;
  hasPorts: boolean;
  icmp: boolean; // ports hold ICMP type << 8 | code
  /** Layer-3 length, -1 = unknown (then frameL3 applies). */
  ipLength: number;
  /** The frame length minus link header and stripped bytes, for samples without IP; -1 = none. */
  frameL3: number;
  fragment: boolean; // not the first fragment: no transport header
  /** Where the source and destination MAC addresses (6 bytes each) are in `bytes`; -1 = absent. */
  srcMacAt: number;
  dstMacAt: number;
  vlan: number; // the header's outer 802.1Q/802.1ad tag, -1 = none
  innerVlan: number; // the header's second (customer) tag, -1 = none
  srcVlan: number; // extended switch src_vlan, -1 = none
  dstVlan: number; // extended switch dst_vlan, -1 = none
  vni: number; // VXLAN network identifier when the keys come from the inner packet, -1 = none
  /** The datagram the positions below point into (set per datagram; no copy is made). */
  bytes: Uint8Array;
  /** A DNS response's first query name, in wire form (length-prefixed labels) at bytes[dnsAt]; -1 = none. */
  dnsAt: number;
  dnsLen: number;
  /** A TLS ClientHello's server_name (RFC 6066 section 3) at bytes[sniAt]; -1 = none. */
  sniAt: number;
  sniLen: number;
  // Extended records (reset only when a sample had one: most samples have none).
  extended: boolean;
  nextHopFamily: number;
  readonly nextHop: Uint32Array;
  bgpNextHopFamily: number;
  readonly bgpNextHop: Uint32Array;
  srcMask: number;
  dstMask: number;
  srcAs: number;
  dstAs: number;
  peerAs: number;
  localAs: number;
  hasGateway: boolean;
  readonly asPath: Uint32Array;
  asPathLen: number;
  readonly communities: Uint32Array;
  communitiesLen: number;
}

export function createFlow(): SflowFlow {
  const f: SflowFlow = {
    agentFamily: 0, agent: new Uint32Array(4), subAgent: 0,
    format: 0, seq: 0, sourceType: 0, sourceIndex: 0, rate: 0, pool: 0, drops: 0, inIf: 0, outIf: 0, reason: 0,
    family: 0, src: new Uint32Array(4), dst: new Uint32Array(4), proto: 0, tos: 0, tcpFlags: 0, srcPort: 0, dstPort: 0,
    hasPorts: false, icmp: false, ipLength: -1, frameL3: -1, fragment: false, srcMacAt: -1, dstMacAt: -1, vlan: -1,
    innerVlan: -1, srcVlan: -1, dstVlan: -1, vni: -1, bytes: new Uint8Array(0), dnsAt: -1, dnsLen: 0, sniAt: -1, sniLen: 0,
    extended: false, nextHopFamily: 0, nextHop: new Uint32Array(4), bgpNextHopFamily: 0, bgpNextHop: new Uint32Array(4),
    srcMask: 0, dstMask: 0, srcAs: 0, dstAs: 0, peerAs: 0, localAs: 0, hasGateway: false,
    asPath: new Uint32Array(AS_PATH_MAX), asPathLen: 0, communities: new Uint32Array(COMMUNITIES_MAX), communitiesLen: 0,
  };
  return f;
}

// Four stores: cheaper than fill() on a 4-word array, once per sample.
function clear4(w: Uint32Array): void {
  w[0] = 0;
  w[1] = 0;
  w[2] = 0;
  w[3] = 0;
}

/** Clears what a sample's records fill (the datagram and sample fields are set by their walkers). */
export function resetPacket(f: SflowFlow): void {
  f.family = 0;
  clear4(f.src);
  clear4(f.dst);
  f.proto = 0;
  f.tos = 0;
  f.tcpFlags = 0;
  f.srcPort = 0;
  f.dstPort = 0;
  f.hasPorts = false;
  f.icmp = false;
  f.ipLength = -1;
  f.frameL3 = -1;
  f.fragment = false;
  f.srcMacAt = -1;
  f.dstMacAt = -1;
  f.vlan = -1;
  f.innerVlan = -1;
  f.vni = -1;
  f.dnsAt = -1;
  f.sniAt = -1;
  if (f.extended) resetExtended(f);
}

function resetExtended(f: SflowFlow): void {
  f.extended = false;
  f.srcVlan = -1;
  f.dstVlan = -1;
  f.nextHopFamily = 0;
  clear4(f.nextHop);
  f.bgpNextHopFamily = 0;
  clear4(f.bgpNextHop);
  f.srcMask = 0;
  f.dstMask = 0;
  f.srcAs = 0;
  f.dstAs = 0;
  f.peerAs = 0;
  f.localAs = 0;
  f.hasGateway = false;
  f.asPathLen = 0;
  f.communitiesLen = 0;
}

/** The sampled packet's layer-3 octets, as NetFlow counts them. */
export function flowOctets(f: SflowFlow): number {
  return f.ipLength >= 0 ? f.ipLength : f.frameL3 >= 0 ? f.frameL3 : 0;
}

/** The VLAN of the sampled packet: its header's outer tag, else what the switch said; -1 = none. */
export function flowVlan(f: SflowFlow): number {
  return f.vlan >= 0 ? f.vlan : f.srcVlan;
}

/** Big-endian 32-bit word at p (the caller has checked p + 4 <= the bound). */
export function u32(b: Uint8Array, p: number): number {
  return ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
}
