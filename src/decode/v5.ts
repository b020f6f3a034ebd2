// NetFlow v5 (Cisco's format, no RFC): a 24-byte header and 48-byte records. The records are read
// through a built-in template so that v5 shares the compiled decoders of v9 and IPFIX.
import type { Env } from "./sets.ts";
import { type Template, type TemplateField, makeTemplate } from "./template.ts";
import type { ExporterState } from "./templates.ts";

export const V5_HEADER_LEN = 24;
export const V5_RECORD_LEN = 48;
/** Header sampling_interval: the top 2 bits are the mode, the low 14 the interval. */
const V5_INTERVAL_MASK = 0x3fff;

// The record layout, as IANA elements (paddingOctets 210 for the pad bytes).
const V5_FIELDS: readonly TemplateField[] = [
  [8, 4], [12, 4], [15, 4], [10, 2], [14, 2], [2, 4], [1, 4], [22, 4], [21, 4], [7, 2], [11, 2],
  [210, 1], [6, 1], [4, 1], [5, 1], [16, 2], [17, 2], [9, 1], [13, 1], [210, 2],
].map(([id, len]) => ({ id: id!, pen: 0, len: len! }));

export function v5Template(): Template {
  return makeTemplate(5, 0, 0, V5_FIELDS, 0, false);
}

export function decodeV5(env: Env, e: ExporterState, t: Template, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < V5_HEADER_LEN) {
    faults.truncatedHeader++;
    return;
  }
  const count = (b[2]! << 8) | b[3]!;
  const uptime = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  const secs = ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0;
  const nsecs = ((b[12]! << 24) | (b[13]! << 16) | (b[14]! << 8) | b[15]!) >>> 0;
  const present = Math.floor((b.length - V5_HEADER_LEN) / V5_RECORD_LEN);
  // The header count is not trusted beyond the bytes present (corrupt and netcat-joined exports).
  if (count !== present || (b.length - V5_HEADER_LEN) % V5_RECORD_LEN !== 0) faults.countMismatch++;
  const n = Math.min(count, present);
  x.version = 5;
  x.domain = 0;
  x.uptime = uptime;
  x.exportMs = secs * 1000 + nsecs / 1e6;
  x.headerRate = ((b[22]! << 8) | b[23]!) & V5_INTERVAL_MASK;
  x.dom = env.store.domainState(e, 5, 0);
  env.out.data(t, b, V5_HEADER_LEN, V5_HEADER_LEN + n * V5_RECORD_LEN, x);
}
