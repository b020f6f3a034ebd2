// Where the length, count and id fields of a v5 / v9 / IPFIX datagram are, so mutations can aim
// at the fields parsers trust (RFC 3954 section 5, RFC 7011 section 3) instead of random bytes.
// The walk stops at the first set it cannot frame: past that, nothing is structure any more.

export interface Layout {
  version: number;
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
  const l: Layout = { version: u16(b, 0), countAt: -1, setIds: [], setLens: [], templateIds: [], fieldCounts: [], fieldLens: [], data: [] };
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
