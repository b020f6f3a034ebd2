// IPFIX (RFC 7011): 16-byte message header (section 3.1) whose length field covers the whole
// message, template set id 2 (3.3.2), data set with the template id. The sequence number counts
// data records (not messages) per observation domain; padding is optional and we send none.
import type { FlowBatch } from "../flow/batch.ts";
import { IPFIX_HEADER_LENGTH, IPFIX_TEMPLATE_SET_ID, IPFIX_VERSION, SET_HEADER_LENGTH } from "../decode/wire.ts";
import type { Codec, Header } from "./codec.ts";
import { MAX_PAYLOAD, RECORD_LENGTH } from "./layout.ts";
import { composeSets, countDataRecords, dataSetLength, templateSet, writeDataSet } from "./sets.ts";

const ALIGN = 1; // RFC 7011 section 3.3.1: padding is optional

const TEMPLATE = templateSet(IPFIX_TEMPLATE_SET_ID, "ipfix");

function stamp(v: DataView, h: Header): void {
  v.setUint32(4, Math.floor(h.exportMs / 1000) >>> 0);
  v.setUint32(8, h.sequence >>> 0);
  v.setUint32(12, h.domain >>> 0);
}

function encode(b: FlowBatch, from: number, n: number, out: Uint8Array, h: Header): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(0, IPFIX_VERSION);
  stamp(v, h);
  // flowStart/EndDeltaMicroseconds (IE 158/159): how long before the export time.
  const times = (i: number, end: boolean) => (h.exportMs - ((end ? b.endMs[i] : b.startMs[i]) ?? 0)) * 1000;
  const len = IPFIX_HEADER_LENGTH + writeDataSet(v, IPFIX_HEADER_LENGTH, b, from, n, ALIGN, times);
  v.setUint16(2, len);
  return len;
}

function compose(src: Uint8Array, n: number, withTemplate: boolean, out: Uint8Array): number {
  const len = composeSets(src, IPFIX_HEADER_LENGTH, n, ALIGN, withTemplate ? TEMPLATE : null, out);
  out[2] = len >> 8;
  out[3] = len & 0xff;
  return len;
}

export const ipfix: Codec = {
  version: IPFIX_VERSION,
  headerLength: IPFIX_HEADER_LENGTH,
  maxRecords: Math.floor((MAX_PAYLOAD - IPFIX_HEADER_LENGTH - TEMPLATE.length - SET_HEADER_LENGTH) / RECORD_LENGTH),
  template: TEMPLATE,
  size: (n) => IPFIX_HEADER_LENGTH + dataSetLength(n, ALIGN),
  encode,
  compose,
  stamp,
  records: (v, length) => countDataRecords(v, IPFIX_HEADER_LENGTH, length),
};
