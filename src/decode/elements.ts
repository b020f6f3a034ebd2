// The Information Element registry: IANA (RFC 7012, generated from the registry CSV), the NetFlow
// v9 field types above the IANA range that vendors send, RFC 5103 reverse elements, and the
// synthetic ids we give NetFlow v9 scope fields. Lookup is by (pen, id); enterprise elements live
// in their own key space, so an element never gets an IANA name it does not have.
import { IANA_ELEMENTS } from "./elements.generated.ts";

// RFC 7012 section 3.1 abstract data types; the numbering is the generator's (scripts/gen-elements.ts).
export enum DataType {
  octetArray = 0, unsigned8, unsigned16, unsigned32, unsigned64, signed8, signed16, signed32, signed64,
  float32, float64, boolean, macAddress, string, dateTimeSeconds, dateTimeMilliseconds,
  dateTimeMicroseconds, dateTimeNanoseconds, ipv4Address, ipv6Address, basicList, subTemplateList,
  subTemplateMultiList,
}

export interface Element {
  readonly name: string;
  readonly type: DataType;
}

/** RFC 7012 paddingOctets: filler, never data. */
export const PADDING_OCTETS = 210;

/** RFC 5103 section 6.1: the PEN under which an IANA element id means its reverse direction. */
export const PEN_REVERSE = 29305;

/**
 * NetFlow v9 scope field types (RFC 3954 section 6.1: 1 System, 2 Interface, 3 Line Card, 4 Cache,
 * 5 Template) overlap IANA ids 1..5, so scope fields get ids above the 16-bit wire range.
 */
export const V9_SCOPE_BASE = 0x10000;

// Elements our copy of the registry leaves out: the deprecated ones that NetFlow v9 exporters still
// send (RFC 3954 section 8 types, with the names and types of IANA's current registry) and ids the
// 2013 copy lists only as "Assigned for NetFlow v9 compatibility" that IANA named later.
const V9_COMPAT: readonly (readonly [number, string, DataType])[] = [
  [34, "samplingInterval", DataType.unsigned32],
  [35, "samplingAlgorithm", DataType.unsigned8],
  [38, "engineType", DataType.unsigned8],
  [39, "engineId", DataType.unsigned8],
  [48, "samplerId", DataType.unsigned8],
  [49, "samplerMode", DataType.unsigned8],
  [50, "samplerRandomInterval", DataType.unsigned32],
  [51, "classId", DataType.unsigned8],
  [84, "samplerName", DataType.string],
  [89, "forwardingStatus", DataType.unsigned32],
  [92, "srcTrafficIndex", DataType.unsigned32],
  [93, "dstTrafficIndex", DataType.unsigned32],
  [102, "layer2packetSectionOffset", DataType.unsigned16],
  [103, "layer2packetSectionSize", DataType.unsigned16],
  [104, "layer2packetSectionData", DataType.octetArray],
];

// NetFlow v9 vendor field types (no PEN on the wire; all above 32767 except where noted).
// Cisco NSEL (ASA): 33000-33002, 40000-40005. Palo Alto PAN-OS: 56701/56702. nProbe: 57472 + the
// ntop element id (57590 = L7_PROTO, 57591 = L7_PROTO_NAME), named as under ntop's PEN 35632.
const V9_VENDOR: readonly (readonly [number, string, DataType])[] = [
  [33000, "ingressAclId", DataType.octetArray],
  [33001, "egressAclId", DataType.octetArray],
  [33002, "fwExtEvent", DataType.unsigned16],
  [40000, "aaaUsername", DataType.string],
  // NSEL's XLATE_* and FW_EVENT are the IANA NAT elements 225-228 and firewallEvent 233 under older
  // numbers (tshark names them so too): one name for one meaning.
  [40001, "postNATSourceIPv4Address", DataType.ipv4Address],
  [40002, "postNATDestinationIPv4Address", DataType.ipv4Address],
  [40003, "postNAPTSourceTransportPort", DataType.unsigned16],
  [40004, "postNAPTDestinationTransportPort", DataType.unsigned16],
  [40005, "firewallEvent", DataType.unsigned8],
  [56701, "panAppId", DataType.string],
  [56702, "panUserId", DataType.string],
  [57590, "ntopL7Proto", DataType.unsigned16],
  [57591, "ntopL7ProtoName", DataType.string],
];

const V9_SCOPES: readonly (readonly [number, string, DataType])[] = [
  [V9_SCOPE_BASE + 1, "scopeSystem", DataType.octetArray],
  [V9_SCOPE_BASE + 2, "scopeInterface", DataType.unsigned32],
  [V9_SCOPE_BASE + 3, "scopeLineCard", DataType.unsigned32],
  [V9_SCOPE_BASE + 4, "scopeCache", DataType.octetArray],
  [V9_SCOPE_BASE + 5, "scopeTemplate", DataType.unsigned16],
];

// Enterprise elements we can name (PEN, id). ntop's own PEN for the nProbe elements above.
const ENTERPRISE: readonly (readonly [number, number, string, DataType])[] = [
  [35632, 118, "ntopL7Proto", DataType.unsigned16],
  [35632, 119, "ntopL7ProtoName", DataType.string],
];

const iana = new Map<number, Element>();
for (const [id, name, type] of IANA_ELEMENTS) iana.set(id, { name, type });
for (const [id, name, type] of [...V9_COMPAT, ...V9_VENDOR, ...V9_SCOPES]) iana.set(id, { name, type });

const enterprise = new Map<number, Element>();
for (const [pen, id, name, type] of ENTERPRISE) enterprise.set(pen * 0x10000 + id, { name, type });
for (const [id, name, type] of IANA_ELEMENTS) {
  enterprise.set(PEN_REVERSE * 0x10000 + id, { name: `reverse${name[0]!.toUpperCase()}${name.slice(1)}`, type });
}

const unknown = new Map<number, Element>();

/** The element for (pen, id); an unknown one is named `ie<ID>` / `ie<PEN>_<ID>` with octetArray type. */
export function element(pen: number, id: number): Element {
  const key = pen * 0x10000 + id; // pen < 2^32 and id < 2^17: exact in a double
  const known = pen === 0 ? iana.get(id) : enterprise.get(key);
  if (known) return known;
  let e = unknown.get(key);
  if (!e) {
    e = { name: pen === 0 ? `ie${id}` : `ie${pen}_${id}`, type: DataType.octetArray };
    unknown.set(key, e);
  }
  return e;
}

/** The (pen, id) of an element name, for config fields and keys; null when unknown. */
export function elementByName(name: string): { pen: number; id: number } | null {
  for (const [id, e] of iana) if (e.name === name) return { pen: 0, id };
  for (const [key, e] of enterprise) if (e.name === name) return { pen: Math.floor(key / 0x10000), id: key % 0x10000 };
  const m = /^ie(?:(\d+)_)?(\d+)$/.exec(name);
  return m ? { pen: m[1] ? Number(m[1]) : 0, id: Number(m[2]) } : null;
}
