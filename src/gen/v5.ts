// NetFlow v5 (Cisco's fixed format; no RFC): 24-byte header, then up to 30 48-byte records.
// Record times are sysUpTime milliseconds, like v9's FIRST/LAST_SWITCHED.
import type { FlowBatch } from "../flow/batch.ts";
import { V5_HEADER_LENGTH, V5_MAX_RECORDS, V5_RECORD_LENGTH, V5_VERSION } from "../decode/wire.ts";
import type { Codec, Header } from "./codec.ts";

function writeHeader(v: DataView, n: number, h: Header): void {
  v.setUint16(0, V5_VERSION);
  v.setUint16(2, n);
  stamp(v, h);
  v.setUint8(20, 0); // engine_type
  v.setUint16(22, 0); // sampling_interval: mode 0, interval 0 = unsampled
}

function stamp(v: DataView, h: Header): void {
  v.setUint32(4, h.uptimeMs >>> 0);
  const secs = Math.floor(h.exportMs / 1000);
  v.setUint32(8, secs >>> 0);
  v.setUint32(12, Math.round((h.exportMs - secs * 1000) * 1e6) >>> 0);
  v.setUint32(16, h.sequence >>> 0);
  v.setUint8(21, h.domain & 0xff);
}

function encode(b: FlowBatch, from: number, n: number, out: Uint8Array, h: Header): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  writeHeader(v, n, h);
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const o = V5_HEADER_LENGTH + k * V5_RECORD_LENGTH;
    v.setUint32(o, b.srcAddr[i * 4] ?? 0);
    v.setUint32(o + 4, b.dstAddr[i * 4] ?? 0);
    v.setUint32(o + 8, b.nextHop[i * 4] ?? 0);
    v.setUint16(o + 12, (b.inIf[i] ?? 0) & 0xffff);
    v.setUint16(o + 14, (b.outIf[i] ?? 0) & 0xffff);
    v.setUint32(o + 16, (b.packets[i] ?? 0) >>> 0);
    v.setUint32(o + 20, (b.octets[i] ?? 0) >>> 0);
    v.setUint32(o + 24, (h.uptimeMs - (h.exportMs - (b.startMs[i] ?? 0))) >>> 0);
    v.setUint32(o + 28, (h.uptimeMs - (h.exportMs - (b.endMs[i] ?? 0))) >>> 0);
    v.setUint16(o + 32, b.srcPort[i] ?? 0);
    v.setUint16(o + 34, b.dstPort[i] ?? 0);
    v.setUint8(o + 36, 0); // pad1
    v.setUint8(o + 37, (b.tcpFlags[i] ?? 0) & 0xff);
    v.setUint8(o + 38, b.proto[i] ?? 0);
    v.setUint8(o + 39, b.tos[i] ?? 0);
    v.setUint16(o + 40, (b.srcAs[i] ?? 0) & 0xffff);
    v.setUint16(o + 42, (b.dstAs[i] ?? 0) & 0xffff);
    v.setUint8(o + 44, b.srcMask[i] ?? 0);
    v.setUint8(o + 45, b.dstMask[i] ?? 0);
    v.setUint16(o + 46, 0); // pad2
  }
  return V5_HEADER_LENGTH + n * V5_RECORD_LENGTH;
}

function compose(src: Uint8Array, n: number, _withTemplate: boolean, out: Uint8Array): number {
  const len = V5_HEADER_LENGTH + n * V5_RECORD_LENGTH;
  out.set(src.subarray(0, len), 0);
  out[2] = n >> 8;
  out[3] = n & 0xff;
  return len;
}

export const v5: Codec = {
  version: V5_VERSION,
  headerLength: V5_HEADER_LENGTH,
  maxRecords: V5_MAX_RECORDS,
  template: new Uint8Array(0),
  size: (n) => V5_HEADER_LENGTH + n * V5_RECORD_LENGTH,
  encode,
  compose,
  stamp,
  records: (v) => v.getUint16(2),
};
