// The synthetic record mix: who talks to whom, on which ports, how big. Written into a FlowBatch
// (the project's record shape) so the encoders take what the decoders produce.
import type { FlowBatch } from "../flow/batch.ts";
import { type Net, hostAddress, netOf } from "./net.ts";
import { createRandom, createRankSampler } from "./rng.ts";

export interface MixOptions {
  seed: number;
  srcNets: readonly Net[];
  dstNets: readonly Net[];
  hostsSrc: number;
  hostsDst: number;
  /** Zipf exponent of host popularity; 0 = uniform. */
  zipf: number;
  /** Share of records that are TCP to port 443 (two thirds) or 80 (one third). */
  webShare: number;
  /** octetDeltaCount of each record, uniform in [min, max]; packetDeltaCount is always 1. */
  octetsMin: number;
  octetsMax: number;
}

const PROTO_TCP = 6;
const PROTO_UDP = 17;
const TCP_FIN_SYN_PSH_ACK = 0x1b; // a whole short connection, the commonest TCP flow
const NEXT_HOP = 0xc6336401; // 198.51.100.1 (RFC 5737 TEST-NET-2)
const AS_DOC_FIRST = 64496; // RFC 5398 documentation AS numbers 64496-64511
const AS_DOC_COUNT = 16;
const DSCP_EF_TOS = 0xb8;

/**
 * Fills b[0..n-1] with records whose times end up to 1 s before `exportMs` and last up to 5 s.
 * The batch must hold n records.
 */
export function fillMix(b: FlowBatch, n: number, o: MixOptions, exportMs: number): void {
  const random = createRandom(o.seed);
  const srcRank = createRankSampler(o.hostsSrc, o.zipf, random);
  const dstRank = createRankSampler(o.hostsDst, o.zipf, random);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  for (let i = 0; i < n; i++) {
    const s = srcRank();
    const d = dstRank();
    b.family[i] = 4;
    b.srcAddr[i * 4] = hostAddress(o.srcNets, s);
    b.dstAddr[i * 4] = hostAddress(o.dstNets, d);
    b.srcMask[i] = netOf(o.srcNets, s).prefix;
    b.dstMask[i] = netOf(o.dstNets, d).prefix;
    b.nextHop[i * 4] = NEXT_HOP;
    b.nextHopFamily[i] = 4;
    b.srcAs[i] = AS_DOC_FIRST + (s % AS_DOC_COUNT);
    b.dstAs[i] = AS_DOC_FIRST + (d % AS_DOC_COUNT);
    b.inIf[i] = int(1, 8);
    b.outIf[i] = int(9, 16);
    const web = random() < o.webShare;
    const proto = web || random() < 0.6 ? PROTO_TCP : PROTO_UDP;
    b.proto[i] = proto;
    b.srcPort[i] = int(1024, 65535);
    // Other ports are never 80 or 443, so exactly the web share matches "dst port 80 or 443".
    b.dstPort[i] = web ? (random() < 2 / 3 ? 443 : 80) : proto === PROTO_UDP && random() < 0.5 ? 53 : int(1024, 65535);
    b.tcpFlags[i] = proto === PROTO_TCP ? TCP_FIN_SYN_PSH_ACK : 0;
    b.tos[i] = random() < 0.05 ? DSCP_EF_TOS : 0;
    b.packets[i] = 1;
    b.octets[i] = int(o.octetsMin, o.octetsMax);
    b.sampling[i] = 1;
    const end = exportMs - int(0, 999);
    b.endMs[i] = end;
    b.startMs[i] = end - int(0, 4999);
  }
  b.length = n;
}
