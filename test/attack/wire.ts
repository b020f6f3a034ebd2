// Datagram builders for the attack tests: IPFIX messages packed with many template records, data
// sets for a small legitimate template, options records, all framed per RFC 7011 section 3.
import { createBatch, type FlowBatch } from "../../src/flow/batch.ts";
import { type DecoderOptions, type FlowRecord, createDecoder } from "../../src/decode/index.ts";

export const IPFIX_HEADER = 16; // RFC 7011 section 3.1
export const TEMPLATE_SET = 2; // RFC 7011 section 3.3.2
export const OPTIONS_TEMPLATE_SET = 3;
/** Largest UDP payload most paths carry; the attacker packs each datagram up to this. */
export const MTU_PAYLOAD = 1472;

export function ipfixMessage(domain: number, exportSecs: number, sets: Uint8Array[]): Uint8Array {
  const len = IPFIX_HEADER + sets.reduce((n, s) => n + s.length, 0);
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint16(0, 10);
  v.setUint16(2, len);
  v.setUint32(4, exportSecs);
  v.setUint32(12, domain);
  let o = IPFIX_HEADER;
  for (const s of sets) { b.set(s, o); o += s.length; }
  return b;
}

/** A set of `records` (already encoded) with id `setId`. */
export function set(setId: number, records: Uint8Array[]): Uint8Array {
  const len = 4 + records.reduce((n, r) => n + r.length, 0);
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint16(0, setId);
  v.setUint16(2, len);
  let o = 4;
  for (const r of records) { b.set(r, o); o += r.length; }
  return b;
}

/** A template record: id, then (element, length) pairs. */
export function templateRecord(id: number, fields: readonly (readonly [number, number])[]): Uint8Array {
  const b = new Uint8Array(4 + 4 * fields.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, id);
  v.setUint16(2, fields.length);
  fields.forEach(([e, l], k) => { v.setUint16(4 + 4 * k, e); v.setUint16(6 + 4 * k, l); });
  return b;
}

/** Options template record (RFC 7011 section 3.4.2.2): id, field count, scope count, fields. */
export function optionsTemplateRecord(id: number, scope: number, fields: readonly (readonly [number, number])[]): Uint8Array {
  const b = new Uint8Array(6 + 4 * fields.length);
  const v = new DataView(b.buffer);
  v.setUint16(0, id);
  v.setUint16(2, fields.length);
  v.setUint16(4, scope);
  fields.forEach(([e, l], k) => { v.setUint16(6 + 4 * k, e); v.setUint16(8 + 4 * k, l); });
  return b;
}

/** Template ids from..to-1 (each a one-field template), packed into as few datagrams as fit. */
export function templateSpray(domain: number, ids: Iterable<number>): Uint8Array[] {
  const out: Uint8Array[] = [];
  let batch: Uint8Array[] = [];
  const perDatagram = Math.floor((MTU_PAYLOAD - IPFIX_HEADER - 4) / 8);
  const flush = () => {
    if (batch.length > 0) out.push(ipfixMessage(domain, 1_700_000_000, [set(TEMPLATE_SET, batch)]));
    batch = [];
  };
  for (const id of ids) {
    // Distinct contents, so a resend is a change, never a refresh.
    batch.push(templateRecord(id, [[1, 4 + (id % 5)]]));
    if (batch.length === perDatagram) flush();
  }
  flush();
  return out;
}

// The legitimate exporter's template: sourceIPv4Address, destinationIPv4Address, octetDeltaCount.
export const LEGIT_ID = 300;
export const LEGIT_TEMPLATE = templateRecord(LEGIT_ID, [[8, 4], [12, 4], [1, 4]]);

export function legitData(n: number, base: number): Uint8Array {
  const rec = (k: number) => {
    const r = new Uint8Array(12);
    const v = new DataView(r.buffer);
    v.setUint32(0, 0x0a000000 + base + k); // 10.0.x.y
    v.setUint32(4, 0xc0000201); // 192.0.2.1
    v.setUint32(8, 1000 + k);
    return r;
  };
  return set(LEGIT_ID, Array.from({ length: n }, (_, k) => rec(k)));
}

export const COLLECTOR_BOUNDS: DecoderOptions = {
  templatesPerExporter: 1024, templatesTotal: 65536, pendingBytesPerExporter: 1 << 20, pendingMs: 30_000,
}; // the config defaults (src/config/sections.ts)

/** A decoder and its batch, with helpers that count what came out. */
export function harness(opts: Partial<DecoderOptions> = {}) {
  const decoder = createDecoder({ ...COLLECTOR_BOUNDS, ...opts });
  const batch: FlowBatch = createBatch([], 4096);
  const ids = new Map<string, number>();
  const id = (addr: string) => {
    let n = ids.get(addr);
    if (n === undefined) ids.set(addr, (n = ids.size));
    return n;
  };
  return {
    decoder,
    /** Decodes into the batch and returns how many flows came out. */
    feed(addr: string, payload: Uint8Array, at: number): number {
      batch.length = 0;
      decoder.decodeToBatch(payload, { addr, id: id(addr) }, at, batch, () => { throw new Error("batch full"); });
      return batch.length;
    },
    records(addr: string, payload: Uint8Array, at: number): FlowRecord[] {
      const out: FlowRecord[] = [];
      decoder.decodeToRecords(payload, { addr, id: id(addr) }, at, (r) => out.push(r));
      return out;
    },
    batch,
  };
}

/** The counters as they must be: every one zero except those named. */
export function zeroExcept<F extends object>(f: F, keep: Partial<Record<keyof F, number>>): F {
  return Object.fromEntries(Object.keys(f).map((k) => [k, (keep as Record<string, number>)[k] ?? 0])) as F;
}
