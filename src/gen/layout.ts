// The one flow record layout the generator exports over NetFlow v9 and IPFIX: the benchmark
// template (IPv4 5-tuple, ToS, TCP flags, interfaces, counters, times, AS numbers, masks, next
// hop). Lengths are the RFC 3954 section 8 defaults (2-byte interfaces and AS numbers, 4-byte
// counters), so one record is 45 bytes and 29 records make a 1332-byte v9 datagram
// (20 header + 4 set header + 29 x 45 + 3 pad), 1412 with the 80-byte template set in front:
// both under the 1472-byte UDP payload of a 1500-byte Ethernet MTU.
// IPFIX uses the same element numbers (RFC 7012 kept NetFlow v9's 1..22) except for the times:
// IPFIX has no sysUpTime in its header, so start/end travel as microseconds before the export
// time (flowStartDeltaMicroseconds/flowEndDeltaMicroseconds), which, like v9's uptime-relative
// times, stay correct when only the header's clock is patched at send time.
import { MIN_DATA_SET_ID } from "../decode/wire.ts";

export type Column =
  | "srcAddr"
  | "dstAddr"
  | "nextHop"
  | "inIf"
  | "outIf"
  | "packets"
  | "octets"
  | "start"
  | "end"
  | "srcPort"
  | "dstPort"
  | "tcpFlags"
  | "proto"
  | "tos"
  | "srcAs"
  | "dstAs"
  | "srcMask"
  | "dstMask";

export interface FieldSpec {
  readonly column: Column;
  readonly v9: number; // RFC 3954 section 8 field type
  readonly ipfix: number; // IANA IPFIX Information Element id (RFC 7012)
  readonly length: number;
  readonly offset: number;
}

const FIELDS: readonly Omit<FieldSpec, "offset">[] = [
  { column: "srcAddr", v9: 8, ipfix: 8, length: 4 }, // IPV4_SRC_ADDR / sourceIPv4Address
  { column: "dstAddr", v9: 12, ipfix: 12, length: 4 }, // IPV4_DST_ADDR / destinationIPv4Address
  { column: "nextHop", v9: 15, ipfix: 15, length: 4 }, // IPV4_NEXT_HOP / ipNextHopIPv4Address
  { column: "inIf", v9: 10, ipfix: 10, length: 2 }, // INPUT_SNMP / ingressInterface
  { column: "outIf", v9: 14, ipfix: 14, length: 2 }, // OUTPUT_SNMP / egressInterface
  { column: "packets", v9: 2, ipfix: 2, length: 4 }, // IN_PKTS / packetDeltaCount
  { column: "octets", v9: 1, ipfix: 1, length: 4 }, // IN_BYTES / octetDeltaCount
  { column: "start", v9: 22, ipfix: 158, length: 4 }, // FIRST_SWITCHED / flowStartDeltaMicroseconds
  { column: "end", v9: 21, ipfix: 159, length: 4 }, // LAST_SWITCHED / flowEndDeltaMicroseconds
  { column: "srcPort", v9: 7, ipfix: 7, length: 2 }, // L4_SRC_PORT / sourceTransportPort
  { column: "dstPort", v9: 11, ipfix: 11, length: 2 }, // L4_DST_PORT / destinationTransportPort
  { column: "tcpFlags", v9: 6, ipfix: 6, length: 1 }, // TCP_FLAGS / tcpControlBits (reduced size, RFC 7011 6.2)
  { column: "proto", v9: 4, ipfix: 4, length: 1 }, // PROTOCOL / protocolIdentifier
  { column: "tos", v9: 5, ipfix: 5, length: 1 }, // SRC_TOS / ipClassOfService
  { column: "srcAs", v9: 16, ipfix: 16, length: 2 }, // SRC_AS / bgpSourceAsNumber
  { column: "dstAs", v9: 17, ipfix: 17, length: 2 }, // DST_AS / bgpDestinationAsNumber
  { column: "srcMask", v9: 9, ipfix: 9, length: 1 }, // SRC_MASK / sourceIPv4PrefixLength
  { column: "dstMask", v9: 13, ipfix: 13, length: 1 }, // DST_MASK / destinationIPv4PrefixLength
];

export const LAYOUT: readonly FieldSpec[] = (() => {
  let offset = 0;
  return FIELDS.map((f) => {
    const spec = { ...f, offset };
    offset += f.length;
    return spec;
  });
})();

export const RECORD_LENGTH = LAYOUT.reduce((sum, f) => sum + f.length, 0);

/** The template id of the one data template: the first id RFC 3954/7011 leave to data. */
export const TEMPLATE_ID = MIN_DATA_SET_ID;

/** UDP payload that fits a 1500-byte Ethernet MTU over IPv4 (1500 - 20 IP - 8 UDP). */
export const MAX_PAYLOAD = 1472;

/**
 * Writes the template record (id, field count, then type/length pairs) at `off`, with v9
 * field types or IPFIX element ids; the two formats share this shape (RFC 3954 5.2, RFC 7011 3.4.1).
 */
export function writeTemplateRecord(v: DataView, off: number, kind: "v9" | "ipfix"): number {
  v.setUint16(off, TEMPLATE_ID);
  v.setUint16(off + 2, LAYOUT.length);
  let o = off + 4;
  for (const f of LAYOUT) {
    v.setUint16(o, kind === "v9" ? f.v9 : f.ipfix);
    v.setUint16(o + 2, f.length);
    o += 4;
  }
  return o - off;
}

export const TEMPLATE_RECORD_LENGTH = 4 + 4 * LAYOUT.length;
