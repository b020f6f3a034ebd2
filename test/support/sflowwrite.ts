// Builds sFlow v5 datagrams for tests, word by word as the spec's XDR lays them out, so that
// inline cases read like the structures they stand for (and can be cut or corrupted at any word).
import { parseAddress } from "./pcapwrite.ts";

export type Part = number | Uint8Array | readonly Part[];

/** The bytes of words (numbers, big-endian u32), byte strings (padded to 4) and nested lists. */
export function xdr(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  const put = (p: Part) => {
    if (typeof p === "number") out.push((p >>> 24) & 0xff, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
    else if (p instanceof Uint8Array) {
      out.push(...p);
      while (out.length % 4) out.push(0);
    } else p.forEach(put);
  };
  parts.forEach(put);
  return Uint8Array.from(out);
}

/** sFlow v5 "address". */
export function address(text: string): Part {
  const a = parseAddress(text);
  return [a.length === 4 ? 1 : 2, a];
}

/** A data_format + length + body (samples and records alike). */
export function tlv(format: number, ...body: Part[]): Part {
  const b = xdr(...body);
  return [format, b.length, b];
}

/** A datagram: agent, sub-agent, sequence, uptime, samples. */
export function datagram(agent: string, samples: readonly Part[], o: { subAgent?: number; seq?: number; uptime?: number } = {}): Uint8Array {
  return xdr(5, address(agent), o.subAgent ?? 0, o.seq ?? 1, o.uptime ?? 1000, samples.length, ...samples);
}

export interface FlowSampleFields {
  seq?: number;
  source?: number;
  rate?: number;
  pool?: number;
  drops?: number;
  input?: number;
  output?: number;
}

/** A compact flow sample (format 1) of the given records. */
export function flowSample(records: readonly Part[], o: FlowSampleFields = {}): Part {
  return tlv(1, o.seq ?? 1, o.source ?? 3, o.rate ?? 1, o.pool ?? 1, o.drops ?? 0, o.input ?? 3, o.output ?? 4, records.length, ...records);
}

/** A sampled_header record (format 1) of a frame: Ethernet (1), IPv4 (11) or IPv6 (12). */
export function headerRecord(frame: Uint8Array, o: { protocol?: number; frameLength?: number; stripped?: number; cut?: number } = {}): Part {
  const h = frame.subarray(0, o.cut ?? frame.length);
  return tlv(1, o.protocol ?? 1, o.frameLength ?? frame.length + 4, o.stripped ?? 4, h.length, h);
}
