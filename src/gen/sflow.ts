// sFlow v5 (sflow.org "sFlow Version 5") as the generator sends it: an IPv4 agent, one flow sample
// per record, each holding the sampled packet's first 128 bytes (Ethernet, IPv4, TCP or UDP, zero
// payload) whose IP total length is the record's octets, at the batch's sampling rate. The
// "template" of the other formats is a counter sample here (generic interface and Ethernet
// counters, sent as often as a template would be, where it fits the datagram): the polling
// interval of a real agent. Sequence numbers, sample pool, sub-agent id (the exporter id) and the
// counters are patched per send.
import type { FlowBatch } from "../flow/batch.ts";
import type { Codec, Header } from "./codec.ts";
import { MAX_PAYLOAD } from "./layout.ts";

const AGENT = 0x7f000001; // 127.0.0.1: the generator's own loopback
const DATAGRAM_HEADER = 28; // version, address type, IPv4 agent, sub-agent, sequence, uptime, samples
const SAMPLED_HEADER_MAX = 128; // the common agent default
const FLOW_SAMPLE_FIXED = 8 + 32 + 8 + 16; // sample tlv, flow_sample fields, record tlv, sampled_header fields
/** Most flow samples whose headers fit MAX_PAYLOAD (the counter sample only fits beside fewer). */
export const SFLOW_MAX_RECORDS = Math.floor((MAX_PAYLOAD - DATAGRAM_HEADER) / (FLOW_SAMPLE_FIXED + SAMPLED_HEADER_MAX));
const SOURCE_ID = 1; // ifIndex 1, source type 0
const ETHERNET = 14;
const FCS = 4;
const IF_SPEED = 10e9;

const counterSample = (() => {
  const generic = 88;
  const ethernet = 52;
  const out = new Uint8Array(8 + 12 + 8 + generic + 8 + ethernet);
  const v = new DataView(out.buffer);
  v.setUint32(0, 2); // counters sample
  v.setUint32(4, out.length - 8);
  v.setUint32(12, SOURCE_ID);
  v.setUint32(16, 2); // two records
  v.setUint32(20, 1); // generic interface
  v.setUint32(24, generic);
  v.setUint32(28, SOURCE_ID); // ifIndex
  v.setUint32(32, 6); // ifType ethernetCsmacd
  v.setUint32(36, Math.floor(IF_SPEED / 2 ** 32));
  v.setUint32(40, IF_SPEED >>> 0);
  v.setUint32(44, 1); // full duplex
  v.setUint32(48, 3); // admin and oper up
  v.setUint32(28 + generic, 2); // Ethernet
  v.setUint32(32 + generic, ethernet);
  return out;
})();
const COUNTERS_SEQ = 8; // offset of the counter sample's sequence number
const IF_IN_OCTETS = 28 + 24; // ifInOctets (u64), then ifInUcastPkts; ifOutOctets at 28 + 56
const IF_IN_UCAST = IF_IN_OCTETS + 8;
const IF_OUT_OCTETS = 28 + 56;
const IF_OUT_UCAST = IF_OUT_OCTETS + 8;

function frameOf(b: FlowBatch, i: number, out: Uint8Array, o: number): number {
  const octets = b.octets[i] ?? 0;
  const tcp = b.proto[i] === 6;
  const len = Math.min(SAMPLED_HEADER_MAX, ETHERNET + octets);
  const v = new DataView(out.buffer, out.byteOffset + o, len);
  out.fill(0, o, o + len);
  out.set([0, 0, 0x5e, 0, 0x53, 0x02, 0, 0, 0x5e, 0, 0x53, 0x01, 0x08, 0x00], o); // RFC 7042 documentation MACs, IPv4
  const put16 = (at: number, x: number) => at + 2 <= len && v.setUint16(at, x);
  if (len >= ETHERNET + 20) {
    v.setUint8(14, 0x45);
    v.setUint8(15, b.tos[i] ?? 0);
    v.setUint16(16, Math.min(octets, 0xffff));
    v.setUint16(20, 0x4000);
    v.setUint8(22, 64);
    v.setUint8(23, b.proto[i] ?? 0);
    v.setUint32(26, b.srcAddr[i * 4] ?? 0);
    v.setUint32(30, b.dstAddr[i * 4] ?? 0);
  }
  put16(34, b.srcPort[i] ?? 0);
  put16(36, b.dstPort[i] ?? 0);
  if (!tcp) put16(38, Math.max(0, octets - 20)); // UDP length
  else if (len > 47) {
    v.setUint8(46, 0x50); // data offset 5 words
    v.setUint8(47, (b.tcpFlags[i] ?? 0) & 0xff);
  }
  return len;
}

function encode(b: FlowBatch, from: number, n: number, out: Uint8Array, h: Header): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint32(0, 5);
  v.setUint32(4, 1);
  v.setUint32(8, AGENT);
  v.setUint32(24, n);
  let o = DATAGRAM_HEADER;
  for (let k = 0; k < n; k++) {
    const i = from + k;
    const headerLen = frameOf(b, i, out, o + FLOW_SAMPLE_FIXED);
    const padded = (headerLen + 3) & ~3;
    v.setUint32(o, 1); // flow sample
    v.setUint32(o + 4, FLOW_SAMPLE_FIXED - 8 + padded);
    v.setUint32(o + 12, SOURCE_ID);
    v.setUint32(o + 16, b.sampling[i] ?? 1);
    v.setUint32(o + 24, 0); // drops
    v.setUint32(o + 28, b.inIf[i] ?? 0);
    v.setUint32(o + 32, b.outIf[i] ?? 0);
    v.setUint32(o + 36, 1); // one record: the sampled header
    v.setUint32(o + 40, 1);
    v.setUint32(o + 44, 16 + padded);
    v.setUint32(o + 48, 1); // ETHERNET-ISO88023
    v.setUint32(o + 52, ETHERNET + (b.octets[i] ?? 0) + FCS);
    v.setUint32(o + 56, FCS);
    v.setUint32(o + 60, headerLen);
    out.fill(0, o + FLOW_SAMPLE_FIXED + headerLen, o + FLOW_SAMPLE_FIXED + padded);
    o += FLOW_SAMPLE_FIXED + padded;
  }
  stamp(v, h);
  return o;
}

/** End of the first n samples of a datagram (walked by their lengths). */
function samplesEnd(src: Uint8Array, n: number): number {
  const v = new DataView(src.buffer, src.byteOffset, src.byteLength);
  let o = DATAGRAM_HEADER;
  for (let k = 0; k < n && o + 8 <= src.length; k++) o += 8 + v.getUint32(o + 4);
  return o;
}

function compose(src: Uint8Array, n: number, withCounters: boolean, out: Uint8Array): number {
  let len = samplesEnd(src, n);
  out.set(src.subarray(0, len), 0);
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let count = n;
  if (withCounters && len + counterSample.length <= MAX_PAYLOAD) {
    out.set(counterSample, len);
    len += counterSample.length;
    count++;
  }
  v.setUint32(24, count);
  return len;
}

function stamp(v: DataView, h: Header): void {
  v.setUint32(12, h.domain >>> 0); // sub-agent id
  v.setUint32(16, (h.sequence + 1) >>> 0);
  v.setUint32(20, h.uptimeMs >>> 0);
  const count = v.getUint32(24);
  let o = DATAGRAM_HEADER;
  let seq = h.sequence;
  let rate = 1;
  for (let k = 0; k < count && o + 8 <= v.byteLength; k++) {
    if (v.getUint32(o) === 1) {
      seq++;
      rate = v.getUint32(o + 16);
      v.setUint32(o + 8, seq >>> 0);
      v.setUint32(o + 20, (seq * rate) >>> 0); // sample_pool: packets the source saw so far
    } else {
      // The interface counts what the samples stand for, at 1000 octets a packet.
      const packets = seq * rate;
      v.setUint32(o + COUNTERS_SEQ, (h.sequence + 1) >>> 0);
      for (const [octetsAt, packetsAt] of [[IF_IN_OCTETS, IF_IN_UCAST], [IF_OUT_OCTETS, IF_OUT_UCAST]] as const) {
        const octets = packets * 1000;
        v.setUint32(o + octetsAt, Math.floor(octets / 2 ** 32) >>> 0);
        v.setUint32(o + octetsAt + 4, octets >>> 0);
        v.setUint32(o + packetsAt, packets >>> 0);
      }
    }
    o += 8 + v.getUint32(o + 4);
  }
}

function records(v: DataView, length: number): number {
  let n = 0;
  let o = DATAGRAM_HEADER;
  while (o + 8 <= length) {
    if (v.getUint32(o) === 1) n++;
    o += 8 + v.getUint32(o + 4);
  }
  return n;
}

export const sflow: Codec = {
  version: "sflow",
  headerLength: DATAGRAM_HEADER,
  maxRecords: SFLOW_MAX_RECORDS,
  template: counterSample,
  size: (n) => DATAGRAM_HEADER + n * (FLOW_SAMPLE_FIXED + SAMPLED_HEADER_MAX),
  encode,
  compose,
  stamp,
  records,
};
