// The columnar flow batch: decoders write records into it, monitors read them. One batch is
// allocated per worker and reused for every datagram, so the hot path allocates nothing per flow.
//
// Addresses use four 32-bit words per record (index i*4 .. i*4+3): IPv6 as big-endian words,
// IPv4 in word 0 with words 1..3 zero; `family` tells which (0 = the record has none).
// Counters are Float64 (exact up to 2^53); times are epoch milliseconds.

export const BATCH_CAPACITY = 4096;

/** Extra columns for `[[field]]` and IANA elements used as keys, by element (pen, id). */
export interface ExtraColumn {
  readonly pen: number;
  readonly element: number;
  readonly type: "uint" | "address" | "mac" | "string";
  /** uint, mac: the value; string: an id from the batch's string table; NaN = absent. */
  readonly num: Float64Array;
  /** address only: four words per record, family per record. */
  readonly addr: Uint32Array | null;
  readonly family: Uint8Array | null;
}

export interface FlowBatch {
  readonly capacity: number;
  length: number;

  // Where the record came from (set per datagram by the pipeline, copied per record).
  readonly exporterFamily: Uint8Array;
  readonly exporterAddr: Uint32Array; // 4 words per record
  readonly exporterId: Uint32Array; // index into the pipeline's exporter table
  readonly version: Uint8Array; // 5, 9, 10
  readonly domain: Uint32Array; // v9 source id / IPFIX observation domain
  readonly arrivalMs: Float64Array;

  // The flow key.
  readonly family: Uint8Array;
  readonly srcAddr: Uint32Array;
  readonly dstAddr: Uint32Array;
  readonly nextHop: Uint32Array;
  readonly nextHopFamily: Uint8Array;
  readonly srcMask: Uint8Array;
  readonly dstMask: Uint8Array;
  readonly srcPort: Uint16Array;
  readonly dstPort: Uint16Array;
  readonly proto: Uint8Array;
  readonly tos: Uint8Array;
  readonly tcpFlags: Uint16Array;
  readonly inIf: Uint32Array;
  readonly outIf: Uint32Array;
  readonly srcAs: Uint32Array;
  readonly dstAs: Uint32Array;
  readonly vlan: Uint16Array;
  readonly sampler: Uint32Array; // sampler id when the record names one, else 0

  // The flow's size, as exported (not yet multiplied by the sampling rate).
  readonly octets: Float64Array;
  readonly packets: Float64Array;
  /** The sampling rate that applies to this record (1 = unsampled). */
  readonly sampling: Float64Array;
  readonly startMs: Float64Array; // NaN when the record carries no time
  readonly endMs: Float64Array;

  // Enrichment (src/enrich/stage.ts): ids from src/enrich/names.ts, 0 = unknown. Written only
  // when the config enables enrichment; otherwise they stay 0.
  readonly srcCountry: Uint16Array; // ISO 3166 alpha-2 as two ASCII bytes ("RU" = 0x5255)
  readonly dstCountry: Uint16Array;
  readonly srcNetwork: Uint32Array; // network name id
  readonly dstNetwork: Uint32Array;
  readonly srcRole: Uint16Array; // the network's role id
  readonly dstRole: Uint16Array;
  readonly inRole: Uint16Array; // the interface's role id
  readonly outRole: Uint16Array;

  readonly extra: readonly ExtraColumn[];
  /** Interned strings for `string` extra columns; cleared by the owner when it grows too big. */
  readonly strings: string[];
}

export interface ExtraSpec {
  pen: number;
  element: number;
  type: ExtraColumn["type"];
}

// sFlow payload names (issue 23): string columns the sFlow decoder fills from sampled headers,
// read by the `dns name` and `sni` filter and key fields. Added to a batch only when a filter or
// key uses them. The enterprise number is the top of the 32-bit range, which no exporter's
// template uses, so the NetFlow decoders leave these columns absent.
export const PAYLOAD_NAMES_PEN = 0xffffffff;
/** The query name of a DNS response. */
export const DNS_NAME_COLUMN: ExtraSpec = { pen: PAYLOAD_NAMES_PEN, element: 1, type: "string" };
/** The server name of a TLS ClientHello. */
export const SNI_COLUMN: ExtraSpec = { pen: PAYLOAD_NAMES_PEN, element: 2, type: "string" };

export function createBatch(extras: readonly ExtraSpec[] = [], capacity = BATCH_CAPACITY): FlowBatch {
  const n = capacity;
  return {
    capacity: n,
    length: 0,
    exporterFamily: new Uint8Array(n),
    exporterAddr: new Uint32Array(n * 4),
    exporterId: new Uint32Array(n),
    version: new Uint8Array(n),
    domain: new Uint32Array(n),
    arrivalMs: new Float64Array(n),
    family: new Uint8Array(n),
    srcAddr: new Uint32Array(n * 4),
    dstAddr: new Uint32Array(n * 4),
    nextHop: new Uint32Array(n * 4),
    nextHopFamily: new Uint8Array(n),
    srcMask: new Uint8Array(n),
    dstMask: new Uint8Array(n),
    srcPort: new Uint16Array(n),
    dstPort: new Uint16Array(n),
    proto: new Uint8Array(n),
    tos: new Uint8Array(n),
    tcpFlags: new Uint16Array(n),
    inIf: new Uint32Array(n),
    outIf: new Uint32Array(n),
    srcAs: new Uint32Array(n),
    dstAs: new Uint32Array(n),
    vlan: new Uint16Array(n),
    sampler: new Uint32Array(n),
    octets: new Float64Array(n),
    packets: new Float64Array(n),
    sampling: new Float64Array(n),
    startMs: new Float64Array(n),
    endMs: new Float64Array(n),
    srcCountry: new Uint16Array(n),
    dstCountry: new Uint16Array(n),
    srcNetwork: new Uint32Array(n),
    dstNetwork: new Uint32Array(n),
    srcRole: new Uint16Array(n),
    dstRole: new Uint16Array(n),
    inRole: new Uint16Array(n),
    outRole: new Uint16Array(n),
    extra: extras.map((e) => ({
      pen: e.pen,
      element: e.element,
      type: e.type,
      num: new Float64Array(n),
      addr: e.type === "address" ? new Uint32Array(n * 4) : null,
      family: e.type === "address" ? new Uint8Array(n) : null,
    })),
    strings: [],
  };
}

/** Distinct string values a batch keeps interned across datagrams before its table is emptied. */
export const BATCH_STRINGS_MAX = 65_536;

/**
 * Empties a batch after its consumer is done with it. String ids are the batch's own (windows and
 * averages keep their own copies), so the string table can be emptied between batches once it is
 * large; the decoder then resets its intern map.
 */
export function resetBatch(b: FlowBatch): void {
  b.length = 0;
  if (b.strings.length > BATCH_STRINGS_MAX) b.strings.length = 0;
}
