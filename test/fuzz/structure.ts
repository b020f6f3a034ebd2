// Where the length, count and id fields of a v5 / v9 / IPFIX / sFlow v5 datagram are, so mutations
// can aim at the fields parsers trust (RFC 3954 section 5, RFC 7011 section 3, sFlow v5 "sFlow
// Datagram") instead of random bytes. The walk stops at the first set it cannot frame: past that,
// nothing is structure any more.
import { isSflow } from "../../src/decode/sflow/datagram.ts";

export interface Layout {
  version: number;
  /**
   * sFlow: the fields are 32-bit XDR words; samples stand in for sets (format as id), records for
   * template fields (format as template id, length as field length), record and sample counts for
   * field counts, sampled headers for data.
   */
  words: boolean;
  /** Offset of the header count (v5, v9) or message length (IPFIX); -1 when too short. */
  countAt: number;
  setIds: number[];
  setLens: number[];
  templateIds: number[];
  /** Field counts, IPFIX scope counts and v9 options scope/option lengths. */
  fieldCounts: number[];
  fieldLens: number[];
  /** Data set bodies as [start, end) pairs. */
  data: number[];
}

const V5_HEADER = 24; // Cisco NetFlow v5 header
const V9_HEADER = 20; // RFC 3954 section 5.1
const IPFIX_HEADER = 16; // RFC 7011 section 3.1
const ENTERPRISE_BIT = 0x8000; // RFC 7011 section 3.2

const u16 = (b: Uint8Array, p: number) => ((b[p] ?? 0) << 8) | (b[p + 1] ?? 0);

export function layout(b: Uint8Array): Layout {
  if (isSflow(b)) return sflowLayout(b);
  const l: Layout = { version: u16(b, 0), words: false, countAt: -1, setIds: [], setLens: [], templateIds: [], fieldCounts: [], fieldLens: [], data: [] };
  if (b.length < 4) return l;
  l.countAt = 2;
  if (l.version === 5) {
    if (b.length > V5_HEADER) l.data.push(V5_HEADER, b.length);
    return l;
  }
  if (l.version !== 9 && l.version !== 10) return l;
  const ipfix = l.version === 10;
  const end = ipfix ? Math.min(u16(b, 2), b.length) : b.length;
  for (let o = ipfix ? IPFIX_HEADER : V9_HEADER; end - o >= 4; ) {
    const id = u16(b, o);
    const len = u16(b, o + 2);
    l.setIds.push(o);
    l.setLens.push(o + 2);
    if (len < 4 || o + len > end) return l;
    const body = o + 4;
    if (id === (ipfix ? 2 : 0)) templates(b, body, o + len, ipfix, false, l);
    else if (id === (ipfix ? 3 : 1)) templates(b, body, o + len, ipfix, true, l);
    else if (id >= 256) l.data.push(body, o + len);
    o += len;
  }
  return l;
}

function templates(b: Uint8Array, p: number, end: number, ipfix: boolean, options: boolean, l: Layout): void {
  while (end - p >= 4) {
    l.templateIds.push(p);
    l.fieldCounts.push(p + 2);
    let n: number;
    let q: number;
    if (!ipfix && options) {
      // RFC 3954 section 6.1: scope and option lengths in bytes, 4 per field.
      l.fieldCounts.push(p + 4);
      n = (u16(b, p + 2) + u16(b, p + 4)) >> 2;
      q = p + 6;
    } else {
      if (options) l.fieldCounts.push(p + 4);
      n = u16(b, p + 2);
      q = p + (options ? 6 : 4);
    }
    if (n === 0) return;
    for (let k = 0; k < n && end - q >= 4; k++) {
      l.fieldLens.push(q + 2);
      q += ipfix && u16(b, q) & ENTERPRISE_BIT ? 8 : 4;
    }
    if (q > end) return;
    p = q;
  }
}

/** True when the datagram carries a (options) template set: the state a replay must include. */
export function hasTemplates(l: Layout, b: Uint8Array): boolean {
  for (const o of l.setIds) {
    const id = u16(b, o);
    if (id <= 3) return true;
  }
  return false;
}

const u32 = (b: Uint8Array, p: number) => u16(b, p) * 65536 + u16(b, p + 2);
const SFLOW_ADDRESS_WORDS = [0, 1, 4]; // sFlow v5 address types: unknown, IPv4, IPv6
const SFLOW_FLOW_SAMPLES = new Set([1, 3, 5]); // flow, expanded flow, discarded packets
const SFLOW_SAMPLED_HEADER = 1;

function sflowLayout(b: Uint8Array): Layout {
  const l: Layout = { version: 5, words: true, countAt: -1, setIds: [], setLens: [], templateIds: [], fieldCounts: [], fieldLens: [], data: [] };
  const words = SFLOW_ADDRESS_WORDS[u32(b, 4)];
  if (words === undefined) return l;
  l.countAt = 8 + 4 * words + 12;
  if (l.countAt + 4 > b.length) return l;
  for (let o = l.countAt + 4, n = u32(b, l.countAt); n > 0 && b.length - o >= 8; n--) {
    const format = u32(b, o);
    const len = u32(b, o + 4);
    l.setIds.push(o);
    l.setLens.push(o + 4);
    const body = o + 8;
    if (len > b.length - body) return l;
    // The record count ends the sample's fixed part: 8 words (flow, discarded), 11 (expanded flow), 3 (counters), 4 (expanded).
    const fixed = format === 1 || format === 5 ? 32 : format === 3 ? 44 : format === 2 ? 12 : format === 4 ? 16 : -1;
    if (fixed > 0 && fixed <= len) sflowRecords(b, body + fixed - 4, body + len, SFLOW_FLOW_SAMPLES.has(format), l);
    o = body + ((len + 3) & ~3);
  }
  return l;
}

function sflowRecords(b: Uint8Array, countAt: number, end: number, flow: boolean, l: Layout): void {
  l.fieldCounts.push(countAt);
  for (let o = countAt + 4, n = u32(b, countAt); n > 0 && end - o >= 8; n--) {
    const format = u32(b, o);
    const len = u32(b, o + 4);
    l.templateIds.push(o);
    l.fieldLens.push(o + 4);
    const body = o + 8;
    if (len > end - body) return;
    if (flow && format === SFLOW_SAMPLED_HEADER && len >= 16) {
      l.fieldLens.push(body + 12); // header_length
      l.data.push(body + 16, body + len);
    }
    o = body + ((len + 3) & ~3);
  }
}
