// What the pool and the sender need from a wire format: pure encoding of records into a
// datagram, copying a pooled datagram (cut to fewer records, or with the template set in front),
// and patching the header fields that change per send (clock, sequence, exporter id) in place.
import type { FlowBatch } from "../flow/batch.ts";

export type Version = 5 | 9 | 10 | "sflow";

/** The per-send header values; `sequence` means what the version says it means. */
export interface Header {
  /** Export time, epoch milliseconds. */
  exportMs: number;
  /** The exporter's sysUpTime (v5, v9); record times are encoded relative to it. */
  uptimeMs: number;
  /** v5: flows before this datagram; v9: datagrams before it; IPFIX, sFlow: data records (flow samples) before it. */
  sequence: number;
  /** v5 engine id, v9 source id, IPFIX observation domain id, sFlow sub-agent id. */
  domain: number;
}

export interface Codec {
  readonly version: Version;
  readonly headerLength: number;
  /** Most records per datagram that stay within one Ethernet MTU, template included. */
  readonly maxRecords: number;
  /** The template set sent before data (empty for v5, which has no templates; sFlow: a counter sample sent after the data). */
  readonly template: Uint8Array;
  /** Length of a data-only datagram of n records. */
  size(n: number): number;
  /** Encodes records from..from+n-1 of `b` as one data-only datagram at out[0]; returns its length. */
  encode(b: FlowBatch, from: number, n: number, out: Uint8Array, h: Header): number;
  /** Copies the first n records of pooled datagram `src` into out, the template set first when asked. */
  compose(src: Uint8Array, n: number, withTemplate: boolean, out: Uint8Array): number;
  /** Patches clock, sequence and exporter id of the datagram viewed by `v` in place. */
  stamp(v: DataView, h: Header): void;
  /** Data records in a datagram this codec wrote (for sequence numbers and counting). */
  records(v: DataView, length: number): number;
}
