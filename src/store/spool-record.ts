// One spooled window export on disk. A record is a fixed header followed by the export as UTF-8
// JSON (exports are per window, not per flow, so JSON's cost does not matter and a person can
// read a stuck spool with `strings`):
//
//   u32 LE  payload length
//   u32 LE  CRC-32 of everything after this field (rest of header + payload)
//   f64 LE  seq          (monotonic, also the bookkeeping key in xenoflow_exports)
//   f64 LE  spooled at   (epoch ms, for export latency after a restart)
//   u32 LE  row count    (for drop accounting without parsing the payload)
//   payload
//
// A crash mid-append leaves a short or mismatching record at the end of a segment; the scan stops
// there and recovery truncates it.
import { type WindowExport, headOf, rowCount, rowsOf } from "./sink.ts";

export const HEADER_BYTES = 28;
// A single export above this is corruption, not data (a top-less window of 1M keys is ~100 MB).
const MAX_PAYLOAD = 1 << 30;

export interface RecordInfo {
  seq: number;
  at: number;
  rows: number;
  /** Offset of the record (header) in the segment. */
  offset: number;
  /** Header plus payload. */
  bytes: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeRecord(seq: number, at: number, exp: WindowExport): Uint8Array {
  const rows = "source" in exp ? exp.source.slice(0, exp.source.count) : exp.rows;
  return frame(seq, at, rowCount(exp), [encoder.encode(JSON.stringify({ ...headOf(exp), rows }))]);
}

/**
 * encodeRecord() a slice of rows at a time, awaiting `pause()` between slices, for a caller on
 * the thread that also receives: 100 000 rows in one JSON.stringify held it for tens of ms. The
 * payload is the same JSON object (decodeRecord() returns the same export).
 */
export async function encodeRecordSliced(seq: number, at: number, exp: WindowExport, pause: () => Promise<void>, rowsPerSlice: number): Promise<Uint8Array> {
  const head = headOf(exp);
  const rows = rowsOf(exp);
  if (rows.count <= rowsPerSlice) return encodeRecord(seq, at, exp);
  const h = JSON.stringify(head);
  const pieces = [encoder.encode(`${h.slice(0, -1)}${h === "{}" ? "" : ","}"rows":[`)];
  for (let i = 0; i < rows.count; i += rowsPerSlice) {
    if (i > 0) await pause();
    const json = JSON.stringify(rows.slice(i, i + rowsPerSlice));
    pieces.push(encoder.encode(`${i > 0 ? "," : ""}${json.slice(1, -1)}`));
  }
  pieces.push(encoder.encode("]}"));
  return frame(seq, at, rows.count, pieces);
}

function frame(seq: number, at: number, rows: number, payload: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of payload) length += p.length;
  const out = new Uint8Array(HEADER_BYTES + length);
  let o = HEADER_BYTES;
  for (const p of payload) {
    out.set(p, o);
    o += p.length;
  }
  const dv = new DataView(out.buffer);
  dv.setUint32(0, length, true);
  dv.setFloat64(8, seq, true);
  dv.setFloat64(16, at, true);
  dv.setUint32(24, rows, true);
  dv.setUint32(4, Bun.hash.crc32(out.subarray(8)), true);
  return out;
}

/** Reads the record at `offset`; null when it is truncated or fails its checksum. */
export function readRecordInfo(buf: Uint8Array, offset: number): RecordInfo | null {
  if (buf.length - offset < HEADER_BYTES) return null;
  const dv = new DataView(buf.buffer, buf.byteOffset + offset);
  const len = dv.getUint32(0, true);
  if (len > MAX_PAYLOAD || buf.length - offset - HEADER_BYTES < len) return null;
  const end = offset + HEADER_BYTES + len;
  if (Bun.hash.crc32(buf.subarray(offset + 8, end)) !== dv.getUint32(4, true)) return null;
  return { seq: dv.getFloat64(8, true), at: dv.getFloat64(16, true), rows: dv.getUint32(24, true), offset, bytes: HEADER_BYTES + len };
}

/** Every intact record from the start of a segment, and where the intact prefix ends. */
export function scanRecords(buf: Uint8Array): { records: RecordInfo[]; validBytes: number } {
  const records: RecordInfo[] = [];
  let off = 0;
  for (;;) {
    const r = readRecordInfo(buf, off);
    if (!r) break;
    records.push(r);
    off += r.bytes;
  }
  return { records, validBytes: off };
}

/** The export inside a record already read whole into `buf` (header included). */
export function decodeRecord(buf: Uint8Array): WindowExport {
  const r = readRecordInfo(buf, 0);
  if (!r || r.bytes !== buf.length) throw new Error("spool record fails its checksum");
  return JSON.parse(decoder.decode(buf.subarray(HEADER_BYTES))) as WindowExport;
}
