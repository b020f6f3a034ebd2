// Datagrams encoded once, before sending: the send loop then only patches header fields (clock,
// sequence, exporter id) in place, so its cost per datagram is a few stores and one syscall.
// Every datagram is a view into one buffer; all exporters share them (sends are synchronous).
import { XenoflowError } from "../errors.ts";
import { type FlowBatch, createBatch } from "../flow/batch.ts";
import type { Codec, Header, Version } from "./codec.ts";
import { ipfix } from "./ipfix.ts";
import { type MixOptions, fillMix } from "./mix.ts";
import { v5 } from "./v5.ts";
import { v9 } from "./v9.ts";
import { sflow } from "./sflow.ts";

export interface PoolOptions extends MixOptions {
  version: Version;
  /** Records per datagram. */
  records: number;
  /** Datagrams to pre-encode. */
  datagrams: number;
  /** sFlow: every sample's sampling rate (default 1). */
  sampling?: number;
}

export interface Pool {
  readonly codec: Codec;
  readonly records: number;
  readonly datagrams: readonly Uint8Array[];
  readonly views: readonly DataView[];
  /** Octets summed over each datagram's records. */
  readonly octets: Float64Array;
  /** The records, datagram k holding k*records .. (k+1)*records-1. */
  readonly batch: FlowBatch;
  /** The clock the datagrams were encoded with; record times are relative to it. */
  readonly built: Header;
}

export function codecFor(version: Version): Codec {
  return version === 5 ? v5 : version === 9 ? v9 : version === 10 ? ipfix : sflow;
}

export function buildPool(o: PoolOptions, built: Header): Pool {
  const codec = codecFor(o.version);
  if (!Number.isInteger(o.records) || o.records < 1 || o.records > codec.maxRecords) {
    throw new XenoflowError("E_USAGE", `--records must be 1..${codec.maxRecords} for version ${o.version}`);
  }
  const k = o.datagrams;
  const total = k * o.records;
  const batch = createBatch([], total);
  fillMix(batch, total, o, built.exportMs);
  if (o.sampling !== undefined) batch.sampling.fill(o.sampling);
  const size = codec.size(o.records);
  const buf = new Uint8Array(k * size);
  const datagrams: Uint8Array[] = [];
  const views: DataView[] = [];
  const octets = new Float64Array(k);
  for (let d = 0; d < k; d++) {
    // sFlow's sampled headers are shorter for small packets: a datagram is what encode wrote.
    const len = codec.encode(batch, d * o.records, o.records, buf.subarray(d * size, (d + 1) * size), built);
    const dgram = buf.subarray(d * size, d * size + len);
    datagrams.push(dgram);
    views.push(new DataView(buf.buffer, dgram.byteOffset, len));
    let sum = 0;
    for (let r = d * o.records; r < (d + 1) * o.records; r++) sum += batch.octets[r] ?? 0;
    octets[d] = sum;
  }
  return { codec, records: o.records, datagrams, views, octets, batch, built };
}

/** Octets of the first n records of pooled datagram d. */
export function partialOctets(p: Pool, d: number, n: number): number {
  let sum = 0;
  for (let r = d * p.records; r < d * p.records + n; r++) sum += p.batch.octets[r] ?? 0;
  return sum;
}
