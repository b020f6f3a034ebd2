// Writes an sFlow flow sample into the columnar FlowBatch the NetFlow decoders fill: one record per
// sample, packets 1, octets the sampled packet's layer-3 length, sampling the sample's rate (scaled
// downstream like NetFlow sampling). The exporter columns hold the agent address.
import type { FlowBatch } from "../../flow/batch.ts";
import type { Ctx } from "../context.ts";
import type { SflowFlow } from "./flow.ts";
import { BATCH_VERSION_SFLOW } from "./spec.ts";

/** Appends f as one record; calls onFull when the batch fills. Unrolled: this runs per sample. */
export function writeFlow(batch: FlowBatch, f: SflowFlow, x: Ctx, onFull: (b: FlowBatch) => void): void {
  const i = batch.length;
  const i4 = i * 4;
  const agent = f.agent;
  const src = f.src;
  const dst = f.dst;
  const ea = batch.exporterAddr;
  const sa = batch.srcAddr;
  const da = batch.dstAddr;
  const nh = batch.nextHop;
  // As for NetFlow: the IP next hop, else the BGP one.
  const router = f.nextHopFamily !== 0;
  const hop = router ? f.nextHop : f.bgpNextHop;
  ea[i4] = agent[0]!;
  ea[i4 + 1] = agent[1]!;
  ea[i4 + 2] = agent[2]!;
  ea[i4 + 3] = agent[3]!;
  sa[i4] = src[0]!;
  sa[i4 + 1] = src[1]!;
  sa[i4 + 2] = src[2]!;
  sa[i4 + 3] = src[3]!;
  da[i4] = dst[0]!;
  da[i4 + 1] = dst[1]!;
  da[i4 + 2] = dst[2]!;
  da[i4 + 3] = dst[3]!;
  nh[i4] = hop[0]!;
  nh[i4 + 1] = hop[1]!;
  nh[i4 + 2] = hop[2]!;
  nh[i4 + 3] = hop[3]!;
  batch.nextHopFamily[i] = router ? f.nextHopFamily : f.bgpNextHopFamily;
  batch.exporterFamily[i] = f.agentFamily;
  batch.exporterId[i] = x.exporterId;
  batch.version[i] = BATCH_VERSION_SFLOW;
  batch.domain[i] = f.subAgent;
  batch.arrivalMs[i] = x.arrivalMs;
  batch.family[i] = f.family;
  batch.srcMask[i] = f.srcMask;
  batch.dstMask[i] = f.dstMask;
  batch.srcPort[i] = f.srcPort;
  batch.dstPort[i] = f.dstPort;
  batch.proto[i] = f.proto;
  batch.tos[i] = f.tos;
  batch.tcpFlags[i] = f.tcpFlags;
  batch.inIf[i] = f.inIf;
  batch.outIf[i] = f.outIf;
  batch.srcAs[i] = f.srcAs;
  batch.dstAs[i] = f.dstAs;
  const vlan = f.vlan >= 0 ? f.vlan : f.srcVlan;
  batch.vlan[i] = vlan > 0 ? vlan : 0;
  batch.sampler[i] = 0;
  batch.octets[i] = f.ipLength >= 0 ? f.ipLength : f.frameL3 >= 0 ? f.frameL3 : 0;
  batch.packets[i] = 1;
  batch.sampling[i] = x.forced > 0 ? x.forced : f.rate > 0 ? f.rate : 1;
  // A sample is taken as the packet passes: it carries no flow start or end of its own.
  batch.startMs[i] = NaN;
  batch.endMs[i] = NaN;
  const extra = batch.extra;
  for (let k = 0; k < extra.length; k++) {
    const e = extra[k]!;
    e.num[i] = NaN;
    if (e.family !== null) e.family[i] = 0;
  }
  batch.length = i + 1;
  if (i + 1 === batch.capacity) onFull(batch);
}
