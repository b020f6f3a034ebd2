// NetFlow v9 (RFC 3954): 20-byte header (section 5.1), template flowset id 0 (5.2), data
// flowset with the template id, padded to 32 bits (5.3). The header count is every record in the
// packet, template records included; the sequence counts packets per source id.
import type { FlowBatch } from "../flow/batch.ts";
import { SET_HEADER_LENGTH, V9_ALIGN as ALIGN, V9_HEADER_LENGTH, V9_TEMPLATE_FLOWSET_ID, V9_VERSION } from "../decode/wire.ts";
import type { Codec, Header } from "./codec.ts";
import { MAX_PAYLOAD, RECORD_LENGTH } from "./layout.ts";
import { composeSets, countDataRecords, dataSetLength, templateSet, writeDataSet } from "./sets.ts";

const TEMPLATE = templateSet(V9_TEMPLATE_FLOWSET_ID, "v9");

function stamp(v: DataView, h: Header): void {
  v.setUint32(4, h.uptimeMs >>> 0);
  v.setUint32(8, Math.floor(h.exportMs / 1000) >>> 0);
  v.setUint32(12, h.sequence >>> 0);
  v.setUint32(16, h.domain >>> 0);
}

function encode(b: FlowBatch, from: number, n: number, out: Uint8Array, h: Header): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(0, V9_VERSION);
  v.setUint16(2, n);
  stamp(v, h);
  // FIRST/LAST_SWITCHED: sysUpTime when the flow's first/last packet was switched.
  const times = (i: number, end: boolean) => h.uptimeMs - (h.exportMs - ((end ? b.endMs[i] : b.startMs[i]) ?? 0));
  return V9_HEADER_LENGTH + writeDataSet(v, V9_HEADER_LENGTH, b, from, n, ALIGN, times);
}

function compose(src: Uint8Array, n: number, withTemplate: boolean, out: Uint8Array): number {
  const len = composeSets(src, V9_HEADER_LENGTH, n, ALIGN, withTemplate ? TEMPLATE : null, out);
  const count = n + (withTemplate ? 1 : 0);
  out[2] = count >> 8;
  out[3] = count & 0xff;
  return len;
}

export const v9: Codec = {
  version: V9_VERSION,
  headerLength: V9_HEADER_LENGTH,
  maxRecords: Math.floor((MAX_PAYLOAD - V9_HEADER_LENGTH - TEMPLATE.length - SET_HEADER_LENGTH - (ALIGN - 1)) / RECORD_LENGTH),
  template: TEMPLATE,
  size: (n) => V9_HEADER_LENGTH + dataSetLength(n, ALIGN),
  encode,
  compose,
  stamp,
  records: (v, length) => countDataRecords(v, V9_HEADER_LENGTH, length),
};
