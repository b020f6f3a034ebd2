// Writes an sFlow flow sample into the columnar FlowBatch the NetFlow decoders fill: one record per
// sample, packets 1, octets the sampled packet's layer-3 length, sampling the sample's rate (scaled
// downstream like NetFlow sampling). The exporter columns hold the agent address.
import { DNS_NAME_COLUMN, type FlowBatch, SNI_COLUMN } from "../../flow/batch.ts";
import { intern } from "../compile-batch.ts";
import type { Ctx } from "../context.ts";
import { type SflowFlow, flowOctets, flowVlan } from "./flow.ts";
import { dnsNameText, sniText } from "./names.ts";
import { BATCH_VERSION_SFLOW } from "./spec.ts";

export type FlowWriter = (f: SflowFlow, x: Ctx, onFull: (b: FlowBatch) => void) => void;

/**
 * The writer of one batch: its columns held as constants of the closure, which the JIT keeps out
 * of the per-sample path (looking them up on the batch each time doubled the cost of a sample).
 * Appends f as one record; calls onFull when the batch fills.
 */
export function flowWriter(batch: FlowBatch): FlowWriter {
  const { exporterAddr: ea, srcAddr: sa, dstAddr: da, nextHop: nh, nextHopFamily, exporterFamily, exporterId, version,
    domain, arrivalMs, family, srcMask, dstMask, srcPort, dstPort, proto, tos, tcpFlags, inIf, outIf, srcAs, dstAs, vlan,
    sampler, octets, packets, sampling, startMs, endMs, extra, capacity } = batch;
  const column = (c: typeof DNS_NAME_COLUMN) => extra.findIndex((e) => e.pen === c.pen && e.element === c.element && e.type === c.type);
  const dnsColumn = column(DNS_NAME_COLUMN);
  const sniColumn = column(SNI_COLUMN);
  return (f, x, onFull) => {
    const i = batch.length;
    const i4 = i * 4;
    const agent = f.agent;
    const src = f.src;
    const dst = f.dst;
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
    nextHopFamily[i] = router ? f.nextHopFamily : f.bgpNextHopFamily;
    exporterFamily[i] = f.agentFamily;
    exporterId[i] = x.exporterId;
    version[i] = BATCH_VERSION_SFLOW;
    domain[i] = f.subAgent;
    arrivalMs[i] = x.arrivalMs;
    family[i] = f.family;
    srcMask[i] = f.srcMask;
    dstMask[i] = f.dstMask;
    srcPort[i] = f.srcPort;
    dstPort[i] = f.dstPort;
    proto[i] = f.proto;
    tos[i] = f.tos;
    tcpFlags[i] = f.tcpFlags;
    inIf[i] = f.inIf;
    outIf[i] = f.outIf;
    srcAs[i] = f.srcAs;
    dstAs[i] = f.dstAs;
    const v = flowVlan(f);
    vlan[i] = v > 0 ? v : 0;
    sampler[i] = 0;
    octets[i] = flowOctets(f);
    packets[i] = 1;
    sampling[i] = f.rate > 0 ? f.rate : 1;
    // A sample is taken as the packet passes: it carries no flow start or end of its own.
    startMs[i] = NaN;
    endMs[i] = NaN;
    for (let k = 0; k < extra.length; k++) {
      const e = extra[k]!;
      e.num[i] = NaN;
      if (e.family !== null) e.family[i] = 0;
    }
    // A string only for the samples that carry a name (DNS responses, ClientHellos).
    if (dnsColumn >= 0 && f.dnsAt >= 0) extra[dnsColumn]!.num[i] = intern(batch, x, dnsNameText(f));
    if (sniColumn >= 0 && f.sniAt >= 0) extra[sniColumn]!.num[i] = intern(batch, x, sniText(f));
    batch.length = i + 1;
    if (i + 1 === capacity) onFull(batch);
  };
}
