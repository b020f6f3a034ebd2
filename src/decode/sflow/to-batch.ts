// Writes an sFlow flow sample into the columnar FlowBatch the NetFlow decoders fill: one record per
// sample, packets 1, octets the sampled packet's layer-3 length, sampling the sample's rate (scaled
// downstream like NetFlow sampling). The exporter columns hold the agent address.
import type { FlowBatch } from "../../flow/batch.ts";
import type { Ctx } from "../context.ts";
import { type SflowFlow, flowOctets, flowVlan } from "./flow.ts";
import { BATCH_VERSION_SFLOW } from "./spec.ts";

/** Appends f as one record; calls onFull when the batch fills. */
export function writeFlow(batch: FlowBatch, f: SflowFlow, x: Ctx, onFull: (b: FlowBatch) => void): void {
  const i = batch.length;
  const i4 = i * 4;
  batch.exporterFamily[i] = f.agentFamily;
  for (let w = 0; w < 4; w++) {
    batch.exporterAddr[i4 + w] = f.agent[w]!;
    batch.srcAddr[i4 + w] = f.src[w]!;
    batch.dstAddr[i4 + w] = f.dst[w]!;
  }
  batch.exporterId[i] = x.exporterId;
  batch.version[i] = BATCH_VERSION_SFLOW;
  batch.domain[i] = f.subAgent;
  batch.arrivalMs[i] = x.arrivalMs;
  batch.family[i] = f.family;
  // As for NetFlow: the IP next hop, else the BGP one.
  const hop = f.nextHopFamily !== 0 ? f.nextHop : f.bgpNextHop;
  batch.nextHopFamily[i] = f.nextHopFamily !== 0 ? f.nextHopFamily : f.bgpNextHopFamily;
  for (let w = 0; w < 4; w++) batch.nextHop[i4 + w] = hop[w]!;
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
  batch.vlan[i] = Math.max(0, flowVlan(f));
  batch.sampler[i] = 0;
  batch.octets[i] = flowOctets(f);
  batch.packets[i] = 1;
  batch.sampling[i] = x.forced > 0 ? x.forced : f.rate > 0 ? f.rate : 1;
  // A sample is taken as the packet passes: it carries no flow start or end of its own.
  batch.startMs[i] = NaN;
  batch.endMs[i] = NaN;
  for (let k = 0; k < batch.extra.length; k++) {
    const e = batch.extra[k]!;
    e.num[i] = NaN;
    if (e.family !== null) e.family[i] = 0;
  }
  batch.length = i + 1;
  if (batch.length === batch.capacity) onFull(batch);
}
