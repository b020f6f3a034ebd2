// The set framing NetFlow v9 (RFC 3954 section 5) and IPFIX (RFC 7011 section 3.3) share: a
// header, then sets of {id u16, length u16, body}; templates in a set of their own before data.
import { MIN_DATA_SET_ID, SET_HEADER_LENGTH } from "../decode/wire.ts";
import type { FlowBatch } from "../flow/batch.ts";
import { RECORD_LENGTH, TEMPLATE_ID, TEMPLATE_RECORD_LENGTH, writeTemplateRecord } from "./layout.ts";
import { writeRecord } from "./record.ts";

/** A complete template set (header + the one template record). */
export function templateSet(setId: number, kind: "v9" | "ipfix"): Uint8Array {
  const out = new Uint8Array(SET_HEADER_LENGTH + TEMPLATE_RECORD_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint16(0, setId);
  v.setUint16(2, out.length);
  writeTemplateRecord(v, SET_HEADER_LENGTH, kind);
  return out;
}

/** Data set length for n records, padded to `align` bytes (RFC 3954 asks for 32-bit alignment). */
export function dataSetLength(n: number, align: number): number {
  const raw = SET_HEADER_LENGTH + n * RECORD_LENGTH;
  return Math.ceil(raw / align) * align;
}

/** Writes a data set of records from..from+n-1 at `off`; `times` gives each record's wire start/end. */
export function writeDataSet(
  v: DataView,
  off: number,
  b: FlowBatch,
  from: number,
  n: number,
  align: number,
  times: (i: number, end: boolean) => number,
): number {
  const len = dataSetLength(n, align);
  v.setUint16(off, TEMPLATE_ID);
  v.setUint16(off + 2, len);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    writeRecord(v, off + SET_HEADER_LENGTH + k * RECORD_LENGTH, b, i, times(i, false), times(i, true));
  }
  for (let p = off + SET_HEADER_LENGTH + n * RECORD_LENGTH; p < off + len; p++) v.setUint8(p, 0);
  return len;
}

/**
 * Copies header and the first n records of the single data set of `src` into out, with
 * `template` between them when given; returns the datagram length. The caller fixes the header.
 */
export function composeSets(src: Uint8Array, headerLength: number, n: number, align: number, template: Uint8Array | null, out: Uint8Array): number {
  out.set(src.subarray(0, headerLength), 0);
  let off = headerLength;
  if (template) {
    out.set(template, off);
    off += template.length;
  }
  const len = dataSetLength(n, align);
  const body = SET_HEADER_LENGTH + n * RECORD_LENGTH;
  out.set(src.subarray(headerLength, headerLength + body), off);
  out.fill(0, off + body, off + len);
  out[off + 2] = len >> 8;
  out[off + 3] = len & 0xff;
  return off + len;
}

/** Data records in a datagram of sets (template sets skipped). */
export function countDataRecords(v: DataView, headerLength: number, length: number): number {
  let n = 0;
  for (let off = headerLength; off + SET_HEADER_LENGTH <= length; ) {
    const id = v.getUint16(off);
    const len = v.getUint16(off + 2);
    if (len < SET_HEADER_LENGTH) break;
    if (id >= MIN_DATA_SET_ID) n += Math.floor((len - SET_HEADER_LENGTH) / RECORD_LENGTH);
    off += len;
  }
  return n;
}
