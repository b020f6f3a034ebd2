// The tshark reference: turns `X.tshark.jsonl` (one object per flow record tshark decoded, field
// names without "cflow.", values as tshark renders them; see the corpus README) into the subset
// of DESIGN.md section 4 fields that we compare with our decoder, and compares one record.
//
// Times are converted here, independently of the decoder: tshark prints absolute times
// ("Oct  9, 2015 09:47:49.599000000 UTC") and uptime-relative ones as seconds of sysUptime; the
// latter become epoch ms from the datagram's own header (v5/v9: export time - (sysUptime - value),
// as a signed 32-bit difference so an uptime wrap still lands near the export time; IPFIX: the
// exporter's systemInitTimeMilliseconds + value, when tshark showed one earlier in the file).
import { readFileSync } from "node:fs";
import { formatV6Bytes as formatIPv6 } from "../../src/net/address.ts";
import { readCapture } from "../../src/capture/pcap.ts";
import { parseAddress } from "./pcapwrite.ts";

type Kind = "uint" | "hex" | "ipv4" | "ipv6" | "mac";

/**
 * tshark field -> section 4 name. Left out on purpose: forwarding_status (tshark splits the byte
 * into status and reason), sampling_interval / sampler_id (IE 34/48 are deprecated in the IANA
 * registry, so their section 4 names are not settled), reverse (RFC 5103) and vendor elements.
 */
export const TSHARK_FIELDS: readonly (readonly [tshark: string, ie: string, kind: Kind])[] = [
  ["srcaddr", "sourceIPv4Address", "ipv4"], // IE 8
  ["dstaddr", "destinationIPv4Address", "ipv4"], // IE 12
  ["srcaddrv6", "sourceIPv6Address", "ipv6"], // IE 27
  ["dstaddrv6", "destinationIPv6Address", "ipv6"], // IE 28
  ["nexthop", "ipNextHopIPv4Address", "ipv4"], // IE 15
  ["nexthopv6", "ipNextHopIPv6Address", "ipv6"], // IE 62
  ["bgpnexthop", "bgpNextHopIPv4Address", "ipv4"], // IE 18
  ["bgpnexthopv6", "bgpNextHopIPv6Address", "ipv6"], // IE 63
  ["post_natsource_ipv4_address", "postNATSourceIPv4Address", "ipv4"], // IE 225
  ["post_natdestination_ipv4_address", "postNATDestinationIPv4Address", "ipv4"], // IE 226
  ["srcport", "sourceTransportPort", "uint"], // IE 7 (tshark also shows IE 180/182 as srcport)
  ["dstport", "destinationTransportPort", "uint"], // IE 11 (and 181/183)
  ["post_naptsource_transport_port", "postNAPTSourceTransportPort", "uint"], // IE 227
  ["post_naptdestination_transport_port", "postNAPTDestinationTransportPort", "uint"], // IE 228
  ["protocol", "protocolIdentifier", "uint"], // IE 4
  ["octets", "octetDeltaCount", "uint"], // IE 1
  ["packets", "packetDeltaCount", "uint"], // IE 2
  ["permanent_octets", "octetTotalCount", "uint"], // IE 85
  ["permanent_packets", "packetTotalCount", "uint"], // IE 86
  ["post_octets", "postOctetDeltaCount", "uint"], // IE 23
  ["post_packets", "postPacketDeltaCount", "uint"], // IE 24
  ["initiator_octets", "initiatorOctets", "uint"], // IE 231
  ["responder_octets", "responderOctets", "uint"], // IE 232
  ["octetsexp", "exportedOctetTotalCount", "uint"], // IE 40
  ["packetsexp", "exportedMessageTotalCount", "uint"], // IE 41
  ["flowsexp", "exportedFlowRecordTotalCount", "uint"], // IE 42
  ["tcpflags", "tcpControlBits", "hex"], // IE 6
  ["tos", "ipClassOfService", "hex"], // IE 5
  ["inputint", "ingressInterface", "uint"], // IE 10
  ["outputint", "egressInterface", "uint"], // IE 14
  ["srcas", "bgpSourceAsNumber", "uint"], // IE 16
  ["dstas", "bgpDestinationAsNumber", "uint"], // IE 17
  ["srcmask", "sourceIPv4PrefixLength", "uint"], // IE 9
  ["dstmask", "destinationIPv4PrefixLength", "uint"], // IE 13
  ["vlanid", "vlanId", "uint"], // IE 58
  ["post_vlanid", "postVlanId", "uint"], // IE 59
  ["dot1q_vlan_id", "dot1qVlanId", "uint"], // IE 243
  ["direction", "flowDirection", "uint"], // IE 61
  ["ip_version", "ipVersion", "uint"], // IE 60
  ["flow_end_reason", "flowEndReason", "uint"], // IE 136
  ["firewall_event", "firewallEvent", "uint"], // IE 233
  ["ingress_vrfid", "ingressVRFID", "uint"], // IE 234
  ["egress_vrfid", "egressVRFID", "uint"], // IE 235
  ["layer2_segment_id", "layer2SegmentId", "uint"], // IE 351
  ["icmp_type_code_ipv4", "icmpTypeCodeIPv4", "hex"], // IE 32
  ["flow_id", "flowId", "uint"], // IE 148
  ["srcmac", "sourceMacAddress", "mac"], // IE 56
  ["dstmac", "destinationMacAddress", "mac"], // IE 80
  ["post_srcmac", "postSourceMacAddress", "mac"], // IE 81
  ["post_dstmac", "postDestinationMacAddress", "mac"], // IE 57
];

export const TIME_FIELDS = ["flowStartMilliseconds", "flowEndMilliseconds"] as const;
const KIND = new Map(TSHARK_FIELDS.map(([, ie, kind]) => [ie, kind]));

export type Value = number | string;
/** One reference record: a value, or for a field tshark showed several times, the candidates. */
export interface Reference {
  frame: number;
  flowset: number;
  cutShort: boolean; // tshark raised an expert item inside it: fields after the fault are missing
  fields: Record<string, Value | Value[]>;
}

export interface ExportHeader {
  version: number;
  exportMs: number; // v5: unix_secs + unix_nsecs; v9: unix_secs; IPFIX: export time
  uptimeMs: number; // v5/v9 sysUptime; NaN for IPFIX
}

/** RFC 3954 section 5.1 (v9), the Cisco v5 header, RFC 7011 section 3.1 (IPFIX). */
export function exportHeader(p: Uint8Array): ExportHeader | null {
  if (p.length < 16) return null;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const version = v.getUint16(0);
  if (version === 5) return { version, exportMs: v.getUint32(8) * 1000 + v.getUint32(12) / 1e6, uptimeMs: v.getUint32(4) };
  if (version === 9) return { version, exportMs: v.getUint32(8) * 1000, uptimeMs: v.getUint32(4) };
  if (version === 10) return { version, exportMs: v.getUint32(4) * 1000, uptimeMs: Number.NaN };
  return null;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "Oct  9, 2015 09:47:49.599000000 UTC" -> epoch ms (fractional below 1 ms). */
export function tsharkTime(text: string): number {
  const m = /^(\w{3}) +(\d+), (\d{4}) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? UTC$/.exec(text);
  if (!m) throw new Error(`not a tshark time: ${text}`);
  const [, mon = "", d, y, hh, mm, ss, frac = "0"] = m;
  const ms = Date.UTC(Number(y), MONTHS.indexOf(mon), Number(d), Number(hh), Number(mm), Number(ss));
  return ms + Number(`0.${frac}`) * 1000;
}

function convert(kind: Kind, text: string): Value {
  switch (kind) {
    case "uint": {
      const n = BigInt(text);
      return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    case "hex":
      return Number.parseInt(text, 16);
    case "ipv6":
      return formatIPv6(parseAddress(text), 0);
    case "mac":
      return text.toLowerCase();
    case "ipv4":
      return text;
  }
}

/** A decoder value in the same form as the reference (IPv6 canonical, MACs lower case). */
export function normalize(ie: string, value: unknown): unknown {
  const kind = KIND.get(ie);
  if (typeof value !== "string") return value;
  if (kind === "ipv6") return formatIPv6(parseAddress(value), 0);
  if (kind === "mac") return value.toLowerCase();
  return value;
}

type Raw = Record<string, unknown>;

/** Loads X.tshark.jsonl against its capture (for the export headers the times need). */
export function loadTshark(jsonlPath: string, capture: Uint8Array): Reference[] {
  const headers = new Map<number, ExportHeader>();
  for (const d of readCapture(capture).datagrams) {
    const h = exportHeader(d.payload);
    if (h) headers.set(d.frame, h);
  }
  const lines = readFileSync(jsonlPath, "utf8").split("\n").filter((l) => l.trim() !== "");
  let sysInitMs = Number.NaN; // IPFIX systemInitTimeMilliseconds (IE 160), latest seen
  return lines.map((line) => {
    const raw = JSON.parse(line) as Raw;
    if (typeof raw.sys_init_time === "string") sysInitMs = tsharkTime(raw.sys_init_time);
    return toReference(raw, headers.get(Number(raw._frame)), sysInitMs);
  });
}

export function toReference(raw: Raw, header: ExportHeader | undefined, sysInitMs = Number.NaN): Reference {
  const fields: Record<string, Value | Value[]> = {};
  for (const [name, ie, kind] of TSHARK_FIELDS) {
    const v = raw[name];
    if (typeof v === "string") fields[ie] = convert(kind, v);
    else if (Array.isArray(v)) fields[ie] = v.map((x) => convert(kind, String(x)));
  }
  const start = time(raw.abstimestart, raw.timestart, header, sysInitMs, raw.timeend !== undefined);
  const end = time(raw.abstimeend, raw.timeend, header, sysInitMs, raw.timestart !== undefined);
  if (start !== undefined) fields.flowStartMilliseconds = start;
  if (end !== undefined) fields.flowEndMilliseconds = end;
  return { frame: Number(raw._frame), flowset: Number(raw._flowset_id ?? -1), cutShort: raw._tshark_expert !== undefined, fields };
}

function time(abs: unknown, rel: unknown, h: ExportHeader | undefined, sysInitMs: number, otherIsRelative: boolean): number | undefined {
  let relMs: number | undefined;
  if (typeof rel === "string") relMs = Math.round(Number(rel) * 1000);
  else if (typeof abs === "string") {
    const ms = tsharkTime(abs);
    // tshark shows a relative value of 0 as the absolute epoch (corpus README, "Times").
    if (ms !== 0 || !otherIsRelative) return ms;
    relMs = 0;
  }
  if (relMs === undefined || !h) return undefined;
  if (h.version === 10) return Number.isNaN(sysInitMs) ? undefined : sysInitMs + relMs;
  return h.exportMs - ((h.uptimeMs - relMs) | 0);
}

/** Differences between a reference record and a decoded one ("" when they agree). */
export function compareRecord(ref: Reference, rec: Record<string, unknown>): string[] {
  const diffs: string[] = [];
  for (const [ie, want] of Object.entries(ref.fields)) {
    const got = normalize(ie, rec[ie]);
    const ok = (w: Value) =>
      (TIME_FIELDS as readonly string[]).includes(ie) ? typeof got === "number" && Math.abs(got - Number(w)) < 1 : got === w;
    if (Array.isArray(want) ? !want.some(ok) : !ok(want)) diffs.push(`${ie}: got ${JSON.stringify(got)}, tshark ${JSON.stringify(want)}`);
  }
  // Fields we compare must not appear from nowhere either (a cut-short record lacks its tail).
  if (!ref.cutShort) {
    for (const [, ie] of TSHARK_FIELDS) {
      if (rec[ie] !== undefined && ref.fields[ie] === undefined) diffs.push(`${ie}: got ${JSON.stringify(rec[ie])}, tshark has none`);
    }
  }
  return diffs;
}
