// NetFlow v5 (Cisco's format, no RFC): a 24-byte header and 48-byte records. The records are read
// through a built-in template so that v5 shares the compiled decoders of v9 and IPFIX.
import { PADDING_OCTETS as PAD } from "./elements.ts";
import type { Env } from "./sets.ts";
import { type Template, type TemplateField, makeTemplate } from "./template.ts";
import type { ExporterState } from "./templates.ts";
import { V5_HEADER_LENGTH, V5_INTERVAL_MASK, V5_RECORD_LENGTH, V5_VERSION, u16, u32 } from "./wire.ts";

// The record layout, as IANA elements (paddingOctets for the pad bytes).
const V5_FIELDS: readonly TemplateField[] = [
  [8, 4], [12, 4], [15, 4], [10, 2], [14, 2], [2, 4], [1, 4], [22, 4], [21, 4], [7, 2], [11, 2],
  [PAD, 1], [6, 1], [4, 1], [5, 1], [16, 2], [17, 2], [9, 1], [13, 1], [PAD, 2],
].map(([id, len]) => ({ id: id!, pen: 0, len: len! }));

export function v5Template(): Template {
  return makeTemplate(V5_VERSION, 0, 0, V5_FIELDS, 0, false);
}

export function decodeV5(env: Env, e: ExporterState, t: Template, b: Uint8Array): void {
  const { x, faults } = env;
  if (b.length < V5_HEADER_LENGTH) {
    faults.truncatedHeader++;
    return;
  }
  const count = u16(b, 2);
  const uptime = u32(b, 4);
  const secs = u32(b, 8);
  const nsecs = u32(b, 12);
  const present = Math.floor((b.length - V5_HEADER_LENGTH) / V5_RECORD_LENGTH);
  // The header count is not trusted beyond the bytes present (corrupt and netcat-joined exports).
  if (count !== present || (b.length - V5_HEADER_LENGTH) % V5_RECORD_LENGTH !== 0) faults.countMismatch++;
  const n = Math.min(count, present);
  x.version = V5_VERSION;
  x.domain = 0;
  x.uptime = uptime;
  x.exportMs = secs * 1000 + nsecs / 1e6;
  x.headerRate = u16(b, 22) & V5_INTERVAL_MASK;
  x.dom = env.store.domainState(e, V5_VERSION, 0);
  env.out.data(t, b, V5_HEADER_LENGTH, V5_HEADER_LENGTH + n * V5_RECORD_LENGTH, x);
}
