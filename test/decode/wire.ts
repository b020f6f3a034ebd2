// Test helpers that frame short inline hex into NetFlow v9 / IPFIX messages (lengths computed
// here so the hex in the tests stays the part that matters) and collect decoder output.
import { createBatch, type ExtraSpec, type FlowBatch } from "../../src/flow/batch.ts";
import { type DecoderOptions, type FlowRecord, createDecoder } from "../../src/decode/index.ts";

/** Hex with spaces, newlines and `# comments` allowed. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/#[^\n]*/g, "").replace(/\s+/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex: ${clean}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

const cat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
const u16 = (v: number) => Uint8Array.of(v >> 8, v & 0xff);
const u32 = (v: number) => Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);

/** A set: id, 2-byte length (computed, or forced), body. */
export function set(id: number, body: string, forceLen?: number): Uint8Array {
  const b = hex(body);
  return cat([u16(id), u16(forceLen ?? b.length + 4), b]);
}

export function v9(h: { uptime: number; secs: number; domain?: number; count?: number }, ...sets: Uint8Array[]): Uint8Array {
  return cat([u16(9), u16(h.count ?? sets.length), u32(h.uptime), u32(h.secs), u32(1), u32(h.domain ?? 0), ...sets]);
}

export function ipfix(h: { secs: number; domain?: number; len?: number }, ...sets: Uint8Array[]): Uint8Array {
  const body = cat(sets);
  return cat([u16(10), u16(h.len ?? body.length + 16), u32(h.secs), u32(1), u32(h.domain ?? 0), body]);
}

export const OPTS: DecoderOptions = { templatesPerExporter: 16, templatesTotal: 64, pendingBytesPerExporter: 4096, pendingMs: 5000 };
export const EXPORTER = { addr: "192.0.2.1", id: 7 };

/** Decodes datagrams (each [payload, arrivalMs]) to records with one decoder. */
export function records(datagrams: [Uint8Array, number][], opts: Partial<DecoderOptions> = {}) {
  const d = createDecoder({ ...OPTS, ...opts });
  const out: FlowRecord[] = [];
  for (const [p, at] of datagrams) d.decodeToRecords(p, EXPORTER, at, (r) => out.push(r));
  return { out, faults: { ...d.faults }, decoder: d };
}

/** Decodes datagrams into a batch; returns the batch and the decoder. */
export function batched(datagrams: [Uint8Array, number][], opts: Partial<DecoderOptions> = {}, extras: ExtraSpec[] = []) {
  const d = createDecoder({ ...OPTS, ...opts, extras });
  const b: FlowBatch = createBatch(extras, 64);
  for (const [p, at] of datagrams) d.decodeToBatch(p, EXPORTER, at, b, () => { throw new Error("batch full"); });
  return { b, faults: { ...d.faults }, decoder: d };
}

/** Every fault zero except the ones named. */
export function faultsExcept<F extends object>(f: F, want: Partial<Record<keyof F, number>>): F {
  const out: Record<string, number> = {};
  for (const k of Object.keys(f)) out[k] = (want as Record<string, number>)[k] ?? 0;
  for (const [k, v] of Object.entries(want)) if (!(k in f)) out[k] = v as number; // a misspelt counter fails the test
  return out as F;
}
