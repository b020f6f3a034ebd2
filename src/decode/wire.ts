// The numbers of the wire formats and the big-endian reads of their headers, shared by the
// decoders and the generator (src/gen), so that both name each constant once, after its spec.

// NetFlow v5: Cisco's fixed format (no RFC).
export const V5_VERSION = 5;
export const V5_HEADER_LENGTH = 24;
export const V5_RECORD_LENGTH = 48;
/** The format's own limit: exporters never put more than 30 records in a datagram. */
export const V5_MAX_RECORDS = 30;
/** Header sampling_interval: the top 2 bits are the mode, the low 14 the interval. */
export const V5_INTERVAL_MASK = 0x3fff;

// NetFlow v9, RFC 3954.
export const V9_VERSION = 9;
export const V9_HEADER_LENGTH = 20; // section 5.1
export const V9_TEMPLATE_FLOWSET_ID = 0; // section 5.2
export const V9_OPTIONS_TEMPLATE_FLOWSET_ID = 1; // section 6.1
export const V9_ALIGN = 4; // section 5.3: flowsets are padded to a 32-bit boundary

// IPFIX, RFC 7011.
export const IPFIX_VERSION = 10; // section 3.1
export const IPFIX_HEADER_LENGTH = 16; // section 3.1
export const IPFIX_TEMPLATE_SET_ID = 2; // section 3.3.2
export const IPFIX_OPTIONS_TEMPLATE_SET_ID = 3; // section 3.3.2
export const IPFIX_ENTERPRISE_BIT = 0x8000; // section 3.2

/** The set header {id u16, length u16} of v9 flowsets (RFC 3954 section 5) and IPFIX sets (RFC 7011 section 3.3.2). */
export const SET_HEADER_LENGTH = 4;
/** The lowest data set (template) id, in both: RFC 3954 section 5.3, RFC 7011 section 3.3.2. */
export const MIN_DATA_SET_ID = 256;

export const u16 = (b: Uint8Array, p: number): number => (b[p]! << 8) | b[p + 1]!;
export const u32 = (b: Uint8Array, p: number): number => ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;

/** Whether b[from .. to-1] is zero fill (padding after the last set, or inside a template set). */
export function allZero(b: Uint8Array, from: number, to: number): boolean {
  for (let p = from; p < to; p++) if (b[p] !== 0) return false;
  return true;
}
